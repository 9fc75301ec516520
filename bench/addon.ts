import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { FixResult, ValidationView } from "../src/addon/contract";
import { checkSheet } from "../src/addon/sheetCheck";
import { dateFormatter, objectSpec } from "../src/core";
import type { ProgramCatalogue } from "../src/core/program";
import {
  type CallDetail,
  CallLog,
  LATENCY_FIGURES,
  type LatencyModel,
  PESSIMISTIC,
} from "../src/emulator/calls";
import type { CellValue } from "../src/emulator/spreadsheet/cell";
import { Workbook } from "../src/emulator/spreadsheet/workbook";
import { sheetOf, typeRows } from "../test/addon/asPerson";
import { startFaultyProxy } from "../test/addon/faultyProxy";
import {
  call,
  fillSheet,
  KEYS,
  loadAddonFor,
  PARTNER_HEADERS,
  partnerRows,
  startService,
  type TestService,
} from "../test/addon/harness";
import type { Figure } from "./measure";

const SIZES = [10_000, 100_000] as const;
const CHUNK_ROWS = 1000;
/** A bad email in one row of 25, a bad region in the next. */
const BAD_EVERY = 25;
const PARTNERS = { object: "partners", groupKey: null, sendInvites: false };
/** Apps Script's 6 minutes an execution, and DESIGN's 30 s a sidebar call. */
const EXECUTION_MS = 6 * 60_000;
/** Apps Script's 30 s a simple trigger (onOpen, onEdit). */
const SIMPLE_TRIGGER_MS = 30_000;
const SIDEBAR_CALL_MS = 30_000;
const ROOT = join(__dirname, "..");
const DIST = join(ROOT, "dist", "addon");

const n = (x: number) => x.toLocaleString("en-US");
const progress = (line: string) => process.stderr.write(`  ${line}\n`);
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

/** The latency model (src/emulator/calls.ts, each figure with its source), as the notes print it. */
const f = LATENCY_FIGURES;
const MODEL = `latency model: ${f.sheetsCallMs} ms a Spreadsheet call + ${f.sheetsCellMs * 1000} µs a cell, ${f.fetchMs} ms a fetch (+ ${f.fetchAllRequestMs} ms a further request of a fetchAll), ${f.sidebarCallMs} ms a sidebar call, ${f.propertiesReadMs} ms a property read and ${f.propertiesWriteMs} ms a write, ${f.cacheGetMs} ms a cache get and ${f.cachePutMs} ms a put`;

/**
 * The default latency model, with what it charged split out: Spreadsheet calls, URL fetches' round trips
 * and the service's own time, the PropertiesService.
 */
class SplitLatency implements LatencyModel {
  sheetsMs = 0;
  fetchMs = 0;
  serviceMs = 0;
  propertiesMs = 0;
  /** What the Range.setValues calls cost (Fix N cells' writes). */
  setValuesMs = 0;

  cost(service: string, method: string, detail: CallDetail): number {
    const ms = PESSIMISTIC.cost(service, method, detail);
    if (service === "SpreadsheetApp") this.sheetsMs += ms;
    if (service === "SpreadsheetApp" && method === "Range.setValues") this.setValuesMs += ms;
    if (service === "UrlFetchApp") {
      this.serviceMs += detail.serviceMs ?? 0;
      this.fetchMs += ms - (detail.serviceMs ?? 0);
    }
    if (service === "PropertiesService") this.propertiesMs += ms;
    return ms;
  }

  reset(): void {
    this.sheetsMs = 0;
    this.fetchMs = 0;
    this.serviceMs = 0;
    this.propertiesMs = 0;
    this.setValuesMs = 0;
  }
}

/**
 * `npm run bench -- addon`: the bundle that ships (dist/addon) in the emulator against the real service
 * (PGlite, in a process of its own), on 10,000 and 100,000 partner rows of ten columns with bad cells:
 * validating, then a dry run of the import (no rows stored, so each size runs on the same program). For
 * each, the calls the emulator counted, the time the latency model projects for them in Sheets and
 * the wall time here; beside each, a per-row approach priced with the same model (a getValues and a
 * setBackground a row to validate, a getValues and a fetch a row to import), or the same work done
 * without the add-on, measured in the same run. After validating, onEdit: a person types one cell (a key
 * a row far below holds) and pastes 1,000 rows. Then the longest projected time of any one execution
 * of the run, and the bundle's sizes against their budgets. Then, on a tab exported from another tool
 * (a title row, headers of its own, text dates), Validate through the mapping saved for it beside
 * Validate of the same rows under the template's headers, and Fix N cells beside the same fixes written
 * a cell at a time.
 */
export async function benchAddon(): Promise<Figure[]> {
  execFileSync(process.execPath, [join(ROOT, "build.mjs"), "--preview"], { cwd: ROOT, stdio: "pipe" });
  const figures: Figure[] = [];
  const executions: { name: string; trigger: string; projectedMs: number; size: number }[] = [];
  const service = await startService();
  const proxy = await startFaultyProxy(service.url);
  try {
    const { catalogue } = await service.get<{ catalogue: ProgramCatalogue }>("/v1/objects");
    for (const size of SIZES) {
      const workbook = new Workbook();
      const rows = partnerRows(size, `bench${size}`, BAD_EVERY);
      fillSheet(workbook.activeSheet, PARTNER_HEADERS, rows);
      const latency = new SplitLatency();
      const calls = new CallLog(latency);
      const host = loadAddonFor({ url: proxy.url, workbook, calls });
      try {
        call(host, "loadSidebar");
        figures.push(...validateFigures(size, rows, catalogue, host, calls, latency));
        figures.push(...(await importFigures(size, rows, host, calls, latency, proxy, service)));
        figures.push(...editFigures(size, workbook, host, calls));
      } finally {
        executions.push(...host.executions.map((e) => ({ ...e, size })));
        await host.close();
      }
      figures.push(...(await mappingFigures(size, proxy.url, executions)));
    }
  } finally {
    await proxy.close();
    await service.stop();
  }
  figures.push(longestExecution(executions));
  figures.push(...sizeFigures());
  return figures;
}

/**
 * onEdit on the validated sheet: one cell typed (a partner_key that a row far below holds, so that row
 * is flagged), then 1,000 rows pasted. Beside each, the same work plus one read of the whole sheet,
 * which is what onEdit did before (it read the data range and re-checked every row up to the edit).
 */
function editFigures(
  size: number,
  workbook: Workbook,
  host: ReturnType<typeof loadAddonFor>,
  calls: CallLog,
): Figure[] {
  const width = PARTNER_HEADERS.length;
  const wholeSheetMs = PESSIMISTIC.cost("SpreadsheetApp", "Range.getValues", { cells: (size + 1) * width });
  const middle = Math.floor(size / 2) + 2;
  const far = size - 10;
  const edits = [
    {
      label: "one cell",
      row: middle,
      column: 2,
      rows: [[`bench${size}-${far}`]],
    },
    {
      label: "a 1,000-row paste",
      row: Math.floor(size / 4),
      column: 1,
      rows: Array.from({ length: 1000 }, (_, j) => [
        `pasted${j}@example.com`,
        `pasted-${size}-${j}`,
        "Ada",
        "Jones",
        "2021-03-04",
        "default",
        j % 100 === 0 ? "platinum" : "gold",
        "",
        "EMEA",
        "02134",
      ]),
    },
  ];
  const figures: Figure[] = [];
  for (const edit of edits) {
    calls.reset();
    const before = host.executions.length;
    const started = process.hrtime.bigint();
    typeRows(host, workbook, edit.row, edit.column, edit.rows);
    const wall = seconds(started);
    const execution = host.executions[before];
    const projected = calls.projectedMs;
    const sheetCalls = calls.total("SpreadsheetApp");
    progress(
      `onEdit ${edit.label} on ${n(size)}: ${sheetCalls} Spreadsheet calls, ${(projected / 1000).toFixed(2)} s projected, ${wall.toFixed(2)} s${execution?.error ? `, ended: ${execution.error}` : ""}`,
    );
    const name = `addon: onEdit, ${edit.label} on ${n(size)} validated partners (${width} columns)`;
    figures.push(
      {
        name: `${name}: time projected in Sheets`,
        unit: "s",
        value: projected / 1000,
        baseline: (projected + wholeSheetMs) / 1000,
        baselineName: "the same plus one read of the whole sheet (onEdit before)",
        higherIsBetter: false,
        note: `limit 30 s (simple trigger); the execution as the emulator recorded it: ${((execution?.projectedMs ?? 0) / 1000).toFixed(2)} s${execution?.error ? `, ended: ${execution.error}` : ""}`,
      },
      {
        name: `${name}: Spreadsheet calls`,
        unit: "calls",
        value: sheetCalls,
        note: "the event's own range included",
      },
      { name: `${name}: wall time in the emulator`, unit: "s", value: wall },
    );
  }
  return figures;
}

/** The longest projected time of any one execution in the run, against Apps Script's limit for its kind. */
function longestExecution(
  executions: readonly { name: string; trigger: string; projectedMs: number; size: number }[],
): Figure {
  const longest = executions.reduce(
    (a, b) => (b.projectedMs > a.projectedMs ? b : a),
    executions[0] ?? {
      name: "none",
      trigger: "other",
      projectedMs: 0,
      size: 0,
    },
  );
  const simple = executions.filter((e) => e.trigger === "simple");
  const longestSimple = simple.reduce((max, e) => Math.max(max, e.projectedMs), 0);
  return {
    name: "addon: the longest single execution of the run, projected",
    unit: "s",
    value: longest.projectedMs / 1000,
    baseline: (longest.trigger === "simple" ? SIMPLE_TRIGGER_MS : EXECUTION_MS) / 1000,
    baselineName: `Apps Script's limit for ${longest.trigger === "simple" ? "a simple trigger" : "an execution"}`,
    higherIsBetter: false,
    note: `${longest.name} on ${n(longest.size)} rows, of ${executions.length} executions; the longest simple trigger ${(longestSimple / 1000).toFixed(2)} s (limit 30 s)`,
  };
}

function validateFigures(
  size: number,
  rows: ReturnType<typeof partnerRows>,
  catalogue: ProgramCatalogue,
  host: ReturnType<typeof loadAddonFor>,
  calls: CallLog,
  latency: SplitLatency,
): Figure[] {
  const width = PARTNER_HEADERS.length;
  calls.reset();
  latency.reset();
  const started = process.hrtime.bigint();
  const view = call(host, "validate", PARTNERS);
  const wall = seconds(started);
  const sheetCalls = calls.total("SpreadsheetApp");
  const runs = calls.total("google.script.run");
  const projected = calls.projectedMs;
  // The per-row approach, priced by the same model: the same sidebar call and catalogue fetch, then
  // a getValues and a setBackground for each row (getRange not even counted).
  const perRowSheetsMs =
    size *
    (PESSIMISTIC.cost("SpreadsheetApp", "Range.getValues", { cells: width }) +
      PESSIMISTIC.cost("SpreadsheetApp", "Range.setBackground", { cells: width }));
  const perRowProjected = projected - latency.sheetsMs + perRowSheetsMs;

  // The floor: the same checks on the same values with no sheet and no emulator, cold in a fresh
  // process as Apps Script runs a script; and here, in-process, after the runs before it (warm).
  const cold = plainChecksCold(size, catalogue);
  const spec = objectSpec("partners", { program: catalogue, groupKey: null });
  const values: unknown[][] = [[...PARTNER_HEADERS], ...rows];
  const coreStarted = process.hrtime.bigint();
  const check = checkSheet(spec, values, 0, dateFormatter("Etc/UTC"));
  const coreWall = seconds(coreStarted);
  progress(
    `validate ${n(size)}: ${sheetCalls} Spreadsheet calls, ${n(view.errors)} errors, ${n(view.highlighted)} cells highlighted, ${wall.toFixed(1)} s`,
  );

  const name = `addon: validate ${n(size)} partners (${width} columns)`;
  const perRow = "a getValues + setBackground a row";
  return [
    emulatorOverhead(size, wall, latency.serviceMs / 1000, cold, {
      seconds: coreWall,
      rowsWithErrors: check.rowsWithErrors,
    }),
    {
      name: `${name}: Spreadsheet calls`,
      unit: "calls",
      value: sheetCalls,
      baseline: 2 * size,
      baselineName: perRow,
      higherIsBetter: false,
      note: `budget 8; ${n(view.errors)} errors found, ${n(view.highlighted)} cells highlighted`,
    },
    {
      name: `${name}: sidebar calls`,
      unit: "calls",
      value: runs,
      baseline: Math.ceil(perRowProjected / EXECUTION_MS),
      baselineName: `${perRow}, in executions of at most 6 min`,
      higherIsBetter: false,
      note: "budget: one execution",
    },
    {
      name: `${name}: time projected in Sheets`,
      unit: "s",
      value: projected / 1000,
      baseline: perRowProjected / 1000,
      baselineName: `${perRow}, same model`,
      higherIsBetter: false,
      note: `${MODEL}; of which Spreadsheet calls ${(latency.sheetsMs / 1000).toFixed(2)} s, fetches ${(latency.fetchMs / 1000).toFixed(2)} s + the service's ${(latency.serviceMs / 1000).toFixed(2)} s, properties ${(latency.propertiesMs / 1000).toFixed(2)} s`,
    },
    {
      name: `${name}: wall time in the emulator`,
      unit: "s",
      value: wall,
      baseline: coreWall,
      baselineName: "the same checks in-process, no sheet",
      higherIsBetter: false,
      note: `rows with errors: ours ${n(view.rowsWithErrors)}, in-process ${n(check.rowsWithErrors)}`,
    },
  ];
}

/** What the emulator may add to a Validate's own work, as a multiple of the same checks in plain Node. */
const EMULATOR_GOAL = 3;

interface PlainChecks {
  seconds: number;
  rowsWithErrors: number;
}

/** The core's checker over the same rows, once, in a fresh process (bench/plainChecks.ts). */
function plainChecksCold(size: number, catalogue: ProgramCatalogue): PlainChecks {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "plainChecks.ts")], {
    cwd: ROOT,
    input: JSON.stringify({ size, prefix: `bench${size}`, badEvery: BAD_EVERY, catalogue }),
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString()) as PlainChecks;
}

/**
 * Validate's wall time in the emulator beside the same checks outside it: the core's checker (checkSheet)
 * over the same rows in plain Node, no sheet, no vm context, run once in a fresh process, cold, as Apps
 * Script runs each execution in a fresh runtime (the add-on's checks run cold in each fresh context
 * too). The emulator adds the Spreadsheet calls' work here (reading and painting the cells, copying them
 * into the script's realm) and a fresh global scope; what it adds beyond that would distort every wall
 * time it measures. The emulator's wall time includes the wait on the catalogue fetch, which is the
 * service's time, not the emulator's: the ratio is given with it and without it.
 */
function emulatorOverhead(
  size: number,
  emulatorWall: number,
  serviceWait: number,
  cold: PlainChecks,
  warm: PlainChecks,
): Figure {
  const ratio = emulatorWall / cold.seconds;
  const ownRatio = (emulatorWall - serviceWait) / cold.seconds;
  progress(
    `validate ${n(size)}: ${emulatorWall.toFixed(2)} s in the emulator (of which ${serviceWait.toFixed(2)} s waiting on the service), ${cold.seconds.toFixed(2)} s in plain Node cold (${warm.seconds.toFixed(2)} s warm): ${ratio.toFixed(1)}×, ${ownRatio.toFixed(1)}× without the service's time`,
  );
  return {
    name: `addon: validate ${n(size)} partners, wall time in the emulator against the same checks in plain Node`,
    unit: "s",
    value: emulatorWall,
    baseline: cold.seconds,
    baselineName: "the core's checker over the same rows in plain Node, cold in a fresh process",
    higherIsBetter: false,
    note: `the emulator takes ${ratio.toFixed(1)}× the plain-Node time, ${ownRatio.toFixed(1)}× without the ${serviceWait.toFixed(2)} s it waited on the service (goal: at most ${EMULATOR_GOAL}×); plain Node warm, in this process after the runs before: ${warm.seconds.toFixed(2)} s (${(emulatorWall / warm.seconds).toFixed(1)}×); rows with errors: cold ${n(cold.rowsWithErrors)}, warm ${n(warm.rowsWithErrors)}`,
  };
}

async function importFigures(
  size: number,
  rows: ReturnType<typeof partnerRows>,
  host: ReturnType<typeof loadAddonFor>,
  calls: CallLog,
  latency: SplitLatency,
  proxy: Awaited<ReturnType<typeof startFaultyProxy>>,
  service: TestService,
): Promise<Figure[]> {
  const width = PARTNER_HEADERS.length;
  const chunks = Math.ceil(size / CHUNK_ROWS);
  calls.reset();
  latency.reset();
  await proxy.clear();
  const started = process.hrtime.bigint();
  // The longest sidebar call, as projected: DESIGN allows 30 s of work a call.
  let longestMs = 0;
  const drive = (name: string, ...args: unknown[]) => {
    const before = calls.projectedMs;
    const progress = call(host, name, ...args);
    longestMs = Math.max(longestMs, calls.projectedMs - before);
    return progress;
  };
  let done = drive("startImport", PARTNERS, true);
  while (done.status === "running") done = drive("continueImport");
  const wall = seconds(started);
  const requests = await proxy.requests();
  // Chunk requests: several chunks in one POST …/chunks (a PUT …/chunks/{seq} each, before).
  const puts = requests.filter((r) => r.method === "PUT" || /\/chunks(\?|$)/.test(r.path)).length;
  const sheetCalls = calls.total("SpreadsheetApp");
  const runs = calls.total("google.script.run");
  const projected = calls.projectedMs;
  if (done.status !== "completed") progress(`dry run of ${n(size)} ${done.status}: ${done.message}`);

  // The per-row approach, priced by the same model: a getValues and a fetch a row, each fetch charged
  // the service's mean time a row as measured here (generous: a request of one row costs it more).
  const perRowMs =
    PESSIMISTIC.cost("SpreadsheetApp", "Range.getValues", { cells: width }) +
    PESSIMISTIC.cost("UrlFetchApp", "fetch", { serviceMs: latency.serviceMs / size });
  const perRowCalls = Math.ceil((size * perRowMs) / SIDEBAR_CALL_MS);
  const perRowProjected =
    size * perRowMs + perRowCalls * PESSIMISTIC.cost("google.script.run", "startImport", {});

  const direct = await sendDirectly(service, rows);
  progress(
    `dry run ${n(size)}: ${sheetCalls} Spreadsheet calls, ${puts} chunk requests, ${runs} sidebar calls, ${wall.toFixed(1)} s; straight to the service ${direct.toFixed(1)} s`,
  );

  const name = `addon: import ${n(size)} partners (dry run)`;
  const perRow = "a getValues + a fetch a row";
  return [
    {
      name: `${name}: Spreadsheet calls`,
      unit: "calls",
      value: sheetCalls,
      baseline: size,
      baselineName: perRow,
      higherIsBetter: false,
      note: `budget ${2 * chunks} + a constant (2 a chunk)`,
    },
    {
      name: `${name}: chunk requests`,
      unit: "requests",
      value: puts,
      baseline: size,
      baselineName: perRow,
      higherIsBetter: false,
      note: `budget ${Math.ceil(chunks / 5)} (5 chunks a request); ${n(calls.count("UrlFetchApp.fetch"))} fetch and ${n(calls.count("UrlFetchApp.fetchAll"))} fetchAll calls, ${requests.length - puts} other requests`,
    },
    {
      name: `${name}: sidebar calls`,
      unit: "calls",
      value: runs,
      baseline: perRowCalls,
      baselineName: `${perRow}, in calls of at most 30 s`,
      higherIsBetter: false,
      note: `${done.status}; ${n(done.counts.created)} would be created, ${n(done.counts.skipped)} skipped`,
    },
    {
      name: `${name}: time projected in Sheets`,
      unit: "s",
      value: projected / 1000,
      baseline: perRowProjected / 1000,
      baselineName: `${perRow}, same model`,
      higherIsBetter: false,
      note: `${MODEL}; of which Spreadsheet calls ${(latency.sheetsMs / 1000).toFixed(1)} s, fetches ${(latency.fetchMs / 1000).toFixed(1)} s + the service's ${(latency.serviceMs / 1000).toFixed(1)} s, properties ${(latency.propertiesMs / 1000).toFixed(1)} s; the longest sidebar call ${(longestMs / 1000).toFixed(1)} s (budget 30 s)`,
    },
    {
      name: `${name}: wall time in the emulator`,
      unit: "s",
      value: wall,
      baseline: direct,
      baselineName: "the same chunks sent straight to the service with fetch",
      higherIsBetter: false,
    },
  ];
}

/** Seconds to send the rows as a dry run straight to the service's chunk API, as the add-on would. */
async function sendDirectly(service: TestService, rows: ReturnType<typeof partnerRows>): Promise<number> {
  const authorization = `Bearer ${KEYS.admin}`;
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      ...(body === undefined
        ? { headers: { authorization } }
        : { headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ id: string }>;
  };
  const wire = rows.map((cells, i) => ({
    row: i + 2,
    cells: cells.map((c) => (c instanceof Date ? c.toISOString().slice(0, 10) : c === "" ? null : c)),
  }));
  const started = process.hrtime.bigint();
  const imp = await send("POST", "/v1/imports", {
    object: "partners",
    options: { dry_run: true },
    headers: PARTNER_HEADERS,
    total_rows: rows.length,
    source: { kind: "api" },
  });
  for (let seq = 0; seq * CHUNK_ROWS < wire.length; seq++)
    await send("PUT", `/v1/imports/${imp.id}/chunks/${seq}`, {
      rows: wire.slice(seq * CHUNK_ROWS, (seq + 1) * CHUNK_ROWS),
    });
  await send("POST", `/v1/imports/${imp.id}/complete`);
  await send("GET", `/v1/imports/${imp.id}/report`);
  return seconds(started);
}

/** A CRM export's headers for PARTNER_HEADERS' columns (an alias where the object has one), then notes. */
const CRM_HEADERS = [
  "Email",
  "Partner Key",
  "First Name",
  "Last Name",
  "Joined",
  "Group",
  "Tier",
  "Tags",
  "Region",
  "Zip",
  "Notes",
] as const;
/** What a person sets in Map columns for CRM_HEADERS: each partner column its field, Notes ignored. */
const CRM_MAPPING = Object.fromEntries(CRM_HEADERS.map((header, i) => [header, PARTNER_HEADERS[i] ?? null]));
const TITLE = "Partners exported from Acme CRM";
/** One row in FIX_EVERY has its joined date as `3/18/2026` (text): a fixable cell. */
const FIX_EVERY = 10;
const JOINED = PARTNER_HEADERS.indexOf("partner_joined_date");

/** partnerRows with the joined dates as text, as a CRM export has them: ISO, or month/day/year. */
function exportedRows(size: number): CellValue[][] {
  return partnerRows(size, `mapped${size}`, BAD_EVERY).map((row, i) => {
    const joined = row[JOINED] as Date;
    const line = row.slice();
    line[JOINED] =
      i % FIX_EVERY === FIX_EVERY - 1
        ? `${joined.getUTCMonth() + 1}/${joined.getUTCDate()}/${joined.getUTCFullYear()}`
        : joined.toISOString().slice(0, 10);
    return line;
  });
}

/** One sidebar call, measured: its value, its calls as counted and priced, and its wall time. */
function measured<T>(
  host: ReturnType<typeof loadAddonFor>,
  calls: CallLog,
  latency: SplitLatency,
  work: () => T,
) {
  calls.reset();
  latency.reset();
  const executionsBefore = host.executions.length;
  const started = process.hrtime.bigint();
  const value = work();
  const wall = seconds(started);
  return {
    value,
    wall,
    sheetCalls: calls.total("SpreadsheetApp"),
    runs: calls.total("google.script.run"),
    projectedMs: calls.projectedMs,
    setValues: calls.count("SpreadsheetApp.Range.setValues"),
    setValuesMs: latency.setValuesMs,
    error: host.executions.slice(executionsBefore).find((e) => e.error)?.error,
  };
}

/**
 * Issue 12's paths on a tab exported from another tool: a title row above CRM headers, a Notes column,
 * text dates in a Joined column formatted as plain text (one row in FIX_EVERY as `3/18/2026`). The mapping
 * is saved with Save mapping, then Validate (no mapping in the choice: the saved one is used) is measured
 * beside Validate of the same rows under the template's headers on another tab of the same spreadsheet,
 * each the tab's second Validate (highlights already there). Then Fix N cells on the export, beside the
 * same fixes written a cell at a time (a getRange + a setValue each), priced with the same model.
 */
async function mappingFigures(
  size: number,
  url: string,
  executions: { name: string; trigger: string; projectedMs: number; size: number }[],
): Promise<Figure[]> {
  const rows = exportedRows(size);
  const workbook = new Workbook();
  const template = workbook.activeSheet;
  fillSheet(template, PARTNER_HEADERS, rows);
  const exported = workbook.addSheet("CRM export");
  // The title sits where fillSheet puts headers: the CRM's headers are the first of the rows under it.
  const notes = rows.map((row, i) => [...row, i % 3 === 0 ? "call back" : ""]);
  fillSheet(exported, [TITLE], [[...CRM_HEADERS], ...notes]);
  // Joined formatted as plain text, as a person does to keep `3/18/2026` as typed.
  sheetOf(workbook, template.name)
    .getRange(1, JOINED + 1, size + 1, 1)
    .setNumberFormat("@");
  sheetOf(workbook, exported.name)
    .getRange(2, JOINED + 1, size + 1, 1)
    .setNumberFormat("@");

  const latency = new SplitLatency();
  const calls = new CallLog(latency);
  const host = loadAddonFor({ url, workbook, calls });
  try {
    call(host, "loadSidebar");
    workbook.activeSheet = exported;
    const saved = measured(host, calls, latency, () =>
      call<ValidationView>(host, "saveMapping", { ...PARTNERS, mapping: CRM_MAPPING, headerRow: 2 }),
    );
    workbook.activeSheet = template;
    call(host, "validate", PARTNERS);
    const plain = measured(host, calls, latency, () => call<ValidationView>(host, "validate", PARTNERS));
    workbook.activeSheet = exported;
    const mapped = measured(host, calls, latency, () => call<ValidationView>(host, "validate", PARTNERS));
    const fix = measured(host, calls, latency, () => call<FixResult>(host, "fixCells", PARTNERS));

    const view = mapped.value;
    const expectedFixes = Math.floor(size / FIX_EVERY);
    // Figures of a Validate that did not read the tab as meant would mean nothing: say so and stop.
    const wrong = [
      !saved.value.mapping.saved && "Save mapping did not save the mapping",
      !view.mapping.saved && "Validate did not use the saved mapping",
      view.blocked && "Validate through the mapping was blocked",
      view.headerRow !== 2 && `Validate read row ${view.headerRow} as the headers, not row 2`,
      view.rows !== size && `Validate checked ${view.rows} rows, not ${size}`,
      view.errors !== plain.value.errors &&
        `Validate through the mapping found ${view.errors} errors, the template's headers ${plain.value.errors}`,
      view.fixable !== expectedFixes && `Validate listed ${view.fixable} fixable cells, not ${expectedFixes}`,
      fix.value.validation.fixable !== 0 && `Fix N cells left ${fix.value.validation.fixable} fixable cells`,
    ].filter(Boolean);
    if (wrong.length) throw new Error(`Mapped tab of ${n(size)} rows: ${wrong.join("; ")}`);

    const fixed = fix.value.fixed;
    progress(
      `validate ${n(size)} through a saved mapping: ${mapped.sheetCalls} Spreadsheet calls, ${mapped.wall.toFixed(1)} s; template headers ${plain.sheetCalls} calls, ${plain.wall.toFixed(1)} s`,
    );
    progress(
      `fix ${n(fixed)} cells on ${n(size)}: ${fix.sheetCalls} Spreadsheet calls (${fix.setValues} setValues), ${fix.wall.toFixed(1)} s${fix.error ? `, ended: ${fix.error}` : ""}`,
    );

    // The same fixes a cell at a time, priced by the same model: the same reads and checks, then a
    // getRange and a setValue for each cell instead of Fix N cells' setValues.
    const perCellMs =
      PESSIMISTIC.cost("SpreadsheetApp", "Sheet.getRange", {}) +
      PESSIMISTIC.cost("SpreadsheetApp", "Range.setValue", { cells: 1 });
    const perCellProjected = fix.projectedMs - fix.setValuesMs + fixed * perCellMs;
    const perCellExecutions = Math.ceil(perCellProjected / EXECUTION_MS);
    const perCell = "a getRange + setValue a cell";
    const withTemplate = "the same Validate of the same rows under the template's headers, no mapping";

    const validateName = `addon: validate ${n(size)} partners through a saved mapping (a title row, ${CRM_HEADERS.length} CRM columns)`;
    const fixName = `addon: Fix N cells on ${n(size)} partners through a saved mapping (${n(fixed)} text dates)`;
    return [
      {
        name: `${validateName}: Spreadsheet calls`,
        unit: "calls",
        value: mapped.sheetCalls,
        baseline: plain.sheetCalls,
        baselineName: withTemplate,
        higherIsBetter: false,
        note: `budget 8; ${n(view.errors)} errors, ${n(view.fixable)} fixable cells listed, ${n(view.highlighted)} cells highlighted; Save mapping took ${saved.sheetCalls} calls, ${saved.wall.toFixed(2)} s`,
      },
      {
        name: `${validateName}: time projected in Sheets`,
        unit: "s",
        value: mapped.projectedMs / 1000,
        baseline: plain.projectedMs / 1000,
        baselineName: withTemplate,
        higherIsBetter: false,
        note: `${mapped.runs} sidebar call (budget one execution); the tab's second Validate, as is the baseline's`,
      },
      {
        name: `${validateName}: wall time in the emulator`,
        unit: "s",
        value: mapped.wall,
        baseline: plain.wall,
        baselineName: withTemplate,
        higherIsBetter: false,
        note: `the template tab has the same rows without the title and the Notes column`,
      },
      {
        name: `${fixName}: Spreadsheet calls`,
        unit: "calls",
        value: fix.sheetCalls,
        baseline: fix.sheetCalls - fix.setValues + 2 * fixed,
        baselineName: perCell,
        higherIsBetter: false,
        note: `budget 10; ${fix.setValues} setValues`,
      },
      {
        name: `${fixName}: time projected in Sheets`,
        unit: "s",
        value: fix.projectedMs / 1000,
        baseline: perCellProjected / 1000,
        baselineName: `${perCell}, same model`,
        higherIsBetter: false,
        note: `${fix.runs} sidebar call; a cell at a time needs ${perCellExecutions} execution${perCellExecutions === 1 ? "" : "s"} of at most 6 min`,
      },
      {
        name: `${fixName}: wall time in the emulator`,
        unit: "s",
        value: fix.wall,
        baseline: mapped.wall,
        baselineName: "Validate of the same tab, same run (the same read and checks, no writes)",
        higherIsBetter: false,
        note: "Fix N cells checks the tab before and after its writes",
      },
      {
        name: `${fixName}: cells fixed`,
        unit: "cells",
        value: fixed,
        baseline: view.fixable,
        baselineName: "the fixable cells Validate listed",
        note: `${n(fix.value.skipped)} skipped; after it ${n(fix.value.validation.fixable)} fixable, ${n(fix.value.validation.errors)} errors`,
      },
    ];
  } finally {
    executions.push(...host.executions.map((e) => ({ ...e, size })));
    await host.close();
  }
}

function sizeFigures(): Figure[] {
  const kb = (file: string) => statSync(join(DIST, file)).size / 1024;
  return [
    { file: "Code.js", budget: 200 },
    { file: "Sidebar.html", budget: 150 },
  ].map(({ file, budget }) => ({
    name: `addon: dist/addon/${file}`,
    unit: "KB",
    value: kb(file),
    baseline: budget,
    baselineName: "DESIGN's budget",
    higherIsBetter: false,
    note: "built with --preview",
  }));
}

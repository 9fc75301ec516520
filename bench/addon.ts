import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { checkSheet } from "../src/addon/sheetCheck";
import { dateFormatter, objectSpec } from "../src/core";
import type { ProgramCatalogue } from "../src/core/program";
import { CallLog, type LatencyModel, PESSIMISTIC } from "../src/emulator/calls";
import { Workbook } from "../src/emulator/spreadsheet/workbook";
import { typeRows } from "../test/addon/asPerson";
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

/** DESIGN's latency model, with what it charged split out: Spreadsheet calls, and the service's own time. */
class SplitLatency implements LatencyModel {
  sheetsMs = 0;
  serviceMs = 0;

  cost(service: string, method: string, detail: { cells?: number; serviceMs?: number }): number {
    const ms = PESSIMISTIC.cost(service, method, detail);
    if (service === "SpreadsheetApp") this.sheetsMs += ms;
    if (service === "UrlFetchApp") this.serviceMs += detail.serviceMs ?? 0;
    return ms;
  }

  reset(): void {
    this.sheetsMs = 0;
    this.serviceMs = 0;
  }
}

/**
 * `npm run bench -- addon`: the bundle that ships (dist/addon) in the emulator against the real service
 * (PGlite, in a process of its own), on 10,000 and 100,000 partner rows of ten columns with bad cells:
 * validating, then a dry run of the import (no rows stored, so each size runs on the same program). For
 * each, the calls the emulator counted, the time DESIGN's latency model projects for them in Sheets and
 * the wall time here; beside each, a per-row approach priced with the same model (a getValues and a
 * setBackground a row to validate, a getValues and a fetch a row to import), or the same work done
 * without the add-on, measured in the same run. After validating, onEdit: a person types one cell (a key
 * a row far below holds) and pastes 1,000 rows. Then the longest projected time of any one execution
 * of the run, and the bundle's sizes against their budgets.
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

  // The floor: the same checks on the same values, in-process, with no sheet and no emulator.
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
      note: `latency model: 50 ms a Spreadsheet call + 2 µs a cell, 300 ms a fetch + the service's ${(latency.serviceMs / 1000).toFixed(2)} s, 700 ms a sidebar call`,
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
  const puts = requests.filter((r) => r.method === "PUT").length;
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
      note: `budget ${chunks} + a constant; ${n(calls.count("UrlFetchApp.fetchAll"))} fetchAll calls, ${requests.length - puts} other requests`,
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
      note: `of which the service's own time ${(latency.serviceMs / 1000).toFixed(1)} s, Spreadsheet calls ${(latency.sheetsMs / 1000).toFixed(1)} s; the longest sidebar call ${(longestMs / 1000).toFixed(1)} s (budget 30 s)`,
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

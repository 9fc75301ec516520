// DESIGN.md's budgets, held on the emulator's call counters with real data: the real bundle against a
// real service, the chunk requests counted at a proxy between them.
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import { cellOf } from "../../src/emulator/spreadsheet/cell";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { type FaultyProxy, startFaultyProxy } from "./faultyProxy";
import {
  call,
  fillSheet,
  loadAddonFor,
  PARTNER_HEADERS,
  partnerRows,
  startService,
  type TestService,
} from "./harness";

const PARTNERS = { object: "partners", groupKey: null, sendInvites: false };
const CHUNK_ROWS = 1000;
/** One bad email in every BAD_EVERY rows and a bad region in the row after it. */
const BAD_EVERY = 50;
const ERROR_COLOR = "#f4c7c3";

/** The call log, and the name of every call in the order it was made. */
class CallTrail extends CallLog {
  readonly names: string[] = [];

  override record(service: string, method: string, detail: { cells?: number; serviceMs?: number } = {}) {
    this.names.push(`${service}.${method}`);
    super.record(service, method, detail);
  }
}

let service: TestService;
let proxy: FaultyProxy;
const hosts: AddonHost[] = [];

beforeAll(async () => {
  service = await startService();
  proxy = await startFaultyProxy(service.url);
}, 120_000);

afterAll(async () => {
  for (const host of hosts) await host.close();
  await proxy?.close();
  await service?.stop();
});

/**
 * A spreadsheet with `n` partner rows (some bad cells), and the add-on as the sidebar finds it: after
 * loadSidebar (which caches the time zone), with its counters reset.
 */
function sidebarOn(n: number, prefix: string) {
  const workbook = new Workbook();
  const rows = partnerRows(n, prefix, BAD_EVERY);
  fillSheet(workbook.activeSheet, PARTNER_HEADERS, rows);
  const calls = new CallTrail();
  const host = loadAddonFor({ url: proxy.url, workbook, calls });
  hosts.push(host);
  call(host, "loadSidebar");
  calls.reset();
  calls.names.length = 0;
  return { workbook, rows, host, calls };
}

/** The cells planted wrong by partnerRows: an email without a domain, a region the program lacks. */
function plantedErrors(n: number): number {
  let bad = 0;
  for (let i = 0; i < n; i++) if (i % BAD_EVERY === BAD_EVERY - 1 || (i % BAD_EVERY === 0 && i > 0)) bad++;
  return bad;
}

describe("validate a sheet of any size up to 100,000 rows: at most 8 Spreadsheet calls, one execution", () => {
  test.each([1_000, 100_000])(
    "validating %i partner rows of ten columns takes at most 8 Spreadsheet calls, in one execution",
    (n) => {
      const { workbook, host, calls } = sidebarOn(n, `validate${n}`);

      const view = call(host, "validate", PARTNERS);
      expect(calls.total("SpreadsheetApp")).toBeLessThanOrEqual(8);
      expect(calls.total("google.script.run")).toBe(1);
      expect(view).toMatchObject({ rows: n, blocked: false, errors: plantedErrors(n) });
      expect(view.highlighted).toBe(plantedErrors(n));
      const coloured = workbook.activeSheet.rows.reduce(
        (sum, row) => sum + (row ?? []).filter((cell) => cellOf(cell)?.background === ERROR_COLOR).length,
        0,
      );
      expect(coloured).toBe(plantedErrors(n));

      // Validating again, with the highlights of the first pass to restore or keep, costs no more.
      calls.reset();
      expect(call(host, "validate", PARTNERS)).toMatchObject({ errors: plantedErrors(n) });
      expect(calls.total("SpreadsheetApp")).toBeLessThanOrEqual(8);
    },
    120_000,
  );
});

/** Drives an import to its end; the Spreadsheet calls of each execution, by name in order. */
function importAll(host: AddonHost, calls: CallTrail) {
  const executions: string[][] = [];
  const run = (name: string, ...args: unknown[]) => {
    const from = calls.names.length;
    const progress = call(host, name, ...args);
    executions.push(calls.names.slice(from).filter((c) => c.startsWith("SpreadsheetApp.")));
    return progress;
  };
  // Import asks first: the confirmation reads the sheet, and the import sends the rows it showed.
  const confirmed = run("reviewImport", PARTNERS).fingerprint;
  let progress = run("startImport", PARTNERS, false, confirmed);
  while (progress.status === "running") progress = run("continueImport");
  return { progress, executions };
}

describe("import N rows: at most 2 Spreadsheet calls a chunk plus a constant, a chunk request for 5 chunks of 1,000 rows", () => {
  // What does not grow with the rows: reading the sheet for the confirmation and again when the import
  // starts (5 calls each), repainting the skipped rows' cells when it ends (at most 9: its one read of
  // the sheet's values also serves the next), writing each row's outcome and key back into the sheet
  // (2: a getRange and a setValues), and the report tab (its own budget, 8).
  const CONSTANT_CALLS = 28;

  test.each([2_500, 12_345])(
    "importing %i partner rows takes at most 2 Spreadsheet calls a chunk plus a constant, and a request for 5 chunks",
    async (n) => {
      const { host, calls } = sidebarOn(n, `import${n}`);
      await proxy.clear();
      const { progress } = importAll(host, calls);
      const chunks = Math.ceil(n / CHUNK_ROWS);

      expect(calls.total("SpreadsheetApp")).toBeLessThanOrEqual(2 * chunks + CONSTANT_CALLS);
      const requests = await proxy.requests();
      // The chunks of one sidebar call (5) go in one request: 3 chunks of 2,500 rows in 1, 13 of 12,345 in 3.
      const posts = requests.filter((r) => r.seqs);
      expect(posts).toHaveLength(Math.ceil(chunks / 5));
      expect(posts.flatMap((r) => r.seqs)).toEqual(Array.from({ length: chunks }, (_, i) => i));
      expect(requests.filter((r) => r.method === "PUT")).toEqual([]);
      // The others: the catalogue (for the confirmation, and for the start), starting, completing, the report.
      expect(requests.length - posts.length).toBeLessThanOrEqual(5);
      // Chunks of at least 500 rows (the last holds what is left).
      expect(posts.slice(0, -1).every((r) => (r.rows ?? 0) >= 5 * 500)).toBe(true);
      expect(posts.reduce((sum, r) => sum + (r.rows ?? 0), 0)).toBe(n);
      expect(await service.get(`/v1/imports/${progress.importId}`)).toMatchObject({
        chunks_received: chunks,
        counts: { rows: n },
      });
      expect(progress).toMatchObject({ status: "completed", message: null, rowsSent: n });
    },
    120_000,
  );
});

describe("write the report tab: at most 8 Spreadsheet calls", () => {
  test("an import of 100,000 partner rows writes its report tab, sized to what it holds, in at most 8 Spreadsheet calls", async () => {
    const n = 100_000;
    const { workbook, host, calls } = sidebarOn(n, "report");
    const { progress, executions } = importAll(host, calls);

    // The report is written last, by the execution that finishes the import, after the import was
    // completed on the service and the skipped rows were repainted in the source sheet (with the same
    // Spreadsheet object). Nothing tells a call on the report's tab from one on the source sheet but
    // their order, so the report's calls are those from inserting the tab to the execution's end; that
    // includes making the source sheet active again, which inserting the tab (it becomes the active
    // one) is what makes necessary.
    const finishing = executions.find((names) => names.includes("SpreadsheetApp.Spreadsheet.insertSheet"));
    expect(finishing).toBeDefined();
    const names = finishing as string[];
    const inserted = names.indexOf("SpreadsheetApp.Spreadsheet.insertSheet");
    const report = names.slice(inserted);

    expect(progress).toMatchObject({ status: "completed", message: null, rowsSent: n });
    const tab = workbook.sheetByName(progress.reportSheet);
    expect(tab?.lastRow()).toBe(n + 1);
    // Any call past the eighth is over budget (a failure lists them).
    expect(report.slice(8)).toEqual([]);
    expect(report).toEqual(
      expect.arrayContaining([
        "SpreadsheetApp.Sheet.deleteColumns",
        "SpreadsheetApp.Range.setValues",
        "SpreadsheetApp.Range.setBackgrounds",
      ]),
    );
    // Its columns (source row, outcome, key, messages, the row's 10 cells as sent, a blank one and the
    // summary's two) and a line per row: no empty cells of a new tab's 26 columns are left to count.
    const width = 4 + PARTNER_HEADERS.length + 3;
    expect([tab?.maxRows, tab?.maxColumns]).toEqual([n + 1, width]);

    // A second import of the same rows writes a second report: two 100,000-row reports and their
    // source sheet fit well within a spreadsheet's 10 million cells (every cell of every tab counts).
    const again = importAll(host, calls).progress;
    expect(again).toMatchObject({
      status: "completed",
      rowsSent: n,
      counts: { updated: n - plantedErrors(n) },
    });
    expect(workbook.sheets).toHaveLength(3);
    const cells = workbook.sheets.reduce((sum, sheet) => sum + sheet.maxRows * sheet.maxColumns, 0);
    const source = workbook.sheets[0] as (typeof workbook.sheets)[number];
    expect(cells).toBe(source.maxRows * source.maxColumns + 2 * (n + 1) * width);
    expect(cells).toBeLessThan(10_000_000);
  }, 480_000);
});

describe("one import call: stops, resumable, before 5 minutes projected, whatever the network does", () => {
  test("against an importer whose every chunk times out, each call ends resumable within 5 minutes projected; once it recovers, Resume completes", async () => {
    const n = 2_500;
    const workbook = new Workbook();
    fillSheet(workbook.activeSheet, PARTNER_HEADERS, partnerRows(n, "slow"));
    // A fetch gives up here after a short wall time; the latency model charges it Apps Script's 60 s.
    const host = loadAddonFor({ url: proxy.url, workbook, urlFetchTimeoutMs: 300 });
    hosts.push(host);
    await proxy.inject({ method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "hold" } });

    const slow = "The importer is slow to answer; 0 of 2,500 rows sent. Resume import to go on.";
    const first = call(host, "startImport", PARTNERS, true);
    expect(first).toMatchObject({ status: "stopped", resumable: true, rowsSent: 0, message: slow });
    const again = call(host, "continueImport");
    expect(again).toMatchObject({ status: "stopped", resumable: true, rowsSent: 0, message: slow });
    const stalled = host.executions.slice();
    expect(stalled.map((e) => e.error ?? null)).toEqual([null, null]);
    // Each call waited on time-outs for minutes, yet stopped before 5 (Apps Script ends one at 6).
    for (const execution of stalled) {
      expect(execution.projectedMs).toBeGreaterThan(3 * 60_000);
      expect(execution.projectedMs).toBeLessThan(5 * 60_000);
    }

    await proxy.lift();
    let progress = call(host, "continueImport");
    while (progress.status === "running") progress = call(host, "continueImport");
    expect(progress).toMatchObject({ status: "completed", rowsSent: n, message: null });
    expect(host.executions.every((e) => e.projectedMs < 5 * 60_000 && e.error === undefined)).toBe(true);
  }, 240_000);
});

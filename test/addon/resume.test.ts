// An import survives a closed sidebar and a failed call (Resume import), and refuses to go on when the
// rows changed: the real bundle in the emulator, through a fault-injecting proxy, against a real service.
import type { ImportProgress, SidebarContext } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { type FaultyProxy, type ProxiedRequest, startFaultyProxy } from "./faultyProxy";
import {
  call,
  fillSheet,
  KEYS,
  loadAddonFor,
  PARTNER_HEADERS,
  partnerRows,
  startService,
  type TestService,
} from "./harness";

const PARTNERS = { object: "partners", groupKey: null, sendInvites: false };
/** More chunks than one sidebar call sends (10 of 1,000 rows), so the first call ends unfinished. */
const MANY = 11_500;
const FEW = 2_500;

let service: TestService;
let proxy: FaultyProxy;
const hosts: AddonHost[] = [];

beforeAll(async () => {
  service = await startService();
  proxy = await startFaultyProxy(service.url);
}, 120_000);

afterEach(async () => {
  await proxy.lift();
  await proxy.clear();
});

afterAll(async () => {
  for (const host of hosts) await host.close();
  await proxy?.close();
  await service?.stop();
});

interface Spreadsheet {
  workbook: Workbook;
  /** The document's properties: what a new execution of the add-on on this spreadsheet sees. */
  documentStore: Record<string, string>;
  rows: ReturnType<typeof partnerRows>;
  prefix: string;
}

/** A spreadsheet of its own with `n` partner rows (keys and emails starting with `prefix`) under row 1. */
function spreadsheetWith(n: number, prefix: string): Spreadsheet {
  const workbook = new Workbook();
  const rows = partnerRows(n, prefix);
  fillSheet(workbook.activeSheet, PARTNER_HEADERS, rows);
  return { workbook, documentStore: {}, rows, prefix };
}

/** The add-on as a sidebar that opens on the spreadsheet sees it (through the proxy): loadSidebar first. */
function openSidebar(sheet: Spreadsheet): { host: AddonHost; context: SidebarContext } {
  const host = loadAddonFor({ url: proxy.url, workbook: sheet.workbook, documentStore: sheet.documentStore });
  hosts.push(host);
  return { host, context: call<SidebarContext>(host, "loadSidebar") };
}

/** Drives continueImport as the sidebar does, until the import is no longer running. */
function continueUntilDone(host: AddonHost): ImportProgress {
  let progress = call<ImportProgress>(host, "continueImport");
  while (progress.status === "running") progress = call<ImportProgress>(host, "continueImport");
  return progress;
}

type StoredPartner = { partner_key: string; partner_email: string };

/** Every partner the service stores whose key starts with the prefix. */
async function storedPartners(prefix: string): Promise<StoredPartner[]> {
  const found: StoredPartner[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: StoredPartner[]; next_cursor: string | null } = await service.get(
      `/v1/partners?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
    );
    for (const partner of page.data) if (partner.partner_key.startsWith(`${prefix}-`)) found.push(partner);
    cursor = page.next_cursor;
  } while (cursor);
  return found;
}

/** The chunk requests (POST …/chunks, several chunks each), or those that carried chunk `seq`. */
const chunkPosts = (requests: readonly ProxiedRequest[], seq?: number) =>
  requests.filter(
    (r) =>
      r.method === "POST" && /\/chunks(\?|$)/.test(r.path) && (seq === undefined || r.seqs?.includes(seq)),
  );

/**
 * Every row of the sheet was applied exactly once: the service's counts, its chunks, its per-row
 * report and the partners it stores match the sheet's rows one for one; then the add-on finished
 * the import as the sidebar shows it, with the report tab written (its header, a line per row).
 */
async function expectAppliedOnce(sheet: Spreadsheet, progress: ImportProgress): Promise<void> {
  const n = sheet.rows.length;
  const imported = await service.get(`/v1/imports/${progress.importId}`);
  expect(imported).toMatchObject({
    status: "completed",
    counts: { rows: n, created: n, updated: 0, skipped: 0 },
    chunks_received: Math.ceil(n / 1000),
  });
  const report = await service.get<{ results: { row: number; outcome: string }[] }>(
    `/v1/imports/${progress.importId}/report`,
  );
  const reported = report.results.map((r) => r.row);
  expect(reported).toEqual(Array.from({ length: n }, (_, i) => i + 2));
  expect(new Set(report.results.map((r) => r.outcome))).toEqual(new Set(["created"]));

  const stored = await storedPartners(sheet.prefix);
  expect(stored).toHaveLength(n);
  const byKey = new Map(stored.map((p) => [p.partner_key, p.partner_email]));
  expect(byKey.size).toBe(n);
  for (const row of sheet.rows) expect(byKey.get(row[1] as string)).toBe(row[0]);

  expect(progress).toMatchObject({
    status: "completed",
    message: null,
    rowsTotal: n,
    rowsSent: n,
    chunksTotal: Math.ceil(n / 1000),
    chunksSent: Math.ceil(n / 1000),
    counts: { created: n, updated: 0, skipped: 0 },
  });
  expect(sheet.workbook.sheetByName(progress.reportSheet ?? "")?.lastRow()).toBe(n + 1);
}

describe("resume after a closed sidebar", () => {
  test("a sidebar opened later shows the unfinished import, and Resume import applies the rest once", async () => {
    const sheet = spreadsheetWith(MANY, "closed");
    const first = openSidebar(sheet);
    const started = call(first.host, "startImport", PARTNERS, false);
    expect(started).toMatchObject({ status: "running", rowsSent: 5_000, chunksSent: 5, chunksTotal: 12 });
    // The person closes the sidebar: no further call comes from that page.
    await first.host.close();

    const later = openSidebar(sheet);
    expect(later.context.activeImport).toMatchObject({
      importId: started.importId,
      status: "running",
      sheetName: "Sheet1",
      rowsTotal: MANY,
      rowsSent: 5_000,
      chunksSent: 5,
    });
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      status: "processing",
      chunks_received: 5,
    });

    const done = continueUntilDone(later.host);
    await expectAppliedOnce(sheet, done);
    // Each chunk crossed once: the resumed calls sent only the chunks not sent before.
    const posts = chunkPosts(await proxy.requests());
    expect(posts.flatMap((r) => r.seqs)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // A request for the 5 chunks of each sidebar call: 0–4, 5–9, 10–11.
    expect(posts).toHaveLength(3);
    expect(call(later.host, "loadSidebar")).toMatchObject({
      activeImport: null,
      lastReport: done.reportSheet,
    });
  }, 120_000);
});

describe("resume after a failed call", () => {
  test("chunks the service applied but whose answer was lost stop the import; Resume replays them, applied once", async () => {
    const sheet = spreadsheetWith(FEW, "lost");
    const { host } = openSidebar(sheet);
    await proxy.inject({ method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "forward-then-drop" } });

    const stopped = call(host, "startImport", PARTNERS, false);
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: 0 });
    expect(stopped.message).toMatch(/Could not reach the importer/);
    // The service has every chunk: the request came 4 times, applied the first, replayed after.
    const lost = chunkPosts(await proxy.requests());
    expect(lost).toHaveLength(4);
    expect(lost.every((r) => r.fault === "forward-then-drop" && r.seqs?.join() === "0,1,2")).toBe(true);
    const meanwhile = await service.get(`/v1/imports/${stopped.importId}`);
    expect(meanwhile).toMatchObject({ status: "processing", chunks_received: 3, counts: { rows: FEW } });
    expect(call(host, "loadSidebar").activeImport).toMatchObject({ status: "stopped", resumable: true });

    await proxy.lift();
    await proxy.clear();
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
    // Resume sent the request whose answer it had not read again, whole: the service replayed it.
    expect(chunkPosts(await proxy.requests()).map((r) => r.seqs)).toEqual([[0, 1, 2]]);
  }, 120_000);

  test("the service answering 503 for longer than the retries stops the import; Resume finishes it", async () => {
    const sheet = spreadsheetWith(FEW, "down");
    const { host } = openSidebar(sheet);
    await proxy.inject({ method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "status", status: 503 } });

    const stopped = call(host, "startImport", PARTNERS, false);
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: 0, chunksSent: 0 });
    expect(stopped.message).toMatch(/503/);
    const refused = chunkPosts(await proxy.requests());
    expect(refused).toHaveLength(4); // tried 4 times in all
    expect(refused.every((r) => r.status === 503)).toBe(true);

    await proxy.lift();
    await proxy.clear();
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
    expect(chunkPosts(await proxy.requests()).map((r) => [r.seqs, r.status])).toEqual([[[0, 1, 2], 200]]);
  }, 120_000);

  test("a chunk the service refuses stops the import naming its rows; those before it in the request stay applied", async () => {
    const sheet = spreadsheetWith(MANY, "refused");
    const { host } = openSidebar(sheet);
    const started = call<ImportProgress>(host, "startImport", PARTNERS, false);
    expect(started).toMatchObject({ status: "running", chunksSent: 5 });
    // Meanwhile a script sends chunk 6 of the import with rows of its own.
    const other = await fetch(`${service.url}/v1/imports/${started.importId}/chunks/6`, {
      method: "PUT",
      headers: { authorization: `Bearer ${KEYS.admin}`, "content-type": "application/json" },
      body: JSON.stringify({ rows: [{ row: 90_000, cells: ["x@example.com", "x-1", "North"] }] }),
    });
    expect(other.status).toBe(200);
    await proxy.clear();

    const refused = call<ImportProgress>(host, "continueImport");
    expect(refused).toMatchObject({ status: "stopped", resumable: true, rowsSent: 5_000, chunksSent: 5 });
    expect(refused.message).toMatch(
      /^Rows 6002–7001 of "Sheet1": Chunk 6 of this import was applied before with other rows/,
    );
    // One request for chunks 5–9: chunk 5 applied, chunk 6 refused, 7–9 not tried.
    expect(chunkPosts(await proxy.requests()).map((r) => [r.seqs, r.status])).toEqual([
      [[5, 6, 7, 8, 9], 409],
    ]);
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      chunks_received: 7,
      counts: { rows: 6_001 },
    });
    // Resume sends the same request again: chunk 5 replays, chunk 6 is refused the same way.
    expect(call<ImportProgress>(host, "continueImport").message).toBe(refused.message);
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({ chunks_received: 7 });
  }, 120_000);

  test("the connection closing before the service saw the request stops the import; Resume finishes it", async () => {
    const sheet = spreadsheetWith(FEW, "unreachable");
    const { host } = openSidebar(sheet);
    await proxy.inject({ method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "drop" } });

    const stopped = call(host, "startImport", PARTNERS, false);
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: 0 });
    expect(stopped.message).toMatch(/Could not reach the importer/);
    expect(await service.get(`/v1/imports/${stopped.importId}`)).toMatchObject({ chunks_received: 0 });

    await proxy.lift();
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
  }, 120_000);

  test("a failure after every chunk was sent stops the import; Resume only finishes it, sending no chunk again", async () => {
    const sheet = spreadsheetWith(FEW, "finishing");
    const { host } = openSidebar(sheet);
    await proxy.inject({ method: "POST", path: /\/complete$/, fault: { kind: "forward-then-drop" } });

    const stopped = call(host, "startImport", PARTNERS, false);
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: FEW, chunksSent: 3 });
    expect(stopped.message).toMatch(/Could not reach the importer/);

    await proxy.lift();
    await proxy.clear();
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
    expect(chunkPosts(await proxy.requests())).toHaveLength(0);
  }, 120_000);

  test("a transient 503, 429 or lost answer is retried without stopping, each chunk applied once", async () => {
    const sheet = spreadsheetWith(FEW, "busy");
    const { host } = openSidebar(sheet);
    await proxy.inject(
      { method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "status", status: 503 }, times: 2 },
      {
        method: "POST",
        path: /\/chunks(\?|$)/,
        fault: { kind: "status", status: 429, retryAfter: "1" },
        times: 1,
      },
      { method: "POST", path: /\/complete$/, fault: { kind: "forward-then-drop" }, times: 1 },
    );

    const done = call(host, "startImport", PARTNERS, false);
    await expectAppliedOnce(sheet, done);
    const requests = await proxy.requests();
    // One request for the 3 chunks, tried 4 times in all: the last went through.
    expect(chunkPosts(requests).map((r) => r.status)).toEqual([503, 503, 429, 200]);
    const completes = requests.filter((r) => r.method === "POST" && r.path.endsWith("/complete"));
    expect(completes.map((r) => r.fault)).toEqual(["forward-then-drop", null]);
  }, 120_000);
});

describe("refusal when the rows changed", () => {
  /** Starts an import of MANY rows, then changes an email in chunk 11 (rows 11002–11501), not yet sent. */
  function startThenChange(prefix: string) {
    const sheet = spreadsheetWith(MANY, prefix);
    const { host } = openSidebar(sheet);
    const started = call(host, "startImport", PARTNERS, false);
    expect(started).toMatchObject({ status: "running", chunksSent: 5 });
    expect(call(host, "continueImport")).toMatchObject({ status: "running", chunksSent: 10 });
    const row = 11_200;
    const original = sheet.rows[row - 2]?.[0] as string;
    writeRows(sheet.workbook, sheet.workbook.activeSheet, row, 1, [["someone.else@example.com"]]);
    return { sheet, host, started, row, original };
  }

  test("Resume refuses to send rows changed since the import checked them, and goes on once they are restored", async () => {
    const { sheet, host, started, row, original } = startThenChange("changed");
    await proxy.clear();

    const refused = call(host, "continueImport");
    // Resumable: the sidebar keeps Resume import for when the change is undone, as the message says.
    expect(refused).toMatchObject({ status: "stopped", resumable: true, rowsSent: 10_000, chunksSent: 10 });
    expect(refused.message).toContain('Rows 11002–11501 of "Sheet1" changed');
    // Nothing of that batch reached the service.
    expect(chunkPosts(await proxy.requests())).toHaveLength(0);
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      status: "processing",
      chunks_received: 10,
      counts: { rows: 10_000 },
    });
    // Refused again while the change stays.
    expect(call(host, "continueImport")).toMatchObject({ status: "stopped", chunksSent: 10 });

    writeRows(sheet.workbook, sheet.workbook.activeSheet, row, 1, [[original]]);
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
  }, 120_000);

  test("Cancel import after a refusal cancels it on the service and leaves no active import", async () => {
    const { host, started } = startThenChange("cancelled");
    expect(call(host, "continueImport")).toMatchObject({ status: "stopped" });

    const cancelled = call(host, "cancelImport");
    expect(cancelled).toMatchObject({ status: "cancelled", resumable: false, rowsSent: 10_000 });
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      status: "cancelled",
      counts: { rows: 10_000 },
    });
    expect(call(host, "loadSidebar").activeImport).toBeNull();
    // Nothing more is sent for a cancelled import.
    await proxy.clear();
    expect(call(host, "continueImport")).toMatchObject({ status: "cancelled" });
    expect(chunkPosts(await proxy.requests())).toHaveLength(0);
  }, 120_000);
});

describe("one import at a time", () => {
  test("starting another import while one is unfinished is refused with a message, until it is cancelled", async () => {
    const sheet = spreadsheetWith(MANY, "second");
    const { host } = openSidebar(sheet);
    const first = call(host, "startImport", PARTNERS, false);
    expect(first.status).toBe("running");
    await proxy.clear();

    const unfinished =
      'An import of Partners from "Sheet1" is not finished (5,000 of 11,500 rows sent): resume it or cancel it first.';
    expect(() => call(host, "startImport", PARTNERS, true)).toThrow(unfinished);
    // Import asks first, and already the question is refused.
    expect(() => call(host, "reviewImport", PARTNERS)).toThrow(unfinished);
    // Refused before anything reached the service, and the unfinished import is still the one shown.
    expect(await proxy.requests()).toHaveLength(0);
    expect(call(host, "loadSidebar").activeImport).toMatchObject({ importId: first.importId });

    call(host, "cancelImport");
    const dryRun = call(host, "startImport", PARTNERS, true);
    expect(dryRun).toMatchObject({ dryRun: true });
    expect(dryRun.importId).not.toBe(first.importId);
  }, 120_000);
});

describe("finishing once", () => {
  const completes = (requests: readonly ProxiedRequest[]) =>
    requests.filter((r) => r.method === "POST" && r.path.endsWith("/complete"));
  const reportGets = (requests: readonly ProxiedRequest[]) =>
    requests.filter((r) => r.method === "GET" && r.path.endsWith("/report"));
  /** The tabs an import wrote (every tab but the source sheet and the ones the test put there). */
  const reportTabs = (workbook: Workbook) =>
    workbook.sheets.map((s) => s.name).filter((name) => / import /.test(name));

  test("a complete that answers 409 import_closed (the import ended elsewhere) counts as done: the report is fetched and written once", async () => {
    const sheet = spreadsheetWith(FEW, "closedelsewhere");
    const { host } = openSidebar(sheet);
    await proxy.inject({ method: "POST", path: /\/complete$/, fault: { kind: "drop" } });
    const stopped = call<ImportProgress>(host, "startImport", PARTNERS, false);
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: FEW });

    // Meanwhile the import is ended on the service (a script, or a colleague, cancels it there).
    const cancelled = await fetch(`${service.url}/v1/imports/${stopped.importId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
    expect(cancelled.status).toBe(200);
    await proxy.lift();
    await proxy.clear();

    const done = continueUntilDone(host);
    const requests = await proxy.requests();
    expect(completes(requests).map((r) => r.status)).toEqual([409]);
    expect(reportGets(requests)).toHaveLength(1);
    expect(done).toMatchObject({ status: "cancelled", rowsSent: FEW, counts: { created: FEW } });
    expect(done.message).toMatch(/already ended this import/);
    expect(reportTabs(sheet.workbook)).toEqual([done.reportSheet]);
    expect(sheet.workbook.sheetByName(done.reportSheet ?? "")?.lastRow()).toBe(FEW + 1);
    // Nothing is left to resume, and asking again changes nothing.
    await proxy.clear();
    expect(call(host, "continueImport")).toMatchObject({ status: "cancelled" });
    expect(await proxy.requests()).toHaveLength(0);
  }, 120_000);

  test("when writing the report fails after complete succeeded, no half-made tab is left, and Resume writes it once without completing again", async () => {
    const sheet = spreadsheetWith(MANY, "fullbook");
    // Another tab fills the spreadsheet to 30,000 cells short of Google's 10 million: room for a new
    // tab, but not for the report's 11,501 lines.
    const filler = sheet.workbook.addSheet("Archive");
    const others = sheet.workbook.totalCells() - filler.maxRows * filler.maxColumns;
    filler.maxRows = Math.floor((10_000_000 - 30_000 - others) / filler.maxColumns);
    const { host } = openSidebar(sheet);

    let progress = call<ImportProgress>(host, "startImport", PARTNERS, false);
    while (progress.status === "running") progress = call<ImportProgress>(host, "continueImport");
    expect(progress).toMatchObject({ status: "stopped", resumable: true, rowsSent: MANY, reportSheet: null });
    expect(progress.message).toContain("above the limit of 10000000 cells");
    expect(await service.get(`/v1/imports/${progress.importId}`)).toMatchObject({ status: "completed" });
    expect(reportTabs(sheet.workbook)).toEqual([]);
    expect(completes(await proxy.requests())).toHaveLength(1);

    // Still no room: refused again, still no tab, and complete is not posted again.
    await proxy.clear();
    expect(call(host, "continueImport")).toMatchObject({ status: "stopped", resumable: true });
    expect(reportTabs(sheet.workbook)).toEqual([]);

    // The person makes room; Resume writes the report, once.
    sheet.workbook.removeSheet(filler);
    const done = continueUntilDone(host);
    await expectAppliedOnce(sheet, done);
    const requests = await proxy.requests();
    expect(completes(requests)).toHaveLength(0);
    expect(chunkPosts(requests)).toHaveLength(0);
    expect(reportTabs(sheet.workbook)).toEqual([done.reportSheet]);
  }, 120_000);
});

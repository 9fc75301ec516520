// Two people in one spreadsheet: one document (its properties, its locks, its clock), two users with
// their own keys. The import is held by whoever started it: the other sees who is importing what and how
// far, cannot resume, cancel or start over it, and may take it over once it has sat idle 30 minutes.
import type { ImportProgress, SidebarContext } from "../../src/addon/contract";
import { VirtualClock } from "../../src/emulator/execution";
import type { AddonHost } from "../../src/emulator/host";
import { LockTable } from "../../src/emulator/services/lock";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { type FaultyProxy, startFaultyProxy } from "./faultyProxy";
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

const PARTNERS = { object: "partners", groupKey: null, sendInvites: false, allowRepeats: false };
/** More than one call sends (10 chunks of 1,000 rows): the first call leaves the import midway. */
const ROWS = 11_500;
const MINUTE = 60_000;

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

/** One spreadsheet with partner rows, and a person (their own e-mail and key) with it open. */
function sharedSpreadsheet(prefix: string) {
  const workbook = new Workbook();
  fillSheet(workbook.activeSheet, PARTNER_HEADERS, partnerRows(ROWS, prefix));
  const documentStore: Record<string, string> = {};
  const locks = new LockTable();
  const clock = new VirtualClock();
  const person = (userEmail: string, key: string) => {
    const host = loadAddonFor({
      workbook,
      documentStore,
      locks,
      clock,
      userEmail,
      url: proxy.url,
      key,
    });
    hosts.push(host);
    return host;
  };
  return {
    workbook,
    locks,
    clock,
    ops: person("ops@demo.test", KEYS.ops),
    admin: person("admin@demo.test", KEYS.admin),
  };
}

const activeImport = (host: AddonHost) => call<SidebarContext>(host, "loadSidebar").activeImport;

describe("two people in one spreadsheet", () => {
  test("one imports; the other sees who imports what and how far, cannot resume, cancel or start another, and may take it over after 30 idle minutes", async () => {
    const { ops, admin, clock } = sharedSpreadsheet("shared");
    const started = call<ImportProgress>(ops, "startImport", PARTNERS, false);
    expect(started).toMatchObject({
      status: "running",
      rowsSent: 5_000,
      mine: true,
      startedBy: "ops@demo.test",
    });

    // Ops's sidebar offers their import to resume; admin's shows whose it is, with nothing to press.
    expect(activeImport(ops)).toMatchObject({ mine: true, holderLine: null });
    const seen = activeImport(admin);
    expect(seen).toMatchObject({
      importId: started.importId,
      mine: false,
      mayTakeOver: false,
      startedBy: "ops@demo.test",
      rowsSent: 5_000,
    });
    expect(seen?.holderLine).toContain(
      "ops@demo.test is importing Partners from “Sheet1”: 5,000 of 11,500 rows sent.",
    );

    await proxy.clear();
    const held =
      "ops@demo.test is importing Partners from “Sheet1”: 5,000 of 11,500 rows sent. Only they can";
    expect(() => call(admin, "continueImport")).toThrow(held);
    expect(() => call(admin, "cancelImport")).toThrow(held);
    // Starting another is refused with who holds what, before anything reaches the importer.
    expect(() => call(admin, "startImport", PARTNERS, true)).toThrow(
      "ops@demo.test is importing Partners from “Sheet1”: 5,000 of 11,500 rows sent. Another import can start once it has finished or been cancelled.",
    );
    expect(() => call(admin, "reviewImport", PARTNERS)).toThrow("ops@demo.test is importing Partners");
    expect(await proxy.requests()).toEqual([]);
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      status: "processing",
      chunks_received: 5,
    });

    // 29 minutes later it is still ops's.
    clock.advance(29 * MINUTE);
    expect(() => call(admin, "continueImport")).toThrow("1 more minute");
    expect(activeImport(admin)).toMatchObject({ mine: false, mayTakeOver: false });

    // After 30 idle minutes admin may take it over, and is told so; then it goes on with admin's key.
    clock.advance(2 * MINUTE);
    const idle = activeImport(admin);
    expect(idle).toMatchObject({ mine: false, mayTakeOver: true });
    expect(idle?.holderLine).toContain("It has not moved for 31 minutes: you may take it over");
    let progress = call<ImportProgress>(admin, "continueImport");
    while (progress.status === "running") progress = call<ImportProgress>(admin, "continueImport");
    expect(progress).toMatchObject({
      status: "completed",
      rowsSent: ROWS,
      mine: true,
      startedBy: "admin@demo.test",
      counts: { created: ROWS },
    });
    expect(await service.get(`/v1/imports/${started.importId}`)).toMatchObject({
      status: "completed",
      counts: { rows: ROWS, created: ROWS },
      chunks_received: 12,
    });
    // Ops's next call finds it finished; nothing is left to resume for either of them.
    expect(call(ops, "continueImport")).toMatchObject({ status: "completed" });
    expect(activeImport(ops)).toBeNull();
    expect(activeImport(admin)).toBeNull();
  }, 180_000);

  test("the taken-over owner's sidebar then sees the other person holding it", async () => {
    const { ops, admin, clock } = sharedSpreadsheet("takeover");
    // A failing importer stops ops's import midway; an hour later admin takes it over (the call fails too).
    expect(call<ImportProgress>(ops, "startImport", PARTNERS, false)).toMatchObject({ status: "running" });
    expect(call<ImportProgress>(ops, "continueImport")).toMatchObject({ status: "running" });
    await proxy.inject({ method: "POST", path: /\/chunks(\?|$)/, fault: { kind: "status", status: 503 } });
    const stopped = call<ImportProgress>(ops, "continueImport");
    expect(stopped).toMatchObject({ status: "stopped", resumable: true, rowsSent: 10_000 });
    clock.advance(60 * MINUTE);
    expect(call<ImportProgress>(admin, "continueImport")).toMatchObject({ status: "stopped", mine: true });
    await proxy.lift();

    // Now ops is the one who may not resume it.
    expect(activeImport(ops)).toMatchObject({
      mine: false,
      startedBy: "admin@demo.test",
      mayTakeOver: false,
    });
    expect(() => call(ops, "continueImport")).toThrow("admin@demo.test is importing Partners");
    let progress = call<ImportProgress>(admin, "continueImport");
    while (progress.status === "running") progress = call<ImportProgress>(admin, "continueImport");
    expect(progress).toMatchObject({ status: "completed", rowsSent: ROWS });
  }, 180_000);

  test("while another execution holds the document lock, starting an import waits a few seconds, then says so", async () => {
    const { ops, locks } = sharedSpreadsheet("locked");
    locks.holdElsewhere("document");
    await proxy.clear();
    expect(() => call(ops, "startImport", PARTNERS, false)).toThrow(
      "Someone else is changing this spreadsheet's import or highlights right now. Try again in a moment.",
    );
    expect((await proxy.requests()).filter((r) => r.method === "POST")).toEqual([]);
    locks.releaseElsewhere("document");
    expect(call<ImportProgress>(ops, "startImport", PARTNERS, true)).toMatchObject({ status: "running" });
  }, 120_000);
});

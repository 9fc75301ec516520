// onEdit after Validate: a person's edit re-checks the rows it touched and redraws their highlights,
// as a simple trigger (AuthMode.LIMITED, no URL fetch), and only in the sheet that was validated.
import type { Finding } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { LockTable } from "../../src/emulator/services/lock";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, importFirst, looks, sheetOf, typeRows } from "./asPerson";
import { call, loadAddonFor, runImport, startService, type TestService } from "./harness";

let service: TestService;
beforeAll(async () => {
  service = await startService();
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const hosts: AddonHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const partners = choiceOf("partners");

/** A partners sheet with two bad rows (3 and 4), and the add-on at hand. */
function partnersSheet(): { workbook: Workbook; host: AddonHost } {
  const workbook = new Workbook();
  writeRows(workbook, workbook.activeSheet, 1, 1, [
    ["partner_email", "partner_key", "first_name", "tier_key"],
    ["ann@example.com", "ann", "Ann", "gold"],
    ["bad-email", "bob", "Bob", "platinum"],
    ["cy@example.com", "c y", "Cy", "silver"],
  ]);
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  return { workbook, host };
}

const fetches = (host: AddonHost) =>
  host.calls.count("UrlFetchApp.fetch") + host.calls.count("UrlFetchApp.fetchAll");

describe("after Validate", () => {
  it("fixing a highlighted cell clears it and gives the cell its own look back; the row's other bad cell stays", () => {
    const { workbook, host } = partnersSheet();
    sheetOf(workbook).getRange("A3").setBackground("#00ff00").setNote("checked by Kim");
    call(host, "validate", partners);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "B4", "D3"]);

    typeRows(host, workbook, 3, 1, [["bob@example.com"]]);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["B4", "D3"]);
    const a3 = sheetOf(workbook).getRange("A3");
    expect([a3.getBackground(), a3.getNote()]).toEqual(["#00ff00", "checked by Kim"]);

    typeRows(host, workbook, 3, 4, [["gold"]]);
    typeRows(host, workbook, 4, 2, [["cy"]]);
    expect(highlights(workbook)).toEqual({});
  });

  it("breaking a good cell highlights it with the message, and a new bad row typed below is highlighted", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    typeRows(host, workbook, 2, 4, [["bronze"]]);
    expect(highlights(workbook).D2?.note).toContain(
      'tier_key "bronze" is not one of the allowed values; expected one of "silver", "gold"',
    );
    typeRows(host, workbook, 6, 1, [["", "", "Nobody"]]);
    expect(highlights(workbook).A6?.note).toContain("Fill partner_email or partner_key (at least one)");
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "A6", "B4", "D2", "D3"]);
  });

  it("a paste over several rows re-checks each of them", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    typeRows(host, workbook, 2, 1, [
      ["oops", "ann", "Ann", "gold"],
      ["bob@example.com", "bob", "Bob", "gold"],
      ["cy@example.com", "cy", "Cy", "silver"],
    ]);
    expect(Object.keys(highlights(workbook))).toEqual(["A2"]);
  });

  it("emptying a bad row clears its highlights", () => {
    const { workbook, host } = partnersSheet();
    const before = looks(workbook);
    call(host, "validate", partners);
    typeRows(host, workbook, 3, 1, [
      ["", "", "", ""],
      ["", "", "", ""],
    ]);
    expect(highlights(workbook)).toEqual({});
    const after = looks(workbook);
    expect(after.backgrounds).toEqual(before.backgrounds);
    expect(after.notes).toEqual(before.notes);
  });

  it("runs as a simple trigger: no URL fetch, only what AuthMode.LIMITED allows", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    const before = fetches(host);
    // runOnEdit runs onEdit under LIMITED, where a fetch or the user's properties would throw.
    typeRows(host, workbook, 3, 1, [["bob@example.com"]]);
    typeRows(host, workbook, 2, 1, [["broken"]]);
    expect(fetches(host)).toBe(before);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A2", "B4", "D3"]);
  });

  it("editing another cell of a row flagged as a duplicate keeps the duplicate highlighted", () => {
    const { workbook, host } = partnersSheet();
    writeRows(workbook, workbook.activeSheet, 5, 1, [["dee@example.com", "ann", "Dee", "gold"]]);
    const view = call(host, "validate", partners);
    expect(view.findings.map((f: Finding) => [f.a1, f.code])).toContainEqual(["B5", "duplicate_in_file"]);
    // The duplicate is not fixed: the service will skip the row all the same.
    typeRows(host, workbook, 5, 3, [["Deirdre"]]);
    expect(highlights(workbook).B5?.note).toContain('partner_key "ann" is also in row 2');
  });

  it("editing another cell of a row the service skipped keeps the service's reason highlighted", async () => {
    await importFirst(service, "customers", null, [
      ["email", "customer_key"],
      ["here@example.com", "cus_here"],
    ]);
    const workbook = new Workbook();
    const host = loadAddonFor({ url: service.url, workbook });
    hosts.push(host);
    const transactions = choiceOf("transactions");
    call(host, "insertTemplate", transactions);
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["cus_here", "", "1000", "", "txn_e001"],
      ["cus_ghost", "", "2000", "", "txn_e002"],
    ]);
    expect(call(host, "validate", transactions).errors).toBe(0);
    expect(runImport(host, transactions, true).counts.skipped).toBe(1);
    expect(Object.keys(highlights(workbook))).toEqual(["A3"]);
    // The customer is still missing: the row would be skipped again.
    typeRows(host, workbook, 3, 3, [["2500"]]);
    expect(highlights(workbook).A3?.note).toContain('No customer has customer_key "cus_ghost"');
  });
});

describe("duplicates, against every row of the sheet", () => {
  it("a key typed again above a row holding it flags that row below; changing it back clears the flag", () => {
    const { workbook, host } = partnersSheet();
    writeRows(workbook, workbook.activeSheet, 5, 1, [
      ["dee@example.com", "dee", "Dee", "gold"],
      ["eve@example.com", "eve", "Eve", "gold"],
    ]);
    call(host, "validate", partners);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "B4", "D3"]);

    // Row 2 now holds row 6's key: row 6, not edited, is the repeat (Validate's rule: the first row wins).
    typeRows(host, workbook, 2, 2, [["eve"]]);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "B4", "B6", "D3"]);
    expect(highlights(workbook).B6?.note).toContain('partner_key "eve" is also in row 2');

    // Typed again below as well: that row is flagged, pointing at row 2.
    typeRows(host, workbook, 7, 1, [["fay@example.com", "eve", "Fay", "gold"]]);
    expect(highlights(workbook).B7?.note).toContain('partner_key "eve" is also in row 2');

    // Row 2 gets its own key back: row 6 is the first "eve" again, and row 7 now points at row 6.
    typeRows(host, workbook, 2, 2, [["ann"]]);
    expect(highlights(workbook).B6).toBeUndefined();
    expect(highlights(workbook).B7?.note).toContain('partner_key "eve" is also in row 6');
    expect(highlights(workbook).B7?.note).not.toContain("row 2");
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "B4", "B7", "D3"]);

    // What Validate says of the sheet now is what the edits left.
    const edited = highlights(workbook);
    call(host, "validate", partners);
    expect(highlights(workbook)).toEqual(edited);
  });

  it("a paste whose emails repeat rows far below flags those rows, and only them", () => {
    const { workbook, host } = partnersSheet();
    const far = Array.from({ length: 40 }, (_, i) => [`p${i}@example.com`, `p${i}`, "P", "gold"]);
    writeRows(workbook, workbook.activeSheet, 10, 1, far);
    call(host, "validate", partners);
    const before = Object.keys(highlights(workbook)).sort();
    // Rows 20 and 45 (p10 and p35) are typed again, differently cased, at rows 5 and 6.
    typeRows(host, workbook, 5, 1, [
      ["P10@example.com", "", "Dup", ""],
      ["p35@Example.com", "", "Dup", ""],
    ]);
    const after = highlights(workbook);
    expect(after.A20?.note).toContain('partner_email "p10@example.com" is also in row 5');
    expect(after.A45?.note).toContain('partner_email "p35@example.com" is also in row 6');
    expect(Object.keys(after).sort()).toEqual([...before, "A20", "A45"].sort());
    call(host, "validate", partners);
    expect(highlights(workbook)).toEqual(after);
  });
});

describe("the document lock: onEdit and Validate change the same highlights, one at a time", () => {
  /** Locks on a clock of their own: waiting for one costs no real time. */
  function lockedSheet() {
    let now = 0;
    const locks = new LockTable({
      now: () => now,
      sleep: (ms) => {
        now += ms;
      },
    });
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, [
      ["partner_email", "partner_key"],
      ["ann@example.com", "ann"],
    ]);
    const host = loadAddonFor({ url: service.url, workbook, locks });
    hosts.push(host);
    return { workbook, host, locks, waited: () => now };
  }

  it("while Validate holds it past onEdit's wait, onEdit leaves the highlights alone", () => {
    const { workbook, host, locks, waited } = lockedSheet();
    call(host, "validate", partners);
    locks.holdElsewhere("document");
    typeRows(host, workbook, 2, 1, [["broken"]]);
    expect(highlights(workbook)).toEqual({});
    // It waited, within the 30 s a simple trigger has.
    expect(waited()).toBeGreaterThan(0);
    expect(waited()).toBeLessThan(30_000);
  });

  it("when Validate lets go in time, onEdit takes the lock and repaints", () => {
    const { workbook, host, locks } = lockedSheet();
    call(host, "validate", partners);
    locks.holdElsewhere("document", 2_000);
    typeRows(host, workbook, 2, 1, [["broken"]]);
    expect(Object.keys(highlights(workbook))).toEqual(["A2"]);
    expect(host.calls.count("LockService.Lock.tryLock")).toBeGreaterThan(0);
    expect(host.calls.count("LockService.Lock.releaseLock")).toBeGreaterThan(0);
  });
});

describe("onEdit under AuthMode.NONE (the add-on installed, not yet used in this spreadsheet)", () => {
  it("returns at once: no document properties (NONE refuses them), no Spreadsheet call, nothing painted", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    const before = looks(workbook);
    host.calls.reset();
    const block = writeRows(workbook, workbook.activeSheet, 2, 1, [["broken"]]);
    // The host runs onEdit under NONE: any refused service throws, and the test with it.
    expect(host.runOnEdit({ sheetId: workbook.activeSheet.sheetId, ...block }, "NONE")).toBe(true);
    expect(host.calls.total("PropertiesService")).toBe(0);
    expect(host.calls.total("LockService")).toBe(0);
    // The event's own range and source are built by Sheets (the host) before onEdit runs: 3 calls.
    expect(host.calls.total("SpreadsheetApp")).toBeLessThanOrEqual(3);
    expect(looks(workbook)).toEqual(before);
  });
});

describe("onEdit does nothing", () => {
  it("before any Validate", () => {
    const { workbook, host } = partnersSheet();
    const before = looks(workbook);
    typeRows(host, workbook, 2, 1, [["broken"]]);
    typeRows(host, workbook, 3, 1, [["still-bad"]]);
    const after = looks(workbook);
    expect(after).toEqual(before);
    expect(host.options.stores.document).toEqual({});
  });

  it("after Clear highlights", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    call(host, "clearHighlights");
    typeRows(host, workbook, 2, 1, [["broken"]]);
    expect(highlights(workbook)).toEqual({});
  });

  it("on a sheet other than the one validated", () => {
    const { workbook, host } = partnersSheet();
    call(host, "validate", partners);
    const validated = looks(workbook, "Sheet1");
    const other = workbook.addSheet("Notes");
    workbook.activeSheet = other;
    writeRows(workbook, other, 1, 1, [
      ["partner_email", "partner_key"],
      ["ok@example.com", "ok"],
    ]);
    const before = looks(workbook, "Notes");
    typeRows(host, workbook, 2, 1, [["broken"]]);
    expect(looks(workbook, "Notes")).toEqual(before);
    expect(looks(workbook, "Sheet1")).toEqual(validated);
  });
});

// The report tab an import writes: values that look like formulas or numbers stay text, the rows the
// service skipped are highlighted in the source sheet with its reasons, and Open report goes to the tab.
import type { Finding } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, importFirst, sheetOf } from "./asPerson";
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

/** A sheet with the object's template headers and rows typed below them, and the add-on at hand. */
function templateSheet(choice: ReturnType<typeof choiceOf>, rows: string[][]) {
  const workbook = new Workbook();
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  call(host, "insertTemplate", choice);
  writeRows(workbook, workbook.activeSheet, 2, 1, rows);
  return { workbook, host };
}

/** The report's table (columns A–D) below its header. */
function reportLines(workbook: Workbook, name: string) {
  const sheet = sheetOf(workbook, name);
  const rows = sheet.getLastRow() - 1;
  return {
    values: sheet
      .getRange(2, 1, rows, 4)
      .getValues()
      .filter((line) => line[0] !== ""),
    formulas: sheet.getRange(1, 1, sheet.getLastRow(), sheet.getLastColumn()).getFormulas(),
  };
}

describe("values that look like formulas", () => {
  it("partner keys like =HYPERLINK(…), +1, -2, @x, 1,000, $12.50 and 50% are text in the report, never formulas or numbers", async () => {
    const keys = ['=HYPERLINK("http://x")', "+1", "-2", "@x", "007", "1,000", "$12.50", "50%", "02134"];
    const { workbook, host } = templateSheet(
      choiceOf("partners"),
      keys.map((key, i) => [`f${i}@example.com`, key, '\'=HYPERLINK("http://y")']),
    );
    const done = runImport(host, choiceOf("partners"), false);
    expect(done.counts).toEqual({ created: keys.length, updated: 0, skipped: 0, repeats: 0 });
    for (const key of keys)
      expect(await service.get(`/v1/partners?key=${encodeURIComponent(key)}`)).toMatchObject({
        data: [{ partner_key: key }],
      });

    const report = reportLines(workbook, done.reportSheet);
    expect(report.formulas.flat().filter((f) => f !== "")).toEqual([]);
    expect(report.values.map((line) => line[2])).toEqual(keys);
  });

  it("keys Sheets would read as something else (a leading apostrophe, .5) appear in the report as stored", async () => {
    const keys = ["'quoted", ".5"];
    const { workbook, host } = templateSheet(
      choiceOf("partners"),
      keys.map((key, i) => [`g${i}@example.com`, key]),
    );
    const done = runImport(host, choiceOf("partners"), false);
    expect(done.counts.created).toBe(2);
    for (const key of keys)
      expect(await service.get(`/v1/partners?key=${encodeURIComponent(key)}`)).toMatchObject({
        data: [{ partner_key: key }],
      });
    expect(reportLines(workbook, done.reportSheet).values.map((line) => line[2])).toEqual(keys);
  });
});

describe("rows the service skipped", () => {
  const transactions = choiceOf("transactions");
  beforeAll(async () => {
    await importFirst(service, "customers", null, [
      ["email", "customer_key"],
      ["here@example.com", "cus_here"],
    ]);
  });

  it("are highlighted in the source sheet with the service's reasons, after a dry run and after the import", async () => {
    const { workbook, host } = templateSheet(transactions, [
      ["cus_here", "", "1000", "", "txn_r001"],
      ["cus_ghost", "", "2000", "", "txn_r002"],
      ["", "ghost@example.com", "3000", "", "txn_r003"],
    ]);
    expect(call(host, "validate", transactions).errors).toBe(0);
    expect(highlights(workbook)).toEqual({});

    for (const dryRun of [true, false]) {
      const done = runImport(host, transactions, dryRun);
      expect(done.counts).toEqual({ created: 1, updated: 0, skipped: 2, repeats: 0 });
      expect(done.skippedFindings.map((f: Finding) => [f.a1, f.code, f.severity])).toEqual([
        ["A3", "customer_not_found", "error"],
        ["B4", "customer_not_found", "error"],
      ]);
      const shown = highlights(workbook, "Sheet1");
      expect(Object.keys(shown).sort()).toEqual(["A3", "B4"]);
      expect(shown.A3?.note).toContain('No customer has customer_key "cus_ghost"');
      expect(shown.B4?.note).toContain('No customer has customer_email "ghost@example.com"');
    }

    // Clear highlights takes them away like any other.
    call(host, "clearHighlights");
    expect(highlights(workbook, "Sheet1")).toEqual({});
  });

  it("are listed in the report with the service's reasons, the outcomes coloured apart", async () => {
    const { workbook, host } = templateSheet(transactions, [
      ["cus_here", "", "1000", "", "txn_r101"],
      ["cus_ghost", "", "2000", "", "txn_r102"],
    ]);
    const done = runImport(host, transactions, false);
    const sheet = sheetOf(workbook, done.reportSheet);
    // The skipped row first, known by its own key.
    expect(sheet.getRange(2, 1, 2, 4).getValues()).toEqual([
      [
        3,
        "skipped",
        "txn_r102",
        'error: No customer has customer_key "cus_ghost"; expected the key of an existing customer (import customers before their transactions)',
      ],
      [2, "created", "txn_r101", ""],
    ]);
    const [skipped, created] = sheet.getRange(2, 2, 2, 1).getBackgrounds().flat();
    expect(new Set([created, skipped, "#ffffff"]).size).toBe(3);
  });
});

describe("Open report", () => {
  it("is null before any import, then goes to the last report tab", () => {
    const { workbook, host } = templateSheet(choiceOf("customers"), [["open@example.com", "cus_open"]]);
    expect(call(host, "openReport")).toBeNull();
    const done = runImport(host, choiceOf("customers"), false);
    workbook.activeSheet = workbook.sheets[0] ?? workbook.activeSheet;
    expect(workbook.activeSheet.name).toBe("Sheet1");

    expect(call(host, "openReport")).toBe(done.reportSheet);
    expect(workbook.activeSheet.name).toBe(done.reportSheet);
    expect(call(host, "loadSidebar").lastReport).toBe(done.reportSheet);
  });

  it("says so when the report tab was deleted", () => {
    const { workbook, host } = templateSheet(choiceOf("customers"), [["gone@example.com", "cus_gone"]]);
    const done = runImport(host, choiceOf("customers"), false);
    const tab = workbook.sheetByName(done.reportSheet);
    if (tab) workbook.removeSheet(tab);
    expect(() => call(host, "openReport")).toThrow(
      `The report tab "${done.reportSheet}" is no longer in this spreadsheet.`,
    );
  });

  it("a dry run writes no report tab", () => {
    const { workbook, host } = templateSheet(choiceOf("customers"), [["dry@example.com", "cus_dry"]]);
    const done = runImport(host, choiceOf("customers"), true);
    expect(done.reportSheet).toBeNull();
    expect(workbook.sheets.map((s) => s.name)).toEqual(["Sheet1"]);
    expect(call(host, "openReport")).toBeNull();
  });
});

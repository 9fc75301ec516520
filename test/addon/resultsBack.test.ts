// Results back in the sheet and re-importing what failed: after an import the source sheet says each
// row's outcome and key (Import status, Imported key) within a call budget, later checks and imports
// leave those columns alone, Write keys back fills blank key cells of created rows, Import skipped rows
// sends only the rows still marked skipped, and the report and Copy skipped rows put the skipped rows
// where a person fixes them. The real bundle, against a real service (on PGlite and on PostgreSQL) behind a recording proxy.
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, importFirst, sheetOf } from "./asPerson";
import { type FaultyProxy, type ProxiedRequest, startFaultyProxy } from "./faultyProxy";
import { call, engines, fillSheet, loadAddonFor, runImport, startService, type TestService } from "./harness";

/** The call log, and the name of every call in the order it was made. */
class CallTrail extends CallLog {
  readonly names: string[] = [];

  override record(service: string, method: string, detail: { cells?: number; serviceMs?: number } = {}) {
    this.names.push(`${service}.${method}`);
    super.record(service, method, detail);
  }
}

describe.each(engines())("results back and skipped rows (%s)", (engine) => {
  let service: TestService;
  let proxy: FaultyProxy;
  const hosts: AddonHost[] = [];

  beforeAll(async () => {
    service = await startService(engine);
    proxy = await startFaultyProxy(service.url);
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key"],
      ["upd@example.com", "rb-upd"],
      ["upd2@example.com", "rb-upd2"],
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const host of hosts) await host.close();
    await proxy?.close();
    await service?.stop();
  });

  const HEADERS = ["partner_email", "partner_key", "first_name", "region"];
  const STATUS = /^(created|updated|skipped) \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

  /**
   * A partner sheet: row 2 created (its own key), 3 created (no key), 4 blank, 5 skipped (bad email, its
   * own key), 6 skipped (a region the program lacks, no key), 7 updated, 8 created (no key). `tag` keeps
   * each test's partners apart.
   */
  function partnerSheet(tag: string) {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, [
      HEADERS,
      [`${tag}1@example.com`, `${tag}-own`, "Ada", "EMEA"],
      [`${tag}2@example.com`, "", "Bryn", "AMER"],
      ["", "", "", ""],
      [`${tag}-bad-email`, `${tag}-bad`, "Chen", "EMEA"],
      [`${tag}4@example.com`, "", "Dana", "Mars"],
      ["upd@example.com", "rb-upd", `Emeka ${tag}`, "APAC"],
      [`${tag}6@example.com`, "", "Femi", "APAC"],
    ]);
    const calls = new CallTrail();
    const host = loadAddonFor({ url: proxy.url, workbook, calls });
    hosts.push(host);
    call(host, "loadSidebar");
    return { workbook, host, calls };
  }

  /** The sheet's cells as values, rows 1 to `rows`, columns 1 to `columns`. */
  function cells(workbook: Workbook, rows: number, columns: number, name?: string): unknown[][] {
    return sheetOf(workbook, name).getRange(1, 1, rows, columns).getValues();
  }

  /** The Spreadsheet calls of the execution that finished the import, by name in order. */
  function finishingCalls(calls: CallTrail, from: number): string[] {
    return calls.names.slice(from).filter((c) => c.startsWith("SpreadsheetApp."));
  }

  /**
   * The calls that wrote the results back: those after the repaint of the source sheet (its one read of
   * the data range's values, backgrounds and notes, and its writes of backgrounds and notes) and before
   * the report tab is inserted.
   */
  function resultCalls(names: string[]): string[] {
    const from = names.indexOf("SpreadsheetApp.Range.getNotes") + 1;
    const to = names.indexOf("SpreadsheetApp.Spreadsheet.insertSheet");
    return names
      .slice(from, to)
      .filter((c) => c !== "SpreadsheetApp.Range.setBackgrounds" && c !== "SpreadsheetApp.Range.setNotes");
  }

  async function requestsSince(): Promise<ProxiedRequest[]> {
    return proxy.requests();
  }

  describe("results back in the sheet", () => {
    test("after an import, each row's outcome and when, and its key, go into Import status and Imported key in 2 Spreadsheet calls", async () => {
      const { workbook, host, calls } = partnerSheet("rb");
      const from = calls.names.length;
      const done = runImport(host, choiceOf("partners"));
      expect(done.counts).toEqual({ created: 3, updated: 1, skipped: 2, repeats: 0 });

      const names = finishingCalls(calls, from);
      expect(resultCalls(names)).toEqual(["SpreadsheetApp.Sheet.getRange", "SpreadsheetApp.Range.setValues"]);

      const sheet = cells(workbook, 8, 6);
      expect(sheet[0]).toEqual([...HEADERS, "Import status", "Imported key"]);
      const status = sheet.slice(1).map((line) => line[4]);
      const keys = sheet.slice(1).map((line) => line[5]);
      expect(status.map((s) => String(s).split(" ")[0])).toEqual([
        "created",
        "created",
        "",
        "skipped",
        "skipped",
        "updated",
        "created",
      ]);
      for (const s of status) if (s !== "") expect(s).toMatch(STATUS);
      // Created and updated rows: the importer's key; a skipped row: its own key cell, if it has one.
      expect(keys[0]).toBe("rb-own");
      expect(keys[1]).toMatch(/^rb2-[0-9a-f]{6}$/);
      expect(keys.slice(2, 6)).toEqual(["", "rb-bad", "", "rb-upd"]);
      expect(keys[6]).toMatch(/^rb6-[0-9a-f]{6}$/);
      // Without Write keys back, the key cells stay as they were.
      expect(sheet.slice(1).map((line) => line[1])).toEqual(["rb-own", "", "", "rb-bad", "", "rb-upd", ""]);

      // The import's budget holds: 2 calls a chunk plus the constant budgets.test.ts allows (28).
      expect(names.length).toBeLessThanOrEqual(2 * 1 + 28);
    }, 60_000);

    test("Validate, Map columns and a second import leave the results columns alone; a blank row's cells stay as they are", async () => {
      const { workbook, host } = partnerSheet("rv");
      const choice = choiceOf("partners");
      const first = call(host, "validate", choice);
      runImport(host, choice);

      const view = call(host, "validate", choice);
      expect(view.headerAlerts).toEqual([]);
      expect(view.blocked).toBe(false);
      expect([view.rows, view.errors, view.highlighted]).toEqual([
        first.rows,
        first.errors,
        first.highlighted,
      ]);
      expect(view.mapping.columns.map((c: { header: string }) => c.header)).toEqual(HEADERS);
      expect(view.mapping.matches).toBe(true);

      // A person's note in the blank row's status cell, and in a row the import sends.
      writeRows(workbook, workbook.activeSheet, 4, 5, [["left as it is"]]);
      await proxy.clear();
      const again = runImport(host, choice);
      expect(again.counts).toEqual({ created: 0, updated: 4, skipped: 2, repeats: 0 });
      const requests = await requestsSince();
      const start = requests.find((r) => r.start);
      expect(start?.start?.headers).toEqual(HEADERS);
      expect(start?.start?.retry_of).toBeUndefined();
      const chunks = requests.filter((r) => r.rowNumbers);
      expect(chunks.map((r) => [r.rowNumbers, r.cells])).toEqual([[[2, 3, 5, 6, 7, 8], 4]]);

      const sheet = cells(workbook, 8, 7);
      // Reused, not added again: the sheet is still 6 columns wide.
      expect(sheet[0]).toEqual([...HEADERS, "Import status", "Imported key", ""]);
      expect(sheet[3]?.slice(4)).toEqual(["left as it is", "", ""]);
      expect(sheet.slice(1).map((line) => String(line[4]).split(" ")[0])).toEqual([
        "updated",
        "updated",
        "left",
        "skipped",
        "skipped",
        "updated",
        "updated",
      ]);
    }, 60_000);

    test("a CSV of the sheet, results columns and all, uploaded to the REST API imports without an unknown header", async () => {
      const csv = [
        "partner_email,partner_key,Import status,Imported key",
        "csv1@example.com,rb-csv1,skipped 2026-12-02 10:31,rb-csv1",
      ].join("\n");
      const response = await fetch(`${service.url}/v1/import/partners`, {
        method: "POST",
        headers: { authorization: "Bearer addon-test-admin-key-0001", "content-type": "text/csv" },
        body: csv,
      });
      expect(response.status).toBeLessThan(300);
      const resource = await response.json();
      expect(resource.header_alerts).toEqual([]);
      let imp = resource;
      for (let i = 0; i < 100 && imp.status !== "completed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        imp = await service.get(`/v1/imports/${resource.id}`);
      }
      expect(imp.counts).toMatchObject({ rows: 1, created: 1 });
    }, 60_000);
  });

  describe("Write keys back", () => {
    test("fills the blank key cells of created rows only, and the next import updates those rows", async () => {
      const { workbook, host, calls } = partnerSheet("wk");
      const choice = { ...choiceOf("partners"), writeKeys: true };
      const from = calls.names.length;
      const done = runImport(host, choice);
      expect(done.counts).toEqual({ created: 3, updated: 1, skipped: 2, repeats: 0 });

      // Results: a getRange and a setValues. Keys: a getRange and a setValues of the key column from the
      // first key written (row 3) to the last (row 8), and a getFormulas, as cells between hold keys of
      // their own (rows 5 and 7) that are written back as they were. No number formats are read: no key
      // there is a string Sheets would read as something else.
      expect(resultCalls(finishingCalls(calls, from))).toEqual([
        "SpreadsheetApp.Sheet.getRange",
        "SpreadsheetApp.Range.setValues",
        "SpreadsheetApp.Sheet.getRange",
        "SpreadsheetApp.Range.getFormulas",
        "SpreadsheetApp.Range.setValues",
      ]);
      const sheet = cells(workbook, 8, 6);
      const keyCells = sheet.slice(1).map((line) => line[1]);
      const imported = sheet.slice(1).map((line) => line[5]);
      expect(keyCells[0]).toBe("wk-own");
      expect(keyCells[1]).toBe(imported[1]);
      expect(keyCells[1]).toMatch(/^wk2-[0-9a-f]{6}$/);
      // The blank row, the skipped rows (one with a key, one without) and the updated row keep theirs.
      expect(keyCells.slice(2, 6)).toEqual(["", "wk-bad", "", "rb-upd"]);
      expect(keyCells[6]).toBe(imported[6]);
      const stored = await service.get(`/v1/partners?key=${encodeURIComponent(String(keyCells[1]))}`);
      expect(stored.data).toEqual([expect.objectContaining({ partner_email: "wk2@example.com" })]);

      // The confirmation and the import read the same rows: the keys written do not refuse the next one.
      const again = runImport(host, choice);
      expect(again).toMatchObject({ status: "completed", message: null });
      expect(again.counts).toEqual({ created: 0, updated: 4, skipped: 2, repeats: 0 });
    }, 60_000);

    test("is remembered with the choice, and refused quietly for objects without a key to fill", () => {
      const { host } = partnerSheet("wr");
      call(host, "validate", { ...choiceOf("partners"), writeKeys: true });
      expect(call(host, "loadSidebar").choice).toMatchObject({ object: "partners", writeKeys: true });
      call(host, "validate", { ...choiceOf("partners") });
      expect(call(host, "loadSidebar").choice.writeKeys).toBeUndefined();
      const catalogue = call(host, "loadCatalogue");
      const keyed = Object.fromEntries(
        catalogue.objects.map((o: { object: string; keyWrittenBack: string | null }) => [
          o.object,
          o.keyWrittenBack,
        ]),
      );
      expect(keyed).toEqual({
        partners: "partner_key",
        customers: "customer_key",
        transactions: "key",
        rewards: null,
        leads: null,
        deals: null,
      });
    });
  });

  describe("Import skipped rows", () => {
    test("after fixing, sends only the rows whose Import status says skipped, linked to the import that skipped them", async () => {
      const { workbook, host } = partnerSheet("rs");
      const choice = choiceOf("partners");
      const first = runImport(host, choice);
      expect(first.counts.skipped).toBe(2);
      expect(call(host, "loadSidebar").skippedRows).toEqual({
        sheetId: workbook.activeSheet.sheetId,
        rows: 2,
      });
      const before = cells(workbook, 8, 6);

      // The person fixes the two skipped rows.
      writeRows(workbook, workbook.activeSheet, 5, 1, [["rs3@example.com"]]);
      writeRows(workbook, workbook.activeSheet, 6, 4, [["EMEA"]]);
      await proxy.clear();
      let progress = call(host, "importSkippedRows", choice);
      while (progress.status === "running") progress = call(host, "continueImport");
      expect(progress).toMatchObject({ status: "completed", skippedOnly: true, retryOf: first.importId });
      expect(progress.counts).toEqual({ created: 2, updated: 0, skipped: 0, repeats: 0 });

      const requests = await requestsSince();
      expect(requests.find((r) => r.start)?.start?.retry_of).toBe(first.importId);
      expect(requests.filter((r) => r.rowNumbers).flatMap((r) => r.rowNumbers)).toEqual([5, 6]);
      const report = await service.get(`/v1/imports/${progress.importId}/report`);
      expect(report.results.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
        [5, "created"],
        [6, "created"],
      ]);
      expect(report.import.counts).toMatchObject({ rows: 2, created: 2, skipped: 0 });
      // The importer links it to the import whose skipped rows it imports again.
      expect(report.import.retry_of).toBe(first.importId);

      // The two rows' status cells say anew; the others keep theirs.
      const after = cells(workbook, 8, 6);
      expect(after.map((line) => line.slice(4))).toEqual(
        before.map((line, i) =>
          i === 4 || i === 5 ? [expect.stringMatching(/^created /), expect.any(String)] : line.slice(4),
        ),
      );
      expect(after[4]?.[5]).toBe("rs-bad");
      expect(after[5]?.[5]).toMatch(/^rs4-[0-9a-f]{6}$/);
      expect(call(host, "loadSidebar").skippedRows).toBeNull();

      // Nothing left to import again: said so, and nothing is sent.
      expect(() => call(host, "importSkippedRows", choice)).toThrow(
        'No row of "Sheet1" says skipped in its Import status column: there is nothing to import again.',
      );
    }, 60_000);

    test("refuses a sheet with no Import status column, and another object than the one imported", () => {
      const { host } = partnerSheet("rn");
      expect(() => call(host, "importSkippedRows", choiceOf("partners"))).toThrow(
        '"Sheet1" has no Import status column: import it first, and Import skipped rows then sends the rows the importer skipped.',
      );
      runImport(host, choiceOf("partners"));
      expect(() => call(host, "importSkippedRows", choiceOf("customers"))).toThrow(/choose Partners/);
    }, 60_000);
  });

  describe("the report tab", () => {
    test("lists the skipped rows first, each line with the row's cells as sent and its key", () => {
      const { workbook, host } = partnerSheet("rt");
      const done = runImport(host, choiceOf("partners"));
      const tab = sheetOf(workbook, done.reportSheet);
      const width = 4 + HEADERS.length;
      const table = tab.getRange(1, 1, 7, width).getValues();
      expect(table[0]).toEqual(["Source row", "Outcome", "Key", "Messages", ...HEADERS]);
      expect(table.slice(1).map((line) => [line[0], line[1], line[2]])).toEqual([
        [5, "skipped", "rt-bad"],
        [6, "skipped", ""],
        [2, "created", "rt-own"],
        [3, "created", expect.stringMatching(/^rt2-/)],
        [7, "updated", "rb-upd"],
        [8, "created", expect.stringMatching(/^rt6-/)],
      ]);
      expect(table[1]?.slice(4)).toEqual(["rt-bad-email", "rt-bad", "Chen", "EMEA"]);
      expect(table[2]?.slice(4)).toEqual(["rt4@example.com", "", "Dana", "Mars"]);
      expect(String(table[1]?.[3])).toMatch(/^error: .*rt-bad-email/);
      // An updated row's messages say each field it changed, stored → new.
      expect(table[5]?.[3]).toMatch(/^first_name changed: was "Emeka \w+" → now "Emeka rt"$/);
      // Sized to what it holds: the table, a blank column, the summary's two.
      expect([tab.getMaxRows(), tab.getMaxColumns()]).toEqual([12, width + 3]);
      expect(tab.getRange(1, width + 2).getValue()).toBe("Import");
    }, 60_000);
  });

  describe("Copy skipped rows to a new tab", () => {
    test("makes a tab of the header row and the skipped rows, ready to fix and import", () => {
      const { workbook, host } = partnerSheet("cp");
      runImport(host, choiceOf("partners"));
      const copy = call(host, "copySkippedRows");
      expect(copy).toEqual({ sheetName: "Sheet1 skipped rows", rows: 2 });
      const tab = sheetOf(workbook, copy.sheetName);
      expect([tab.getMaxRows(), tab.getMaxColumns()]).toEqual([3, 4]);
      expect(tab.getRange(1, 1, 3, 4).getValues()).toEqual([
        HEADERS,
        ["cp-bad-email", "cp-bad", "Chen", "EMEA"],
        ["cp4@example.com", "", "Dana", "Mars"],
      ]);
      expect(tab.getFrozenRows()).toBe(1);
    }, 60_000);

    test("takes the same Spreadsheet calls for 2 skipped rows as for 5,000, and keeps text keys as text", () => {
      const counted = (skipped: number) => {
        const workbook = new Workbook();
        const rows = Array.from({ length: 6000 }, (_, i) => [
          `c${i}@example.com`,
          `00${i}`,
          "Ada",
          i < skipped ? "skipped 2026-12-02 10:31" : "created 2026-12-02 10:31",
          `00${i}`,
        ]);
        fillSheet(
          workbook.activeSheet,
          ["partner_email", "partner_key", "first_name", "Import status", "Imported key"],
          rows,
        );
        const calls = new CallLog();
        const host = loadAddonFor({ url: proxy.url, workbook, calls });
        hosts.push(host);
        const copy = call(host, "copySkippedRows");
        expect(copy.rows).toBe(skipped);
        const tab = sheetOf(workbook, copy.sheetName);
        expect([tab.getMaxRows(), tab.getMaxColumns()]).toEqual([skipped + 1, 3]);
        expect(tab.getRange(2, 2).getValue()).toBe("000");
        return calls.total("SpreadsheetApp");
      };
      const few = counted(2);
      expect(counted(5000)).toBe(few);
      expect(few).toBeLessThanOrEqual(14);
    });
  });
});

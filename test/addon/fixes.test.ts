// Fix N cells: cells in a common form of a value (a text date, an email in capitals, `Approved`, `yes`)
// are listed by Validate as fixable warnings with before → after and never painted; fixCells rewrites
// exactly those cells, in one setValues when it can, and leaves every other cell as it was. The real
// bundle in the emulator, against a real service.
import type { FixResult, FixView, ValidationView } from "../../src/addon/contract";
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, sheetOf, typeRows } from "./asPerson";
import { call, loadAddonFor, startService, type TestService } from "./harness";

let service: TestService;
beforeAll(async () => {
  service = await startService();
}, 120_000);
afterAll(async () => {
  await service?.stop();
});

const hosts: AddonHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

/** The call log, and the name of every call in the order it was made. */
class CallTrail extends CallLog {
  readonly names: string[] = [];

  override record(service: string, method: string, detail: { cells?: number; serviceMs?: number } = {}) {
    this.names.push(`${service}.${method}`);
    super.record(service, method, detail);
  }
}

const rewards = choiceOf("rewards");

/**
 * A rewards tab as a person typed it: columns formatted as plain text first where `plainText` says
 * (so `3/18/2026` and `02134` stay text), then the rows typed in; a formula put in each cell `formulas`
 * names. The add-on at hand, its calls counted from after loadSidebar.
 */
function tabWith(rows: string[][], plainText: string[], formulas: Record<string, string> = {}) {
  const workbook = new Workbook();
  const sheet = sheetOf(workbook);
  for (const column of plainText) sheet.getRange(`${column}1:${column}100`).setNumberFormat("@");
  writeRows(workbook, workbook.activeSheet, 1, 1, rows);
  for (const [cell, formula] of Object.entries(formulas)) sheet.getRange(cell).setFormula(formula);
  const calls = new CallTrail();
  const host = loadAddonFor({ url: service.url, workbook, calls });
  hosts.push(host);
  call(host, "loadSidebar");
  calls.reset();
  calls.names.length = 0;
  return { workbook, host, calls };
}

/** Every cell of the active tab as stored (value, formula, format, note…), by A1 address. */
function cells(workbook: Workbook): Record<string, string> {
  const found: Record<string, string> = {};
  workbook.activeSheet.rows.forEach((line, i) => {
    (line ?? []).forEach((cell, j) => {
      if (cell) found[`${String.fromCharCode(65 + j)}${i + 1}`] = JSON.stringify(cell);
    });
  });
  return found;
}

/** The cells that differ between two looks at a tab. */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

const fixList = (fixes: FixView[]) => fixes.map((f) => [f.a1, f.field, f.from, f.to]);

const HEADERS = [
  "partner_email",
  "amount_in_cents",
  "status",
  "decline_reason",
  "is_external",
  "created_at",
  "body",
  "key",
];
/** created_at (F) and key (H) are formatted as plain text; decline_reason (D) holds formulas. */
const PLAIN_TEXT = ["F", "H"];
const FORMULAS = { D2: '=IF(C2="declined","late","")', D3: '=""', D4: '=""', D5: '=""' };
/** Rows a person typed, with cells in common forms of their values, and one real error (A5). */
const ROWS = [
  ["Ada@Example.COM", "1000", "Approved", "", "yes", "3/18/2026", "Bonus", "02134"],
  ["mailto:bryn@example.com", "2500", "pending", "", "no", "2026-03-01", "Launch", "02135"],
  ["chen@example.com", "$12.50", "paid", "", "TRUE", "March 18, 2026", "Referral", "02136"],
  ["not-an-email", "700", "Paid", "", "", "18.03.2026", "Late", "02137"],
];
/** Validate's fixes for ROWS, in sheet order: where, which field, before → after. */
const FIXES = [
  ["A2", "partner_email", "Ada@Example.COM", "ada@example.com"],
  ["C2", "status", "Approved", "approved"],
  ["E2", "is_external", "yes", "true"],
  ["F2", "created_at", "3/18/2026", "2026-03-18"],
  ["A3", "partner_email", "mailto:bryn@example.com", "bryn@example.com"],
  ["E3", "is_external", "no", "false"],
  ["B4", "amount_in_cents", "12.5", "1250"],
  ["F4", "created_at", "March 18, 2026", "2026-03-18"],
  ["C5", "status", "Paid", "paid"],
  ["F5", "created_at", "18.03.2026", "2026-03-18"],
];

describe("Validate", () => {
  test("lists each cell in a common form as a fixable warning with before → after, and paints none of them", () => {
    const { workbook, host } = tabWith([HEADERS, ...ROWS], PLAIN_TEXT, FORMULAS);
    const view = call<ValidationView>(host, "validate", rewards);

    expect(view.fixable).toBe(FIXES.length);
    expect(fixList(view.fixes)).toEqual(FIXES);
    expect(view.errors).toBe(1);
    // Counted as warnings and listed among the findings, each saying what the importer reads.
    expect(view.warnings).toBe(FIXES.length);
    const fixable = view.findings.filter((f) => f.code === "fixable");
    expect(fixable.map((f) => [f.a1, f.severity])).toEqual(FIXES.map(([a1]) => [a1, "warning"]));
    expect(fixable[0]?.message).toBe('partner_email "Ada@Example.COM" is read as ada@example.com');
    // Only the error is painted: the importer reads the fixable cells as they are.
    expect(Object.keys(highlights(workbook))).toEqual(["A5"]);
    expect(view.highlighted).toBe(1);
  });

  test("onEdit re-checks a typed row with the fixes in mind: a cell in a common form is not painted", () => {
    const { workbook, host } = tabWith([HEADERS, ...ROWS], PLAIN_TEXT, FORMULAS);
    call(host, "validate", rewards);
    // The error fixed and, in the same row, a status typed in capitals.
    typeRows(host, workbook, 5, 1, [["dana@example.com", "700", "HOLD"]]);
    expect(highlights(workbook)).toEqual({});
    // An error typed is painted as before.
    typeRows(host, workbook, 5, 3, [["maybe"]]);
    expect(Object.keys(highlights(workbook))).toEqual(["C5"]);
  });
});

describe("Fix N cells", () => {
  test("rewrites exactly the fixable cells in one setValues, lists before → after, and answers the tab with none left; within 10 Spreadsheet calls", () => {
    const { workbook, host, calls } = tabWith([HEADERS, ...ROWS], PLAIN_TEXT, FORMULAS);
    const validated = call<ValidationView>(host, "validate", rewards);
    const before = cells(workbook);
    calls.reset();
    calls.names.length = 0;

    const result = call<FixResult>(host, "fixCells", rewards);
    expect(calls.total("SpreadsheetApp")).toBeLessThanOrEqual(10);
    expect(calls.count("SpreadsheetApp.Range.setValues")).toBe(1);
    expect(calls.total("google.script.run")).toBe(1);

    expect(result).toMatchObject({ fixed: FIXES.length, skipped: 0 });
    expect(fixList(result.changes)).toEqual(FIXES);
    const after = cells(workbook);
    expect(changed(before, after)).toEqual(FIXES.map(([a1]) => a1).sort());
    const sheet = sheetOf(workbook);
    const valueAt = (a1: string) => sheet.getRange(a1).getValue();
    expect(["A2", "C2", "E2", "A3", "E3", "B4", "C5"].map(valueAt)).toEqual([
      "ada@example.com",
      "approved",
      true,
      "bryn@example.com",
      false,
      1250,
      "paid",
    ]);
    // The plain-text date column keeps the dates as text, in their canonical form.
    expect(["F2", "F4", "F5"].map(valueAt)).toEqual(["2026-03-18", "2026-03-18", "2026-03-18"]);
    // The formulas between fixed columns, the plain-text keys and the unfixed text date are as they were.
    expect(sheet.getRange("D2").getFormula()).toBe(FORMULAS.D2);
    expect(valueAt("H2")).toBe("02134");
    expect(valueAt("F3")).toBe("2026-03-01");

    // The tab checked again from what was written: nothing fixable left, the error still there.
    expect(result.validation).toMatchObject({
      fixable: 0,
      fixes: [],
      errors: 1,
      warnings: 0,
      highlighted: 1,
      rows: validated.rows,
    });
    expect(result.validation.findings.map((f) => f.a1)).toEqual(["A5"]);
    // It agrees with Validate run afresh, which finds nothing new to paint.
    const again = call<ValidationView>(host, "validate", rewards);
    expect({ ...again, sheetName: null }).toEqual({ ...result.validation, sheetName: null });
    expect(Object.keys(highlights(workbook))).toEqual(["A5"]);
  });

  test("run twice, the second time changes nothing and writes nothing", () => {
    const { workbook, host, calls } = tabWith([HEADERS, ...ROWS], PLAIN_TEXT, FORMULAS);
    call<FixResult>(host, "fixCells", rewards);
    const once = cells(workbook);
    calls.reset();
    const twice = call<FixResult>(host, "fixCells", rewards);
    expect(twice).toMatchObject({ fixed: 0, changes: [], skipped: 0, validation: { fixable: 0 } });
    expect(calls.count("SpreadsheetApp.Range.setValues")).toBe(0);
    expect(cells(workbook)).toEqual(once);
  });

  test("a string Sheets would read as a number, typed with an apostrophe between fixed columns, is never written: the fixed columns are written around it", () => {
    // B2 holds the text 02134 in a cell not formatted as plain text: written back, it would become 2134.
    const rows = [
      ["partner_email", "key", "status", "body", "amount_in_cents"],
      ["Ada@Example.COM", "'02134", "Approved", "Bonus", "1000"],
      ["bryn@example.com", "k-0002", "pending", "Bonus", "1000"],
      ["Chen@Example.com", "'1,000", "Open", "Bonus", "1000"],
    ];
    const { workbook, host, calls } = tabWith(rows, []);
    expect(sheetOf(workbook).getRange("B2").getValue()).toBe("02134");
    const before = cells(workbook);

    const result = call<FixResult>(host, "fixCells", rewards);
    expect(fixList(result.changes)).toEqual([
      ["A2", "partner_email", "Ada@Example.COM", "ada@example.com"],
      ["C2", "status", "Approved", "approved"],
      ["A4", "partner_email", "Chen@Example.com", "chen@example.com"],
    ]);
    expect(changed(before, cells(workbook))).toEqual(["A2", "A4", "C2"]);
    expect(sheetOf(workbook).getRange("B2").getValue()).toBe("02134");
    expect(sheetOf(workbook).getRange("B4").getValue()).toBe("1,000");
    // Column A in one run (A3 between is written back as it was), column C in another.
    expect(calls.count("SpreadsheetApp.Range.setValues")).toBe(2);
    expect(result.validation.fixable).toBe(0);
    // C4 "Open" is not a status rewards know: an error, not a fix.
    expect(result.validation.findings.map((f) => [f.a1, f.code])).toEqual([["C4", "invalid_choice"]]);
  });

  test("a fixable value that comes from a formula is left as it is, counted as skipped", () => {
    const { workbook, host } = tabWith([HEADERS, ...ROWS], PLAIN_TEXT, FORMULAS);
    // A formula's result, as Sheets would compute it (the emulator does not evaluate formulas).
    const line = workbook.activeSheet.rows[5] ?? [];
    workbook.activeSheet.rows[5] = line;
    writeRows(workbook, workbook.activeSheet, 6, 1, [
      ["eve@example.com", "900", "", "", "", "", "Bonus", "02138"],
    ]);
    line[2] = { formula: '=PROPER("approved")', value: "Approved" };
    const before = cells(workbook);

    const result = call<FixResult>(host, "fixCells", rewards);
    expect(result).toMatchObject({ fixed: FIXES.length, skipped: 1 });
    expect(changed(before, cells(workbook))).toEqual(FIXES.map(([a1]) => a1).sort());
    expect(sheetOf(workbook).getRange("C6").getFormula()).toBe('=PROPER("approved")');
    expect(fixList(result.validation.fixes)).toEqual([["C6", "status", "Approved", "approved"]]);
  });
});

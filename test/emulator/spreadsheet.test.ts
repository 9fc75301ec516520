// Contract tests of the emulated SpreadsheetApp: each holds one behaviour Google documents (or that
// Sheets shows), so the add-on's tests in the emulator mean what they would in Sheets.
import { CallLog } from "../../src/emulator/calls";
import { createSpreadsheetApp } from "../../src/emulator/spreadsheet/spreadsheetApp";
import { Workbook, type WorkbookOptions } from "../../src/emulator/spreadsheet/workbook";

function open(options: WorkbookOptions = {}, ui?: GoogleAppsScript.Base.Ui) {
  const workbook = new Workbook(options);
  const calls = new CallLog();
  const app = createSpreadsheetApp(workbook, calls, { ui });
  return { workbook, calls, app, ss: app.getActiveSpreadsheet(), sheet: app.getActiveSheet() };
}

describe("values", () => {
  it("getValues gives numbers, booleans, strings, Dates for dates, and '' for empty cells", () => {
    const { sheet } = open();
    const date = new Date("2024-01-15T00:00:00Z");
    sheet.getRange("A1:E1").setValues([[42, true, "text", date, ""]]);
    const [row] = sheet.getRange("A1:F1").getValues();
    expect(row).toEqual([42, true, "text", date, "", ""]);
    expect(row?.[3]).toBeInstanceOf(Date);
    expect(row?.[3]).not.toBe(date); // a copy: changing it does not change the cell
  });

  it("a string that reads as a number becomes a number in an Automatic cell, and stays text in a '@' cell", () => {
    const { sheet } = open();
    sheet.getRange("B1").setNumberFormat("@");
    sheet.getRange("A1:B1").setValues([["02134", "02134"]]);
    expect(sheet.getRange("A1:B1").getValues()).toEqual([[2134, "02134"]]);
    expect(sheet.getRange("A1:B1").getDisplayValues()).toEqual([["2134", "02134"]]);
  });

  it("TRUE/FALSE become booleans and yyyy-mm-dd a date, except in plain-text cells", () => {
    const { sheet } = open();
    sheet.getRange("A2:C2").setNumberFormat("@");
    sheet.getRange("A1:C2").setValues([
      ["true", "2024-01-15", "2024-02-30"],
      ["true", "2024-01-15", "2024-02-30"],
    ]);
    const values = sheet.getRange("A1:C2").getValues();
    expect(values[0]).toEqual([true, new Date("2024-01-15T00:00:00Z"), "2024-02-30"]);
    expect(values[1]).toEqual(["true", "2024-01-15", "2024-02-30"]);
    expect(sheet.getRange("B1").getNumberFormat()).toBe("yyyy-mm-dd");
  });

  it("setValue sets every cell of the range; getValue reads the top-left one", () => {
    const { sheet } = open();
    const range = sheet.getRange("A1:B2").setValue(7);
    expect(range.getValues()).toEqual([
      [7, 7],
      [7, 7],
    ]);
    expect(range.getValue()).toBe(7);
  });

  it("null and '' empty a cell", () => {
    const { sheet } = open();
    sheet.getRange("A1:B1").setValues([[1, 2]]);
    sheet.getRange("A1:B1").setValues([[null, ""]]);
    expect(sheet.getRange("A1:B1").getValues()).toEqual([["", ""]]);
    expect(sheet.getLastRow()).toBe(0);
  });
});

describe("input read as Sheets reads it in en_US", () => {
  it("grouped numbers, currency, percentages, a plus sign and surrounding spaces become numbers with their format", () => {
    const { sheet } = open();
    const inputs = ["1,000", "1,234,567.5", "$12.50", "-$5", "$1,000", "50%", "12.5%", "+1", " 42 ", "-.5"];
    sheet.getRange(1, 1, 1, inputs.length).setValues([inputs]);
    const range = sheet.getRange(1, 1, 1, inputs.length);
    expect(range.getValues()).toEqual([[1000, 1234567.5, 12.5, -5, 1000, 0.5, 0.125, 1, 42, -0.5]]);
    expect(range.getNumberFormats()[0]).toEqual([
      "#,##0",
      "#,##0.00",
      '"$"#,##0.00',
      '"$"#,##0.00',
      '"$"#,##0.00',
      "0%",
      "0.00%",
      "0.###############",
      "0.###############",
      "0.###############",
    ]);
    expect(range.getDisplayValues()).toEqual([
      ["1,000", "1,234,567.50", "$12.50", "-$5.00", "$1,000.00", "50%", "12.50%", "1", "42", "-0.5"],
    ]);
  });

  it("setValue reads a string the same way, and 1.1% is exactly 0.011", () => {
    const { sheet } = open();
    sheet.getRange("A1").setValue("1.1%");
    sheet.getRange("A2").setValue("$-5");
    expect(sheet.getRange("A1:A2").getValues()).toEqual([[0.011], [-5]]);
  });

  it("what does not read as a number stays text, with its spaces", () => {
    const { sheet } = open();
    const inputs = ["1,00", "12,3456", "1,000,00", "$", "5$", "%5", "+-1", "--1", "$1e3", " hello ", "1 000"];
    sheet.getRange(1, 1, 1, inputs.length).setValues([inputs]);
    expect(sheet.getRange(1, 1, 1, inputs.length).getValues()).toEqual([inputs]);
  });

  it("a cell's own number format stays, and a plain-text cell keeps the string as typed", () => {
    const { sheet } = open();
    sheet.getRange("A1").setNumberFormat("0.00");
    sheet.getRange("B1").setNumberFormat("@");
    sheet.getRange("A1:B1").setValues([["$12.50", "1,000"]]);
    expect(sheet.getRange("A1:B1").getValues()).toEqual([[12.5, "1,000"]]);
    expect(sheet.getRange("A1:B1").getNumberFormats()).toEqual([["0.00", "@"]]);
  });
});

describe("50,000 characters a cell", () => {
  const limit = "Your input contains more than the maximum of 50000 characters in a single cell.";
  const longest = "x".repeat(50_000);
  const tooLong = `${longest}x`;

  it("setValues with one cell over 50,000 characters throws Google's message and writes nothing", () => {
    const { sheet } = open();
    sheet.getRange("A1:B1").setValues([[longest, "kept"]]);
    expect(() => sheet.getRange("A1:B1").setValues([["new", tooLong]])).toThrow(limit);
    expect(sheet.getRange("A1:B1").getValues()).toEqual([[longest, "kept"]]);
  });

  it("setValue, setFormula and setFormulas are held to it too", () => {
    const { sheet } = open();
    expect(() => sheet.getRange("A1").setValue(tooLong)).toThrow(limit);
    expect(() => sheet.getRange("A1").setFormula(`=${tooLong}`)).toThrow(limit);
    expect(() => sheet.getRange("A1").setFormulas([[`=${tooLong}`]])).toThrow(limit);
    expect(sheet.getRange("A1").isBlank()).toBe(true);
  });
});

describe("sheet names", () => {
  it("a blank name, or one of more than 100 characters, is refused by insertSheet and setName", () => {
    const { ss, sheet } = open();
    expect(() => ss.insertSheet("   ")).toThrow("The sheet name cannot be blank.");
    expect(() => sheet.setName("")).toThrow("The sheet name cannot be blank.");
    expect(() => ss.insertSheet("n".repeat(101))).toThrow(
      "The sheet name cannot be greater than 100 characters.",
    );
    expect(() => sheet.setName("n".repeat(101))).toThrow("greater than 100 characters");
    expect(ss.insertSheet("n".repeat(100)).getName()).toHaveLength(100);
    expect(ss.getSheets().map((s) => s.getName())).toEqual(["Sheet1", "n".repeat(100)]);
  });

  it("a sheet may be renamed to its own name in another case, but not to another sheet's", () => {
    const { ss, sheet } = open();
    ss.insertSheet("Report");
    sheet.setName("SHEET1");
    expect(sheet.getName()).toBe("SHEET1");
    expect(() => sheet.setName("report")).toThrow(
      'A sheet with the name "report" already exists. Please enter another name.',
    );
  });
});

describe("formulas", () => {
  it("a string starting with = sets a formula, which getFormulas gives and getValues reads as ''", () => {
    const { sheet } = open();
    sheet.getRange("A1:B1").setValues([["=SUM(1,2)", "plain"]]);
    expect(sheet.getRange("A1:B1").getFormulas()).toEqual([["=SUM(1,2)", ""]]);
    expect(sheet.getRange("A1").getFormula()).toBe("=SUM(1,2)");
    expect(sheet.getRange("A1").getValue()).toBe("");
  });

  it("a leading apostrophe keeps a formula-like string as text, without the apostrophe", () => {
    const { sheet } = open();
    sheet.getRange("A1:B1").setValues([['\'=HYPERLINK("x")', "'02134"]]);
    expect(sheet.getRange("A1:B1").getFormulas()).toEqual([["", ""]]);
    expect(sheet.getRange("A1:B1").getValues()).toEqual([['=HYPERLINK("x")', "02134"]]);
  });

  it("setFormula(s) set formulas; a value written over a formula replaces it", () => {
    const { sheet } = open();
    sheet.getRange("A1").setFormula("=1+1");
    sheet.getRange("B1:C1").setFormulas([["=A1", "=B1"]]);
    expect(sheet.getRange("A1:C1").getFormulas()).toEqual([["=1+1", "=A1", "=B1"]]);
    sheet.getRange("A1").setValue(5);
    expect(sheet.getRange("A1").getFormula()).toBe("");
    expect(sheet.getRange("A1").getValue()).toBe(5);
  });
});

describe("Google's errors", () => {
  it("setValues with another number of rows throws Google's message", () => {
    const { sheet } = open();
    expect(() => sheet.getRange("A1:B3").setValues([[1, 2]])).toThrow(
      "The number of rows in the data does not match the number of rows in the range. The data has 1 but the range has 3.",
    );
  });

  it("setValues with another number of columns throws Google's message", () => {
    const { sheet } = open();
    expect(() => sheet.getRange("A1:C2").setValues([[1, 2, 3], [4]])).toThrow(
      "The number of columns in the data does not match the number of columns in the range. The data has 1 but the range has 3.",
    );
  });

  it("the other 2-D setters check the size the same way and write nothing on a mismatch", () => {
    const { sheet } = open();
    const range = sheet.getRange("A1:B2");
    expect(() => range.setBackgrounds([["red", "red"]])).toThrow(
      "The number of rows in the data does not match the number of rows in the range. The data has 1 but the range has 2.",
    );
    expect(() => range.setNotes([["a"], ["b"]])).toThrow("The data has 1 but the range has 2.");
    expect(range.getBackgrounds().flat()).toEqual(["#ffffff", "#ffffff", "#ffffff", "#ffffff"]);
  });

  it("setValues with a 1-D array throws the signature message", () => {
    const { sheet } = open();
    expect(() => sheet.getRange("A1:B1").setValues([1, 2] as unknown as unknown[][])).toThrow(
      "The parameters (number[]) don't match the method signature for SpreadsheetApp.Range.setValues.",
    );
  });

  it("a range beyond the sheet's rows or columns throws Google's message", () => {
    const { sheet } = open();
    const outside = "The coordinates of the range are outside the dimensions of the sheet.";
    expect(() => sheet.getRange(1001, 1)).toThrow(outside);
    expect(() => sheet.getRange(1, 1, 1, 27)).toThrow(outside);
    expect(() => sheet.getRange("A1:AA1")).toThrow(outside);
    expect(() => sheet.getRange("A1").offset(-1, 0)).toThrow("The starting row of the range is too small.");
    expect(() => sheet.getRange(1, 0)).toThrow("The starting column of the range is too small.");
    expect(() => sheet.getRange(1, 1, 0, 1)).toThrow("The number of rows in the range must be at least 1.");
  });

  it("notation that is not A1, or names a missing sheet, throws Range not found", () => {
    const { sheet, ss } = open();
    expect(() => sheet.getRange("hello world")).toThrow("Range not found");
    expect(() => sheet.getRange("A0")).toThrow("Range not found");
    expect(() => ss.getRange("Missing!A1")).toThrow("Range not found");
  });

  it("a second sheet of the same name, in any case, throws Google's message", () => {
    const { ss } = open();
    ss.insertSheet("Report");
    expect(() => ss.insertSheet("Report")).toThrow(
      'A sheet with the name "Report" already exists. Please enter another name.',
    );
    expect(() => ss.insertSheet("REPORT")).toThrow('A sheet with the name "REPORT" already exists.');
    expect(() => ss.getSheetByName("Sheet1")?.setName("report")).toThrow("already exists");
    expect(ss.getSheets().map((s) => s.getName())).toEqual(["Sheet1", "Report"]);
  });

  it("growing the workbook over 10 million cells throws Google's message and changes nothing", () => {
    const { sheet, ss, workbook } = open();
    const limit =
      "This action would increase the number of cells in the workbook above the limit of 10000000 cells.";
    expect(() => sheet.insertRowsAfter(1000, 384_000)).toThrow(limit); // 10,010,000 cells
    sheet.insertRowsAfter(1000, 383_615); // 384,615 rows × 26 columns: 9,999,990 cells
    expect(workbook.totalCells()).toBe(9_999_990);
    expect(() => ss.insertSheet("More")).toThrow(limit);
    expect(() => sheet.insertColumnsAfter(26, 1)).toThrow(limit);
    expect(() => sheet.insertRowsAfter(1, 1)).toThrow(limit);
    expect(ss.getNumSheets()).toBe(1);
    expect(sheet.getMaxColumns()).toBe(26);
    expect(sheet.getMaxRows()).toBe(384_615);
  });
});

describe("sheets", () => {
  it("a new spreadsheet has Sheet1 of 1000 rows and 26 columns; insertSheet adds one of the same size", () => {
    const { ss, sheet } = open();
    expect([sheet.getName(), sheet.getMaxRows(), sheet.getMaxColumns(), sheet.getIndex()]).toEqual([
      "Sheet1",
      1000,
      26,
      1,
    ]);
    const added = ss.insertSheet();
    expect([added.getName(), added.getMaxRows(), added.getMaxColumns(), added.getIndex()]).toEqual([
      "Sheet2",
      1000,
      26,
      2,
    ]);
    expect(added.getSheetId()).not.toBe(sheet.getSheetId());
  });

  it("insertSheet puts the sheet at the given index and makes it the active sheet", () => {
    const { ss, app } = open();
    ss.insertSheet("Last");
    const first = ss.insertSheet("First", 0);
    expect(ss.getSheets().map((s) => s.getName())).toEqual(["First", "Sheet1", "Last"]);
    expect(app.getActiveSheet().getName()).toBe("First");
    expect(first.getIndex()).toBe(1);
  });

  it("getSheetByName finds a sheet regardless of case, and gives null for a missing one", () => {
    const { ss } = open();
    expect(ss.getSheetByName("sheet1")?.getName()).toBe("Sheet1");
    expect(ss.getSheetByName("Nope")).toBeNull();
  });

  it("getLastRow, getLastColumn and getDataRange follow content, not formatting or notes", () => {
    const { sheet } = open();
    expect([sheet.getLastRow(), sheet.getLastColumn(), sheet.getDataRange().getA1Notation()]).toEqual([
      0,
      0,
      "A1",
    ]);
    sheet.getRange("C5").setValue("x");
    sheet.getRange("Z900").setBackground("#ff0000").setNote("a note");
    expect([sheet.getLastRow(), sheet.getLastColumn(), sheet.getDataRange().getA1Notation()]).toEqual([
      5,
      3,
      "A1:C5",
    ]);
  });

  it("insertRowsAfter and insertColumnsAfter move the cells below and to the right", () => {
    const { sheet } = open();
    sheet.getRange("A1:B2").setValues([
      ["a", "b"],
      ["c", "d"],
    ]);
    sheet.getRange("B2").setNote("kept with its cell");
    sheet.insertRowsAfter(1, 2).insertColumnsAfter(1, 1);
    expect(sheet.getMaxRows()).toBe(1002);
    expect(sheet.getMaxColumns()).toBe(27);
    expect(sheet.getRange("A1:C4").getValues()).toEqual([
      ["a", "", "b"],
      ["", "", ""],
      ["", "", ""],
      ["c", "", "d"],
    ]);
    expect(sheet.getRange("C4").getNote()).toBe("kept with its cell");
  });

  it("deleteRows and deleteColumns shrink the sheet and move the cells up and to the left", () => {
    const { sheet, workbook } = open();
    sheet.getRange("A1:C3").setValues([
      ["a", "b", "c"],
      ["d", "e", "f"],
      ["g", "h", "i"],
    ]);
    sheet.deleteRows(2, 1);
    sheet.deleteColumns(1, 1);
    expect([sheet.getMaxRows(), sheet.getMaxColumns()]).toEqual([999, 25]);
    expect(sheet.getRange("A1:B2").getValues()).toEqual([
      ["b", "c"],
      ["h", "i"],
    ]);
    sheet.deleteColumns(8, 18);
    sheet.deleteRows(3, 997);
    expect(workbook.totalCells()).toBe(2 * 7);
    expect(() => sheet.deleteRows(3, 1)).toThrow("Those rows are out of bounds.");
    expect(() => sheet.deleteColumns(1, 7)).toThrow(
      "Sorry, it is not possible to delete all non-frozen columns.",
    );
    sheet.setFrozenRows(1);
    expect(() => sheet.deleteRows(2, 1)).toThrow("Sorry, it is not possible to delete all non-frozen rows.");
  });

  it("frozen rows and columns are kept", () => {
    const { sheet } = open();
    expect(sheet.getFrozenRows()).toBe(0);
    sheet.setFrozenRows(1);
    sheet.setFrozenColumns(2);
    expect([sheet.getFrozenRows(), sheet.getFrozenColumns()]).toEqual([1, 2]);
  });

  it("whole-column and open-ended notations reach the sheet's edge", () => {
    const { sheet } = open();
    expect(sheet.getRange("B:C").getA1Notation()).toBe("B1:C1000");
    expect(sheet.getRange("A2:C").getA1Notation()).toBe("A2:C1000");
    expect(sheet.getRange("2:3").getA1Notation()).toBe("A2:Z3");
    expect(sheet.getRange("c3:a1").getA1Notation()).toBe("A1:C3");
    expect(sheet.getRange(2, 3, 4, 5).getA1Notation()).toBe("C2:G5");
  });

  it("Spreadsheet.getRange reads a sheet name, quoted or not", () => {
    const { ss } = open();
    ss.insertSheet("My data");
    ss.getRange("'My data'!B2").setValue("here");
    expect(ss.getSheetByName("My data")?.getRange("B2").getValue()).toBe("here");
    expect(ss.getRange("Sheet1!B2").getSheet().getName()).toBe("Sheet1");
  });
});

describe("a tab's grid kept compactly", () => {
  it("a cell of a bare value takes on a background and a note, keeps its value, and loses them again", () => {
    const { workbook, sheet } = open();
    workbook.activeSheet.putValues(1, [["a", 2, true, new Date("2024-01-15T00:00:00Z")]]);
    const range = sheet.getRange("A1:D1");
    range.setBackgrounds([["#ff0000", null, "#00ff00", null]]);
    range.setNotes([["one", "two", "", ""]]);
    expect(range.getValues()).toEqual([["a", 2, true, new Date("2024-01-15T00:00:00Z")]]);
    expect(range.getBackgrounds()).toEqual([["#ff0000", "#ffffff", "#00ff00", "#ffffff"]]);
    expect(range.getNotes()).toEqual([["one", "two", "", ""]]);
    range.setBackgrounds([[null, null, null, null]]);
    range.setNotes([["", "", "", ""]]);
    range.setNumberFormat("0.00");
    expect(range.getDisplayValues()).toEqual([["a", "2.00", "TRUE", "45306.00"]]);
    range.clearFormat();
    expect(range.getDisplayValues()).toEqual([["a", "2", "TRUE", "1/15/2024"]]);
    expect(workbook.activeSheet.rows[0]).toEqual(["a", 2, true, { value: new Date("2024-01-15T00:00:00Z") }]);
  });

  it("a cell read from the grid is a copy: changing it changes no sheet", () => {
    const { workbook, sheet } = open();
    workbook.activeSheet.putValues(1, [["a"]]);
    const cell = workbook.activeSheet.cell(1, 1);
    if (cell) cell.value = "changed";
    expect(sheet.getRange("A1").getValue()).toBe("a");
  });

  it("clearing content leaves a cell's formatting, and clearing that empties the grid", () => {
    const { workbook, sheet } = open();
    workbook.activeSheet.putValues(1, [["a", "b"]]);
    sheet.getRange("A1:B1").setBackground("#ff0000");
    sheet.getRange("A1:B1").clearContent();
    expect(sheet.getRange("A1:B1").getBackgrounds()).toEqual([["#ff0000", "#ff0000"]]);
    expect(sheet.getLastRow()).toBe(0);
    sheet.getRange("A1:B1").clearFormat();
    expect(workbook.activeSheet.rows[0]?.filter((cell) => cell !== undefined)).toEqual([]);
  });
});

describe("formatting, notes and validation", () => {
  it("backgrounds and notes round-trip, and null resets them to white and no note", () => {
    const { sheet } = open();
    const range = sheet.getRange("A1:B1");
    expect(range.getBackgrounds()).toEqual([["#ffffff", "#ffffff"]]);
    expect(range.getNotes()).toEqual([["", ""]]);
    range.setBackgrounds([["#F4CCCC", "red"]]).setNotes([["Bad email", null]]);
    expect(range.getBackgrounds()).toEqual([["#f4cccc", "#ff0000"]]);
    expect(range.getNotes()).toEqual([["Bad email", ""]]);
    range.setBackgrounds([[null, "#fff2cc"]]).setNote(null);
    expect(range.getBackgrounds()).toEqual([["#ffffff", "#fff2cc"]]);
    expect(range.getNotes()).toEqual([["", ""]]);
    range.setBackground(null);
    expect(range.getBackground()).toBe("#ffffff");
  });

  it("an unformatted cell reports Automatic as 0.###############; setNumberFormat(s) are kept", () => {
    const { sheet } = open();
    const range = sheet.getRange("A1:B1");
    expect(range.getNumberFormat()).toBe("0.###############");
    range.setNumberFormats([["@", "yyyy-mm-dd"]]);
    expect(range.getNumberFormats()).toEqual([["@", "yyyy-mm-dd"]]);
  });

  it("clearContent keeps formats and notes; clearFormat keeps values; clear keeps notes", () => {
    const { sheet } = open();
    const a = sheet.getRange("A1").setValue(1).setBackground("#ff0000").setNote("n").setNumberFormat("0.00");
    a.clearContent();
    expect([a.getValue(), a.getBackground(), a.getNote(), a.getNumberFormat()]).toEqual([
      "",
      "#ff0000",
      "n",
      "0.00",
    ]);
    a.setValue(2).clearFormat();
    expect([a.getValue(), a.getBackground(), a.getNumberFormat()]).toEqual([
      2,
      "#ffffff",
      "0.###############",
    ]);
    a.setBackground("#00ff00").clear();
    expect([a.getValue(), a.getBackground(), a.getNote()]).toEqual(["", "#ffffff", "n"]);
    a.clearNote();
    expect(a.getNote()).toBe("");
  });

  it("a list rule keeps its values, drop-down flag, allowInvalid and help text", () => {
    const { app, sheet } = open();
    const rule = app
      .newDataValidation()
      .requireValueInList(["pending", "approved"], true)
      .setAllowInvalid(false)
      .setHelpText("Pick one")
      .build();
    sheet.getRange("A2:A3").setDataValidation(rule);
    const read = sheet.getRange("A3").getDataValidation();
    expect(read?.getCriteriaType()).toBe(app.DataValidationCriteria.VALUE_IN_LIST);
    expect(read?.getCriteriaValues()).toEqual([["pending", "approved"], true]);
    expect(read?.getAllowInvalid()).toBe(false);
    expect(read?.getHelpText()).toBe("Pick one");
    expect(sheet.getRange("A1").getDataValidation()).toBeNull();
  });

  it("a checkbox rule, per-cell rules, and clearing them", () => {
    const { app, sheet } = open();
    const checkbox = app.newDataValidation().requireCheckbox().build();
    const range = sheet.getRange("A1:B1");
    range.setDataValidations([[checkbox, null]]);
    const rules = range.getDataValidations();
    expect(rules[0]?.[0]?.getCriteriaType()).toBe(app.DataValidationCriteria.CHECKBOX);
    expect(rules[0]?.[0]?.getCriteriaValues()).toEqual([]);
    expect(rules[0]?.[1]).toBeNull();
    range.clearDataValidations();
    expect(range.getDataValidations()).toEqual([[null, null]]);
  });

  it("a rule is built once: changing the builder afterwards does not change it", () => {
    const { app, sheet } = open();
    const builder = app.newDataValidation().requireValueInList(["a"]);
    sheet.getRange("A1").setDataValidation(builder.build());
    builder.requireValueInList(["b"]);
    expect(sheet.getRange("A1").getDataValidation()?.getCriteriaValues()).toEqual([["a"], true]);
  });
});

describe("RangeList", () => {
  it("sets backgrounds and notes on each of its ranges at once", () => {
    const { sheet } = open();
    const list = sheet.getRangeList(["A1", "C2:C3"]);
    expect(list.getRanges().map((r) => r.getA1Notation())).toEqual(["A1", "C2:C3"]);
    list.setBackground("#f4cccc").setNote("check");
    expect(sheet.getRange("A1:C3").getBackgrounds()).toEqual([
      ["#f4cccc", "#ffffff", "#ffffff"],
      ["#ffffff", "#ffffff", "#f4cccc"],
      ["#ffffff", "#ffffff", "#f4cccc"],
    ]);
    expect(sheet.getRange("C3").getNote()).toBe("check");
    list.setBackground(null).clearNote();
    expect(sheet.getRange("C3").getBackground()).toBe("#ffffff");
    expect(sheet.getRange("C3").getNote()).toBe("");
  });

  it("activate selects the last range", () => {
    const { app, sheet } = open();
    sheet.getRangeList(["A1", "D4:E5"]).activate();
    expect(app.getActiveRange().getA1Notation()).toBe("D4:E5");
  });
});

describe("active sheet and range", () => {
  it("the selection starts at A1 of the first sheet", () => {
    const { app } = open();
    expect(app.getActiveRange().getA1Notation()).toBe("A1");
    expect(app.getActiveRange().getSheet().getName()).toBe("Sheet1");
  });

  it("Range.activate selects the range and makes its sheet active", () => {
    const { app, ss } = open();
    const other = ss.insertSheet("Other");
    ss.setActiveSheet(ss.getSheetByName("Sheet1") as GoogleAppsScript.Spreadsheet.Sheet);
    expect(app.getActiveSheet().getName()).toBe("Sheet1");
    other.getRange("B3:C4").activate();
    expect(app.getActiveSheet().getName()).toBe("Other");
    expect(ss.getActiveRange()?.getA1Notation()).toBe("B3:C4");
    expect(app.getCurrentCell().getA1Notation()).toBe("B3");
  });

  it("setActiveSelection takes A1 notation on the sheet; Sheet.activate switches sheets", () => {
    const { app, ss, sheet } = open();
    sheet.setActiveSelection("C7");
    const report = ss.insertSheet("Report");
    expect(app.getActiveSheet().getName()).toBe("Report");
    expect(report.getActiveRange()?.getA1Notation()).toBe("A1");
    sheet.activate();
    expect(app.getActiveRange().getA1Notation()).toBe("C7");
  });
});

describe("the host's parts", () => {
  it("getUi returns the host's Ui, and throws Google's message where there is none", () => {
    const ui = { alert: () => undefined } as unknown as GoogleAppsScript.Base.Ui;
    expect(open({}, ui).app.getUi()).toBe(ui);
    expect(() => open().app.getUi()).toThrow("Cannot call SpreadsheetApp.getUi() from this context.");
  });

  it("the spreadsheet has its name, id, URL and time zone", () => {
    const { ss } = open({ id: "abc", name: "Partners", timeZone: "Europe/Paris" });
    expect([ss.getName(), ss.getId(), ss.getUrl(), ss.getSpreadsheetTimeZone()]).toEqual([
      "Partners",
      "abc",
      "https://docs.google.com/spreadsheets/d/abc/edit",
      "Europe/Paris",
    ]);
    expect(open().ss.getSpreadsheetTimeZone()).toBe("Etc/UTC");
  });

  it("toast is passed to the host", () => {
    const toasts: unknown[] = [];
    const workbook = new Workbook();
    const app = createSpreadsheetApp(workbook, new CallLog(), { onToast: (t) => toasts.push(t) });
    app.getActiveSpreadsheet().toast("Done", "Import", 3);
    expect(toasts).toEqual([{ message: "Done", title: "Import", timeoutSeconds: 3 }]);
  });
});

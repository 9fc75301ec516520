// The workbook kept across restarts, large tabs, call counting, and the services seen from the add-on's realm.
import vm from "node:vm";
import { CallLog } from "../../src/emulator/calls";
import { type Realm, wrapService } from "../../src/emulator/membrane";
import { createSpreadsheetApp } from "../../src/emulator/spreadsheet/spreadsheetApp";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

/** A call log that also keeps each call's name and cells. */
function recordingLog() {
  const seen: { call: string; cells: number }[] = [];
  const calls = new CallLog({
    cost(service, method, detail) {
      seen.push({ call: `${service}.${method}`, cells: detail.cells ?? 0 });
      return 0;
    },
  });
  return { calls, seen };
}

/** A tab of 20,000 rows × 10 columns of keys, numbers, booleans and dates. */
function bigRows(): unknown[][] {
  return Array.from({ length: 20_000 }, (_, i) => [
    `key-${i}`,
    i,
    i % 2 === 0,
    new Date(Date.UTC(2024, 0, 1 + (i % 365))),
    `partner${i}@example.test`,
    i * 1.5,
    "",
    "gold",
    i - 10_000,
    `note ${i}`,
  ]);
}

describe("the workbook across restarts", () => {
  function richWorkbook(): Workbook {
    const workbook = new Workbook({ id: "wb1", name: "Partners", timeZone: "America/New_York" });
    const app = createSpreadsheetApp(workbook, new CallLog());
    const sheet = app.getActiveSheet();
    sheet.getRange("A1:D1").setValues([["partner_key", "joined", "active", "=A1"]]);
    sheet
      .getRange("A2:A3")
      .setNumberFormat("@")
      .setValues([["00123"], ["'x"]]);
    sheet.getRange("B2").setValue(new Date("2024-05-01T04:00:00Z"));
    sheet.getRange("B2:B3").setNumberFormat("yyyy-mm-dd");
    sheet.getRange("C2:C3").setDataValidation(app.newDataValidation().requireCheckbox().build());
    sheet.getRange("C2").setValue(true);
    sheet.getRange("D2").setBackground("#f4cccc").setNote("Bad value").setFontWeight("bold");
    sheet.getRange("Z999").setNote("far away");
    sheet.setFrozenRows(1);
    const other = app.getActiveSpreadsheet().insertSheet("Report", 0);
    other.getRange("A1:B2").setValues([
      ["status", 1],
      [false, 2.5],
    ]);
    other.getRange("B2:B3").activate();
    return workbook;
  }

  it("fromJSON(toJSON()) gives the same workbook, through JSON text, Dates included", () => {
    const workbook = richWorkbook();
    const restored = Workbook.fromJSON(JSON.parse(JSON.stringify(workbook)));
    expect(restored).toStrictEqual(workbook);
    expect(JSON.stringify(restored)).toBe(JSON.stringify(workbook));
  });

  it("the restored workbook reads back as the original did", () => {
    const workbook = richWorkbook();
    const restored = Workbook.fromJSON(JSON.parse(JSON.stringify(workbook.toJSON())));
    const read = (wb: Workbook) => {
      const app = createSpreadsheetApp(wb, new CallLog());
      const sheet = app.getActiveSpreadsheet().getSheetByName("Sheet1") as GoogleAppsScript.Spreadsheet.Sheet;
      const range = sheet.getRange("A1:D3");
      return {
        values: range.getValues(),
        display: range.getDisplayValues(),
        formulas: range.getFormulas(),
        notes: range.getNotes(),
        backgrounds: range.getBackgrounds(),
        rule: sheet.getRange("C3").getDataValidation()?.getCriteriaType(),
        frozen: sheet.getFrozenRows(),
        active: app.getActiveRange().getA1Notation(),
        activeSheet: app.getActiveSheet().getName(),
        sheets: app
          .getActiveSpreadsheet()
          .getSheets()
          .map((s) => s.getName()),
      };
    };
    const before = read(workbook);
    expect(read(restored)).toEqual(before);
    expect(before.values[1]?.[1]).toBeInstanceOf(Date);
    expect(before.active).toBe("B2:B3");
  });

  it("a rule shared by many cells is stored once", () => {
    const workbook = new Workbook();
    const app = createSpreadsheetApp(workbook, new CallLog());
    const rule = app.newDataValidation().requireValueInList(["a", "b"]).build();
    app.getActiveSheet().getRange("A1:A500").setDataValidation(rule);
    const json = workbook.toJSON();
    expect(json.sheets[0]?.rules).toHaveLength(1);
    const restored = Workbook.fromJSON(json).sheets[0];
    expect(restored?.cell(1, 1)?.validation).toBe(restored?.cell(500, 1)?.validation);
  });
});

describe("a tab of 20,000 rows", () => {
  it("is written with one setValues and read with one getValues, each one call", () => {
    const { calls, seen } = recordingLog();
    const workbook = new Workbook();
    const sheet = createSpreadsheetApp(workbook, calls).getActiveSheet();
    sheet.insertRowsAfter(1000, 19_000);
    const rows = bigRows();
    const range = sheet.getRange(1, 1, 20_000, 10);
    seen.length = 0;
    range.setValues(rows);
    const back = range.getValues();
    expect(seen).toEqual([
      { call: "SpreadsheetApp.Range.setValues", cells: 200_000 },
      { call: "SpreadsheetApp.Range.getValues", cells: 200_000 },
    ]);
    expect(back).toEqual(rows);
    expect(sheet.getLastRow()).toBe(20_000);
  });

  it("survives a JSON round trip", () => {
    const workbook = new Workbook();
    const app = createSpreadsheetApp(workbook, new CallLog());
    const sheet = app.getActiveSheet();
    sheet.insertRowsAfter(1000, 19_000);
    sheet.getRange(1, 1, 20_000, 10).setValues(bigRows());
    const restored = Workbook.fromJSON(JSON.parse(JSON.stringify(workbook)));
    expect(createSpreadsheetApp(restored, new CallLog()).getActiveSheet().getDataRange().getValues()).toEqual(
      bigRows(),
    );
  });
});

describe("call counting", () => {
  it("every call on every object is counted as SpreadsheetApp.<Class>.<method>", () => {
    const { calls, seen } = recordingLog();
    const app = createSpreadsheetApp(new Workbook(), calls);
    const rule = app.newDataValidation().requireValueInList(["x"]).build();
    app.getActiveSheet().getRange("A1:B2").setDataValidation(rule);
    app.flush();
    expect(seen.map((s) => s.call)).toEqual([
      "SpreadsheetApp.newDataValidation",
      "SpreadsheetApp.DataValidationBuilder.requireValueInList",
      "SpreadsheetApp.DataValidationBuilder.build",
      "SpreadsheetApp.getActiveSheet",
      "SpreadsheetApp.Sheet.getRange",
      "SpreadsheetApp.Range.setDataValidation",
      "SpreadsheetApp.flush",
    ]);
    expect(calls.total("SpreadsheetApp")).toBe(7);
    expect(calls.count("SpreadsheetApp.Range.setDataValidation")).toBe(1);
  });

  it("a call counts once with the cells it touches, however the emulator does it inside", () => {
    const { calls, seen } = recordingLog();
    const app = createSpreadsheetApp(new Workbook(), calls);
    const sheet = app.getActiveSheet();
    const range = sheet.getRange("A1:C2");
    const list = sheet.getRangeList(["A1", "B1:B4"]);
    seen.length = 0;
    range.setValue("x");
    range.getValue();
    range.getNumRows();
    list.setBackground("#ff0000");
    app.getActiveRange();
    expect(seen).toEqual([
      { call: "SpreadsheetApp.Range.setValue", cells: 6 },
      { call: "SpreadsheetApp.Range.getValue", cells: 1 },
      { call: "SpreadsheetApp.Range.getNumRows", cells: 0 },
      { call: "SpreadsheetApp.RangeList.setBackground", cells: 5 },
      { call: "SpreadsheetApp.getActiveRange", cells: 0 },
    ]);
  });

  it("a call that throws is counted too", () => {
    const { calls } = recordingLog();
    const sheet = createSpreadsheetApp(new Workbook(), calls).getActiveSheet();
    expect(() => sheet.getRange("A1:B2").setValues([[1]])).toThrow();
    expect(calls.count("SpreadsheetApp.Range.setValues")).toBe(1);
  });

  it("the default latency model charges 50 ms a call plus 2 µs a cell", () => {
    const calls = new CallLog();
    const sheet = createSpreadsheetApp(new Workbook(), calls).getActiveSheet();
    const range = sheet.getRange("A1:J1000"); // 50 ms
    calls.reset();
    range.getValues(); // 50 ms + 10,000 cells × 0.002 ms
    expect(calls.projectedMs).toBeCloseTo(70);
  });
});

describe("seen from the add-on's realm", () => {
  function addOnContext() {
    const context = vm.createContext({});
    const inner = vm.runInContext("({ Date, Array, Object, Error })", context) as Realm;
    const app = createSpreadsheetApp(new Workbook(), new CallLog());
    context.SpreadsheetApp = wrapService("SpreadsheetApp", app, { inner });
    return context;
  }

  it("dates are the add-on's own Dates, both ways, and rules built there can be set", () => {
    const context = addOnContext();
    const result = vm.runInContext(
      `const sheet = SpreadsheetApp.getActiveSheet();
       sheet.getRange("A1:B1").setValues([[new Date(Date.UTC(2024, 0, 15)), "2024-02-01"]]);
       const rule = SpreadsheetApp.newDataValidation().requireValueInList(["a", "b"]).build();
       sheet.getRange("C1").setDataValidation(rule);
       const values = sheet.getRange("A1:B1").getValues();
       [values[0][0] instanceof Date, values[0][1] instanceof Date, values[0][0].toISOString(),
        sheet.getRange("C1").getDataValidation().getCriteriaType() ===
          SpreadsheetApp.DataValidationCriteria.VALUE_IN_LIST]`,
      context,
    );
    expect(result).toEqual([true, true, "2024-01-15T00:00:00.000Z", true]);
  });

  it("Google's errors reach the add-on as errors it can catch", () => {
    const context = addOnContext();
    const message = vm.runInContext(
      `try { SpreadsheetApp.getActiveSpreadsheet().insertSheet("Sheet1"); "no error" }
       catch (e) { (e instanceof Error) + " " + e.message }`,
      context,
    );
    expect(message).toBe('true A sheet with the name "Sheet1" already exists. Please enter another name.');
  });
});

// What getDisplayValues shows and how dates read back, by number format and time zone.
import { CallLog } from "../../src/emulator/calls";
import { createSpreadsheetApp } from "../../src/emulator/spreadsheet/spreadsheetApp";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

function sheetIn(timeZone = "Etc/UTC") {
  return createSpreadsheetApp(new Workbook({ timeZone }), new CallLog()).getActiveSheet();
}

/** The text a value shows in a cell of the given number format ("" for Automatic). */
function shown(value: unknown, format: string, timeZone?: string): string {
  const range = sheetIn(timeZone).getRange("A1");
  if (format) range.setNumberFormat(format);
  return range.setValue(value).getDisplayValue();
}

describe("display values", () => {
  it.each([
    [1234.5, "", "1234.5"],
    [1 / 3, "", "0.3333333333"],
    [0.1 + 0.2, "", "0.3"],
    [-42, "", "-42"],
    [1234.5, "General", "1234.5"],
    [1234.5, "0", "1235"],
    [1234.5, "0.00", "1234.50"],
    [1.005, "0.00", "1.01"],
    [1234567.891, "#,##0", "1,234,568"],
    [1234567.891, "#,##0.00", "1,234,567.89"],
    [-1234.5, "#,##0.00", "-1,234.50"],
    [0.125, "0.0%", "12.5%"],
    [12.5, '"$"#,##0.00', "$12.50"],
    [-3, "0;(0)", "(3)"],
    [42, "@", "42"],
  ])("%p in a cell formatted %p shows %p", (value, format, text) => {
    expect(shown(value, format)).toBe(text);
  });

  it("booleans show as TRUE and FALSE; strings as they are", () => {
    const range = sheetIn()
      .getRange("A1:C1")
      .setValues([[true, false, "as is"]]);
    expect(range.getDisplayValues()).toEqual([["TRUE", "FALSE", "as is"]]);
  });

  it("a date in an Automatic cell shows as M/d/yyyy, with the time when it is not midnight", () => {
    expect(shown(new Date("2024-03-05T00:00:00Z"), "")).toBe("3/5/2024");
    expect(shown(new Date("2024-03-05T14:07:09Z"), "")).toBe("3/5/2024 14:07:09");
  });

  it.each([
    ["yyyy-mm-dd", "2024-03-05"],
    ["M/d/yyyy", "3/5/2024"],
    ["dd/mm/yy", "05/03/24"],
    ["d mmm yyyy", "5 Mar 2024"],
    ["dddd, mmmm d", "Tuesday, March 5"],
    ["yyyy-mm-dd hh:mm:ss", "2024-03-05 14:07:09"],
    ["h:mm AM/PM", "2:07 PM"],
  ])("a date formatted %p shows %p", (format, text) => {
    expect(shown(new Date("2024-03-05T14:07:09Z"), format)).toBe(text);
  });

  it("dates show in the spreadsheet's time zone", () => {
    const instant = new Date("2024-01-15T03:00:00Z");
    expect(shown(instant, "yyyy-mm-dd", "Etc/UTC")).toBe("2024-01-15");
    expect(shown(instant, "yyyy-mm-dd", "America/New_York")).toBe("2024-01-14");
    expect(shown(instant, "", "America/New_York")).toBe("1/14/2024 22:00:00");
  });

  it("a date typed as yyyy-mm-dd is midnight in the spreadsheet's time zone", () => {
    const range = sheetIn("America/Los_Angeles").getRange("A1").setValue("2024-07-04");
    expect(range.getValue()).toEqual(new Date("2024-07-04T07:00:00Z"));
    expect(range.getDisplayValue()).toBe("2024-07-04");
  });
});

describe("dates are numbers in a date format, as in Sheets", () => {
  it("a number in a date-formatted cell reads as a Date", () => {
    const range = sheetIn().getRange("A1").setNumberFormat("yyyy-mm-dd").setValue(45306);
    expect(range.getValue()).toEqual(new Date("2024-01-15T00:00:00Z"));
    expect(range.getDisplayValue()).toBe("2024-01-15");
  });

  it("a date in a number-formatted cell reads as its serial number", () => {
    const range = sheetIn("America/New_York").getRange("A1").setValue(new Date("2024-01-15T17:00:00Z"));
    range.setNumberFormat("0.00");
    expect(range.getValue()).toBe(45306.5);
    expect(range.getDisplayValue()).toBe("45306.50");
  });
});

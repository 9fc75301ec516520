/**
 * The few whole-range reads the add-on makes of a sheet; everything after works on plain arrays.
 * (Spreadsheet calls are slow: one getValues for the sheet, never a call per cell.)
 */
import { columnLetter } from "../core/headers";
import { isBlank } from "../core/values";
import { readState, writeState } from "./documentState";

export interface SheetTable {
  sheet: GoogleAppsScript.Spreadsheet.Sheet;
  sheetId: number;
  /** From A1 to the last row and column with data. */
  range: GoogleAppsScript.Spreadsheet.Range;
  /** From row 1: the header row is found in them (headerReading), and rows above it are not data. */
  values: unknown[][];
}

/** The active sheet's data, in four Spreadsheet calls. */
export function readActiveTable(): SheetTable {
  const sheet = SpreadsheetApp.getActiveSheet();
  return readTable(sheet, sheet.getSheetId());
}

export function readTable(sheet: GoogleAppsScript.Spreadsheet.Sheet, sheetId: number): SheetTable {
  const range = sheet.getDataRange();
  const values = range.getValues() as unknown[][];
  return { sheet, sheetId, range, values };
}

/** A row with nothing in it, as the core checks see blank cells. */
export function isBlankRow(cells: readonly unknown[]): boolean {
  for (const cell of cells) if (!isBlank(cell)) return false;
  return true;
}

/** Whether any row below the header holds something in a column (a blank header over data is an error). */
export function columnHasData(values: readonly unknown[][], headerIndex: number): (index: number) => boolean {
  const filled = new Set<number>();
  for (let r = headerIndex + 1; r < values.length; r++) {
    const row = values[r] as unknown[];
    for (let c = 0; c < row.length; c++) if (!isBlank(row[c])) filled.add(c);
  }
  return (index) => filled.has(index);
}

/**
 * The spreadsheet's time zone, in which its date cells are read. Kept in the document's properties so
 * validating costs no extra Spreadsheet calls; refreshed whenever the sidebar opens.
 */
export function spreadsheetTimeZone(): string {
  return readState<string>("timeZone") ?? refreshTimeZone();
}

export function refreshTimeZone(): string {
  const zone = SpreadsheetApp.getActive().getSpreadsheetTimeZone();
  if (readState<string>("timeZone") !== zone) writeState("timeZone", zone);
  return zone;
}

/**
 * The spreadsheet's locale (`en_US`, `en_GB`), which says how its people write dates (day or month
 * first). Kept like the time zone, so validating costs no extra Spreadsheet calls.
 */
export function spreadsheetLocale(): string {
  return readState<string>("locale") ?? refreshLocale();
}

export function refreshLocale(): string {
  const locale = SpreadsheetApp.getActive().getSpreadsheetLocale();
  if (readState<string>("locale") !== locale) writeState("locale", locale);
  return locale;
}

/** A sheet by id, or a message saying it is gone. */
export function sheetById(sheetId: number, sheetName: string): GoogleAppsScript.Spreadsheet.Sheet {
  const sheet = SpreadsheetApp.getActive().getSheetById(sheetId);
  if (!sheet) throw new Error(`The sheet "${sheetName}" is no longer in this spreadsheet.`);
  return sheet;
}

/** A1 notation of a cell. */
export function a1(row: number, column: number): string {
  return `${columnLetter(column)}${row}`;
}

/** Sheet names by id, as last seen: for messages, without a Spreadsheet call to ask again. */
export function rememberSheetName(sheetId: number, name: string): void {
  const names = readState<Record<string, string>>("sheetNames") ?? {};
  if (names[sheetId] === name) return;
  names[sheetId] = name;
  writeState("sheetNames", names);
}

export function knownSheetName(sheetId: number): string | null {
  return readState<Record<string, string>>("sheetNames")?.[sheetId] ?? null;
}

import { checkTimeZone } from "./dates";
import { DEFAULT_MAX_COLUMNS, DEFAULT_MAX_ROWS, SheetData } from "./sheetData";
import { decodeWorkbook, encodeWorkbook, type WorkbookJSON } from "./workbookJson";

/**
 * Google's limit on the cells of a spreadsheet, all tabs together, empty cells included:
 * https://support.google.com/drive/answer/37603
 */
export const CELL_LIMIT = 10_000_000;

/** The longest tab name Sheets takes (the Sheets API refuses longer titles with this message). */
export const SHEET_NAME_LIMIT = 100;

export interface WorkbookOptions {
  id?: string;
  name?: string;
  /** An IANA time zone; Etc/UTC when not given. */
  timeZone?: string;
}

/** A spreadsheet: its tabs in order, the active one, and what the preview keeps across restarts. */
export class Workbook {
  id: string;
  name: string;
  timeZone: string;
  readonly sheets: SheetData[] = [];
  activeSheetId = 0;

  /** A new spreadsheet has one tab, "Sheet1", of 1000 rows and 26 columns, as in Sheets. */
  constructor(options: WorkbookOptions = {}) {
    this.id = options.id ?? "emulated-spreadsheet";
    this.name = options.name ?? "Untitled spreadsheet";
    this.timeZone = options.timeZone ?? "Etc/UTC";
    checkTimeZone(this.timeZone);
    this.sheets.push(new SheetData("Sheet1", 0));
  }

  get activeSheet(): SheetData {
    const sheet = this.sheets.find((s) => s.sheetId === this.activeSheetId) ?? this.sheets[0];
    if (!sheet) throw new Error("The spreadsheet has no sheets.");
    return sheet;
  }

  set activeSheet(sheet: SheetData) {
    this.activeSheetId = sheet.sheetId;
  }

  /** Sheet names are unique regardless of case, as in Sheets, and found regardless of case. */
  sheetByName(name: string): SheetData | undefined {
    const wanted = name.toLowerCase();
    return this.sheets.find((s) => s.name.toLowerCase() === wanted);
  }

  sheetById(sheetId: number): SheetData | undefined {
    return this.sheets.find((s) => s.sheetId === sheetId);
  }

  /** Adds a tab of 1000 × 26 cells at a 0-based index (default: the end); does not activate it. */
  addSheet(name?: string, index = this.sheets.length): SheetData {
    const sheetName = name ?? this.defaultSheetName();
    this.checkName(sheetName);
    this.checkRoom(DEFAULT_MAX_ROWS * DEFAULT_MAX_COLUMNS);
    const sheet = new SheetData(sheetName, this.nextSheetId());
    this.sheets.splice(Math.max(0, Math.min(index, this.sheets.length)), 0, sheet);
    return sheet;
  }

  renameSheet(sheet: SheetData, name: string): void {
    this.checkName(name, sheet);
    sheet.name = name;
  }

  removeSheet(sheet: SheetData): void {
    if (this.sheets.length === 1) throw new Error("You can't remove all the sheets in a document.");
    const index = this.sheets.indexOf(sheet);
    if (index < 0) return;
    this.sheets.splice(index, 1);
    if (this.activeSheetId === sheet.sheetId)
      this.activeSheet = this.sheets[Math.max(0, index - 1)] ?? this.activeSheet;
  }

  /** Inserts rows into a tab, within the workbook's cell limit. */
  insertRows(sheet: SheetData, after: number, count: number): void {
    this.checkRoom(count * sheet.maxColumns);
    sheet.insertRows(after, count);
  }

  /** Inserts columns into a tab, within the workbook's cell limit. */
  insertColumns(sheet: SheetData, after: number, count: number): void {
    this.checkRoom(count * sheet.maxRows);
    sheet.insertColumns(after, count);
  }

  /** Cells of all tabs, empty ones included: what Google's limit counts. */
  totalCells(): number {
    return this.sheets.reduce((n, s) => n + s.maxRows * s.maxColumns, 0);
  }

  toJSON(): WorkbookJSON {
    return encodeWorkbook(this);
  }

  /** The workbook `toJSON` described (after a JSON round trip or not). */
  static fromJSON(json: WorkbookJSON): Workbook {
    const parts = decodeWorkbook(json);
    const workbook = new Workbook({ id: parts.id, name: parts.name, timeZone: parts.timeZone });
    workbook.sheets.splice(0, workbook.sheets.length, ...parts.sheets);
    workbook.activeSheetId = parts.activeSheetId;
    return workbook;
  }

  private checkRoom(extraCells: number): void {
    if (this.totalCells() + extraCells > CELL_LIMIT)
      throw new Error(
        `This action would increase the number of cells in the workbook above the limit of ${CELL_LIMIT} cells.`,
      );
  }

  /**
   * A tab's name: not blank, at most 100 characters, and no other tab's name in any case. The messages
   * are what Sheets says (the duplicate), and the Sheets API's wording for the others.
   */
  checkName(name: string, renamed?: SheetData): void {
    if (name.trim() === "") throw new Error("The sheet name cannot be blank.");
    if (name.length > SHEET_NAME_LIMIT)
      throw new Error(`The sheet name cannot be greater than ${SHEET_NAME_LIMIT} characters.`);
    const holder = this.sheetByName(name);
    if (holder && holder !== renamed)
      throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
  }

  private defaultSheetName(): string {
    let n = this.sheets.length + 1;
    while (this.sheetByName(`Sheet${n}`)) n++;
    return `Sheet${n}`;
  }

  private nextSheetId(): number {
    return this.sheets.reduce((max, s) => Math.max(max, s.sheetId), -1) + 1;
  }
}

import { clearEdit, edits } from "./cellEdits";
import type { ServiceContext } from "./context";
import { countCalls } from "./counting";
import { currentCell, type Range, rangeAt, rangeFromA1, select } from "./range";
import { RangeList } from "./rangeList";
import type { SheetData } from "./sheetData";
import type { Spreadsheet } from "./spreadsheet";

/** One tab: Apps Script's Sheet. */
export class Sheet {
  constructor(
    readonly ctx: ServiceContext,
    readonly data: SheetData,
  ) {}

  getName(): string {
    return this.data.name;
  }

  /** A name another sheet has (in any case) throws Google's duplicate-name message. */
  setName(name: string): this {
    this.ctx.workbook.renameSheet(this.data, String(name));
    return this;
  }

  getSheetId(): number {
    return this.data.sheetId;
  }

  /** 1-based position among the tabs. */
  getIndex(): number {
    return this.ctx.workbook.sheets.indexOf(this.data) + 1;
  }

  getParent(): Spreadsheet {
    return this.ctx.spreadsheet();
  }

  /** `getRange("A1:C3")`, or `getRange(row, column, numRows?, numColumns?)`, 1-based. */
  getRange(a1OrRow: string | number, column?: number, numRows?: number, numColumns?: number): Range {
    if (typeof a1OrRow === "string") return rangeFromA1(this.ctx, this.data, a1OrRow);
    return rangeAt(this.ctx, this.data, a1OrRow, column as number, numRows, numColumns);
  }

  getRangeList(a1Notations: string[]): RangeList {
    return new RangeList(
      this.ctx,
      a1Notations.map((a1) => rangeFromA1(this.ctx, this.data, a1)),
    );
  }

  /** A1 to the last row and column with content; A1 alone on an empty sheet. */
  getDataRange(): Range {
    const rows = Math.max(1, this.data.lastRow());
    const columns = Math.max(1, this.data.lastColumn());
    return rangeAt(this.ctx, this.data, 1, 1, rows, columns);
  }

  /** The last row with content; 0 when there is none. */
  getLastRow(): number {
    return this.data.lastRow();
  }

  getLastColumn(): number {
    return this.data.lastColumn();
  }

  getMaxRows(): number {
    return this.data.maxRows;
  }

  getMaxColumns(): number {
    return this.data.maxColumns;
  }

  insertRowsAfter(afterPosition: number, howMany: number): this {
    insertRows(this, afterPosition, howMany);
    return this;
  }

  insertRowsBefore(beforePosition: number, howMany: number): this {
    insertRows(this, beforePosition - 1, howMany);
    return this;
  }

  insertRowAfter(afterPosition: number): this {
    insertRows(this, afterPosition, 1);
    return this;
  }

  insertRowBefore(beforePosition: number): this {
    insertRows(this, beforePosition - 1, 1);
    return this;
  }

  insertColumnsAfter(afterPosition: number, howMany: number): this {
    insertColumns(this, afterPosition, howMany);
    return this;
  }

  insertColumnsBefore(beforePosition: number, howMany: number): this {
    insertColumns(this, beforePosition - 1, howMany);
    return this;
  }

  insertColumnAfter(afterPosition: number): this {
    insertColumns(this, afterPosition, 1);
    return this;
  }

  insertColumnBefore(beforePosition: number): this {
    insertColumns(this, beforePosition - 1, 1);
    return this;
  }

  /** https://developers.google.com/apps-script/reference/spreadsheet/sheet#deleteRows(Integer,Integer) */
  deleteRows(rowPosition: number, howMany: number): void {
    deleteLines(this.data, "rows", rowPosition, howMany);
  }

  deleteRow(rowPosition: number): void {
    deleteLines(this.data, "rows", rowPosition, 1);
  }

  /** https://developers.google.com/apps-script/reference/spreadsheet/sheet#deleteColumns(Integer,Integer) */
  deleteColumns(columnPosition: number, howMany: number): void {
    deleteLines(this.data, "columns", columnPosition, howMany);
  }

  deleteColumn(columnPosition: number): void {
    deleteLines(this.data, "columns", columnPosition, 1);
  }

  setFrozenRows(rows: number): void {
    this.data.frozenRows = checkFreeze(rows, this.data.maxRows, "rows");
  }

  getFrozenRows(): number {
    return this.data.frozenRows;
  }

  setFrozenColumns(columns: number): void {
    this.data.frozenColumns = checkFreeze(columns, this.data.maxColumns, "columns");
  }

  getFrozenColumns(): number {
    return this.data.frozenColumns;
  }

  /** Makes this the active sheet. */
  activate(): this {
    this.ctx.workbook.activeSheet = this.data;
    return this;
  }

  /** The selection, when this is the active sheet; null otherwise. */
  getActiveRange(): Range | null {
    return this.ctx.workbook.activeSheet === this.data ? selectionOf(this) : null;
  }

  getActiveCell(): Range {
    return currentCell(this.ctx, this.data);
  }

  getCurrentCell(): Range {
    return currentCell(this.ctx, this.data);
  }

  setActiveRange(range: Range): Range {
    select(range);
    return range;
  }

  /** `setActiveSelection("B2:C3")` or a Range. */
  setActiveSelection(range: Range | string): Range {
    const target = typeof range === "string" ? rangeFromA1(this.ctx, this.data, range) : range;
    select(target);
    return target;
  }

  /** Contents and formats of every cell (or only what the options name). */
  clear(options?: { contentsOnly?: boolean; formatOnly?: boolean }): this {
    this.data.updateCells(everything(this.data), clearEdit(options), true);
    return this;
  }

  clearContents(): this {
    this.data.updateCells(everything(this.data), edits.clearContent, true);
    return this;
  }

  clearFormats(): this {
    this.data.updateCells(everything(this.data), edits.clearFormat, true);
    return this;
  }

  clearNotes(): this {
    this.data.updateCells(everything(this.data), edits.clearNote, true);
    return this;
  }

  /** Column widths are not modelled: counted, and nothing else. */
  autoResizeColumns(_startColumn: number, _numColumns: number): this {
    return this;
  }

  autoResizeColumn(_column: number): this {
    return this;
  }

  setColumnWidth(_column: number, _width: number): this {
    return this;
  }
}

function selectionOf(sheet: Sheet): Range {
  const s = sheet.data.selection;
  return rangeAt(sheet.ctx, sheet.data, s.row, s.column, s.numRows, s.numColumns);
}

function everything(data: SheetData) {
  return { row: 1, column: 1, numRows: data.maxRows, numColumns: data.maxColumns };
}

function insertRows(sheet: Sheet, after: number, count: number): void {
  if (!Number.isInteger(after) || after < 0 || after > sheet.data.maxRows)
    throw new Error("Those rows are out of bounds.");
  if (!Number.isInteger(count) || count < 1)
    throw new Error("The number of rows to insert must be at least 1.");
  sheet.ctx.workbook.insertRows(sheet.data, after, count);
}

function insertColumns(sheet: Sheet, after: number, count: number): void {
  if (!Number.isInteger(after) || after < 0 || after > sheet.data.maxColumns)
    throw new Error("Those columns are out of bounds.");
  if (!Number.isInteger(count) || count < 1)
    throw new Error("The number of columns to insert must be at least 1.");
  sheet.ctx.workbook.insertColumns(sheet.data, after, count);
}

/** Sheets keeps at least one row and one column that is not frozen, and says so in these words. */
function deleteLines(data: SheetData, what: "rows" | "columns", position: number, count: number): void {
  const max = what === "rows" ? data.maxRows : data.maxColumns;
  const frozen = what === "rows" ? data.frozenRows : data.frozenColumns;
  if (
    !Number.isInteger(position) ||
    !Number.isInteger(count) ||
    position < 1 ||
    count < 1 ||
    position + count - 1 > max
  )
    throw new Error(`Those ${what} are out of bounds.`);
  if (max - count <= frozen) throw new Error(`Sorry, it is not possible to delete all non-frozen ${what}.`);
  if (what === "rows") data.deleteRows(position, count);
  else data.deleteColumns(position, count);
}

function checkFreeze(count: number, max: number, what: "rows" | "columns"): number {
  if (!Number.isInteger(count) || count < 0 || count > max)
    throw new Error(`Those ${what} are out of bounds.`);
  return count;
}

const CLEARS = new Set(["clear", "clearContents", "clearFormats", "clearNotes"]);

countCalls(Sheet, "Sheet", (sheet, method) =>
  CLEARS.has(method) ? Math.max(1, sheet.data.lastRow()) * Math.max(1, sheet.data.lastColumn()) : 0,
);

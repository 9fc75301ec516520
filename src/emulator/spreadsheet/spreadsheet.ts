import type { ServiceContext } from "./context";
import { countCalls } from "./counting";
import { activeRange, currentCell, type Range, rangeFromA1, select } from "./range";
import { RangeList } from "./rangeList";
import type { Sheet } from "./sheet";

/** The workbook: Apps Script's Spreadsheet. */
export class Spreadsheet {
  constructor(readonly ctx: ServiceContext) {}

  getName(): string {
    return this.ctx.workbook.name;
  }

  rename(name: string): void {
    this.ctx.workbook.name = String(name);
  }

  getId(): string {
    return this.ctx.workbook.id;
  }

  getUrl(): string {
    return this.ctx.options.url ?? `https://docs.google.com/spreadsheets/d/${this.ctx.workbook.id}/edit`;
  }

  getSpreadsheetTimeZone(): string {
    return this.ctx.workbook.timeZone;
  }

  getSpreadsheetLocale(): string {
    return "en_US";
  }

  getSheets(): Sheet[] {
    return this.ctx.workbook.sheets.map((data) => this.ctx.sheetOf(data));
  }

  getNumSheets(): number {
    return this.ctx.workbook.sheets.length;
  }

  /** null when there is no such sheet; names match regardless of case. */
  getSheetByName(name: string): Sheet | null {
    const data = this.ctx.workbook.sheetByName(String(name));
    return data ? this.ctx.sheetOf(data) : null;
  }

  getSheetById(id: number): Sheet | null {
    const data = this.ctx.workbook.sheetById(id);
    return data ? this.ctx.sheetOf(data) : null;
  }

  getActiveSheet(): Sheet {
    return this.ctx.sheetOf(this.ctx.workbook.activeSheet);
  }

  setActiveSheet(sheet: Sheet): Sheet {
    this.ctx.workbook.activeSheet = sheet.data;
    return sheet;
  }

  /**
   * A new 1000 × 26 tab, which becomes the active sheet: `insertSheet()`, `insertSheet(name)`,
   * `insertSheet(index)`, `insertSheet(name, index)` (0-based; default: after the active sheet).
   * A name in use throws Google's message; so does going over 10 million cells.
   */
  insertSheet(nameOrIndex?: string | number | object, index?: number | object): Sheet {
    const name = typeof nameOrIndex === "string" ? nameOrIndex : undefined;
    const position =
      typeof nameOrIndex === "number"
        ? nameOrIndex
        : typeof index === "number"
          ? index
          : this.ctx.workbook.sheets.indexOf(this.ctx.workbook.activeSheet) + 1;
    const data = this.ctx.workbook.addSheet(name, position);
    this.ctx.workbook.activeSheet = data;
    return this.ctx.sheetOf(data);
  }

  deleteSheet(sheet: Sheet): void {
    this.ctx.workbook.removeSheet(sheet.data);
  }

  /** The selection on the active sheet. */
  getActiveRange(): Range {
    return activeRange(this.ctx);
  }

  getActiveRangeList(): RangeList {
    return new RangeList(this.ctx, [activeRange(this.ctx)]);
  }

  getActiveCell(): Range {
    return currentCell(this.ctx, this.ctx.workbook.activeSheet);
  }

  getCurrentCell(): Range {
    return currentCell(this.ctx, this.ctx.workbook.activeSheet);
  }

  setActiveRange(range: Range): Range {
    select(range);
    return range;
  }

  setActiveSelection(range: Range | string): Range {
    const target =
      typeof range === "string" ? rangeFromA1(this.ctx, this.ctx.workbook.activeSheet, range) : range;
    select(target);
    return target;
  }

  /** `getRange("Sheet2!A1:B2")`; without a sheet name, on the active sheet. */
  getRange(a1Notation: string): Range {
    return rangeFromA1(this.ctx, this.ctx.workbook.activeSheet, a1Notation);
  }

  /** Ranges on the active sheet, unless a notation names another. */
  getRangeList(a1Notations: string[]): RangeList {
    const sheet = this.ctx.workbook.activeSheet;
    return new RangeList(
      this.ctx,
      a1Notations.map((a1) => rangeFromA1(this.ctx, sheet, a1)),
    );
  }

  /** Shown by the host when it gave an onToast; counted either way. */
  toast(message: string, title = "", timeoutSeconds = 5): void {
    this.ctx.options.onToast?.({ message: String(message), title: String(title), timeoutSeconds });
  }
}

countCalls(Spreadsheet, "Spreadsheet");

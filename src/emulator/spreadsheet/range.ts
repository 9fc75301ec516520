import { handOver, resultRealm } from "../membrane";
import { a1Notation, boundsOf, parseA1, RANGE_NOT_FOUND } from "./a1";
import { type Cell, DEFAULT_BACKGROUND, DEFAULT_FONT_COLOR, DEFAULT_FONT_WEIGHT, hasContent } from "./cell";
import { type CellEdit, type ClearOptions, clearEdit, edits, normalizeColor } from "./cellEdits";
import { checkCellInput, checkCellInputs, writeInput } from "./cellInput";
import type { ServiceContext } from "./context";
import { countCalls } from "./counting";
import { DataValidation, ruleOf } from "./dataValidation";
import { AUTOMATIC_FORMAT_NAME, displayValue, scriptValue } from "./format";
import type { Sheet } from "./sheet";
import type { Bounds, SheetData } from "./sheetData";

export const OUTSIDE_SHEET = "The coordinates of the range are outside the dimensions of the sheet.";

/** A block of cells of one tab: Apps Script's Range. */
export class Range {
  constructor(
    readonly ctx: ServiceContext,
    readonly data: SheetData,
    readonly bounds: Bounds,
  ) {}

  getRow(): number {
    return this.bounds.row;
  }

  getColumn(): number {
    return this.bounds.column;
  }

  getNumRows(): number {
    return this.bounds.numRows;
  }

  getNumColumns(): number {
    return this.bounds.numColumns;
  }

  getLastRow(): number {
    return this.bounds.row + this.bounds.numRows - 1;
  }

  getLastColumn(): number {
    return this.bounds.column + this.bounds.numColumns - 1;
  }

  getA1Notation(): string {
    return a1Notation(this.bounds);
  }

  getSheet(): Sheet {
    return this.ctx.sheetOf(this.data);
  }

  getGridId(): number {
    return this.data.sheetId;
  }

  /** A cell of this range, 1-based from its top-left corner. */
  getCell(row: number, column: number): Range {
    if (row < 1 || column < 1 || row > this.bounds.numRows || column > this.bounds.numColumns)
      throw new Error("Cell reference out of range");
    return rangeAt(this.ctx, this.data, this.bounds.row + row - 1, this.bounds.column + column - 1, 1, 1);
  }

  offset(rowOffset: number, columnOffset: number, numRows?: number, numColumns?: number): Range {
    const b = this.bounds;
    return rangeAt(
      this.ctx,
      this.data,
      b.row + rowOffset,
      b.column + columnOffset,
      numRows ?? b.numRows,
      numColumns ?? b.numColumns,
    );
  }

  /** Selects this range and makes its sheet the active one. */
  activate(): this {
    select(this);
    return this;
  }

  getValue(): unknown {
    return scriptValue(this.data.cell(this.bounds.row, this.bounds.column), this.ctx.workbook.timeZone);
  }

  /** Numbers, booleans, Dates (for dates) and strings; "" for empty cells. */
  getValues(): unknown[][] {
    const tz = this.ctx.workbook.timeZone;
    const realm = resultRealm();
    // A Date is made anew for each read, so the script's changes to it never reach the cell.
    const read =
      realm.Date === Date
        ? (cell: Cell) => scriptValue(cell, tz)
        : (cell: Cell) => {
            const value = scriptValue(cell, tz);
            // The only object a cell's value reads as is a Date of this realm.
            return typeof value === "object" ? new realm.Date(value.getTime()) : value;
          };
    return handOver(this.data.readCells(this.bounds, read, "" as unknown, realm.Array));
  }

  getDisplayValue(): string {
    return displayValue(this.data.cell(this.bounds.row, this.bounds.column), this.ctx.workbook.timeZone);
  }

  getDisplayValues(): string[][] {
    const tz = this.ctx.workbook.timeZone;
    return handOver(
      this.data.readCells(this.bounds, (cell) => displayValue(cell, tz), "", resultRealm().Array),
    );
  }

  /** Sets every cell of the range to the value; more than 50,000 characters throw Google's message. */
  setValue(value: unknown): this {
    checkCellInput(value);
    apply(this, edits.value(value, this.ctx.workbook.timeZone));
    return this;
  }

  setValues(values: unknown[][]): this {
    checkShape(values, this.bounds, "setValues");
    checkCellInputs(values);
    const tz = this.ctx.workbook.timeZone;
    this.data.updateCells(this.bounds, (cell, i, j) => writeInput(cell, values[i]?.[j], tz));
    return this;
  }

  getFormula(): string {
    return this.data.cell(this.bounds.row, this.bounds.column)?.formula ?? "";
  }

  getFormulas(): string[][] {
    return handOver(this.data.readCells(this.bounds, (cell) => cell.formula ?? "", "", resultRealm().Array));
  }

  setFormula(formula: string): this {
    checkCellInput(formula);
    apply(this, edits.formula(formula, this.ctx.workbook.timeZone));
    return this;
  }

  setFormulas(formulas: string[][]): this {
    checkShape(formulas, this.bounds, "setFormulas");
    checkCellInputs(formulas);
    const tz = this.ctx.workbook.timeZone;
    this.data.updateCells(this.bounds, (cell, i, j) => edits.formula(formulas[i]?.[j] ?? "", tz)(cell));
    return this;
  }

  getBackground(): string {
    return topLeft(this)?.background ?? DEFAULT_BACKGROUND;
  }

  getBackgrounds(): string[][] {
    return handOver(
      this.data.readProperty(this.bounds, "background", DEFAULT_BACKGROUND, resultRealm().Array),
    );
  }

  /** null resets to the default (white). */
  setBackground(color: string | null): this {
    apply(this, edits.background(color));
    return this;
  }

  setBackgrounds(colors: (string | null)[][]): this {
    checkShape(colors, this.bounds, "setBackgrounds");
    this.data.writeProperty(this.bounds, "background", colors, backgroundOf());
    return this;
  }

  getNote(): string {
    return topLeft(this)?.note ?? "";
  }

  getNotes(): string[][] {
    return handOver(this.data.readProperty(this.bounds, "note", "", resultRealm().Array));
  }

  /** null or "" removes the note. */
  setNote(note: string | null): this {
    apply(this, edits.note(note));
    return this;
  }

  setNotes(notes: (string | null)[][]): this {
    checkShape(notes, this.bounds, "setNotes");
    this.data.writeProperty(this.bounds, "note", notes, noteOf);
    return this;
  }

  getNumberFormat(): string {
    return topLeft(this)?.numberFormat || AUTOMATIC_FORMAT_NAME;
  }

  getNumberFormats(): string[][] {
    return handOver(
      this.data.readCells(
        this.bounds,
        (cell) => cell.numberFormat || AUTOMATIC_FORMAT_NAME,
        AUTOMATIC_FORMAT_NAME,
        resultRealm().Array,
      ),
    );
  }

  setNumberFormat(pattern: string): this {
    apply(this, edits.numberFormat(pattern));
    return this;
  }

  setNumberFormats(patterns: string[][]): this {
    checkShape(patterns, this.bounds, "setNumberFormats");
    this.data.updateCells(this.bounds, (cell, i, j) => edits.numberFormat(patterns[i]?.[j] ?? null)(cell));
    return this;
  }

  getDataValidation(): DataValidation | null {
    const rule = topLeft(this)?.validation;
    return rule ? new DataValidation(this.ctx, rule) : null;
  }

  getDataValidations(): (DataValidation | null)[][] {
    return this.data.readCells(
      this.bounds,
      (cell) => (cell.validation ? new DataValidation(this.ctx, cell.validation) : null),
      null as DataValidation | null,
    );
  }

  /** null removes the rule. */
  setDataValidation(rule: DataValidation | null): this {
    apply(this, edits.validation(ruleOf(rule)));
    return this;
  }

  setDataValidations(rules: (DataValidation | null)[][]): this {
    checkShape(rules, this.bounds, "setDataValidations");
    const resolved = rules.map((line) => line.map(ruleOf));
    this.data.updateCells(this.bounds, (cell, i, j) => edits.validation(resolved[i]?.[j])(cell));
    return this;
  }

  clearDataValidations(): this {
    apply(this, edits.clearValidation, true);
    return this;
  }

  /** Checkboxes in every cell, unchecked: a CHECKBOX rule and the value false. */
  insertCheckboxes(): this {
    apply(this, (cell) => {
      cell.validation = CHECKBOX_RULE;
      cell.value = false;
      delete cell.formula;
    });
    return this;
  }

  getFontWeight(): string {
    return topLeft(this)?.fontWeight ?? DEFAULT_FONT_WEIGHT;
  }

  getFontWeights(): string[][] {
    return handOver(
      this.data.readCells(
        this.bounds,
        (cell) => cell.fontWeight ?? DEFAULT_FONT_WEIGHT,
        DEFAULT_FONT_WEIGHT,
        resultRealm().Array,
      ),
    );
  }

  setFontWeight(weight: string | null): this {
    apply(this, edits.fontWeight(weight));
    return this;
  }

  setFontWeights(weights: (string | null)[][]): this {
    checkShape(weights, this.bounds, "setFontWeights");
    this.data.updateCells(this.bounds, (cell, i, j) => edits.fontWeight(weights[i]?.[j] ?? null)(cell));
    return this;
  }

  getFontColor(): string {
    return topLeft(this)?.fontColor ?? DEFAULT_FONT_COLOR;
  }

  getFontColors(): string[][] {
    return handOver(
      this.data.readCells(
        this.bounds,
        (cell) => cell.fontColor ?? DEFAULT_FONT_COLOR,
        DEFAULT_FONT_COLOR,
        resultRealm().Array,
      ),
    );
  }

  setFontColor(color: string | null): this {
    apply(this, edits.fontColor(color));
    return this;
  }

  /** Values and formulas; formats, notes and rules stay. */
  clearContent(): this {
    apply(this, edits.clearContent, true);
    return this;
  }

  /** Background, number format and font; values, notes and rules stay. */
  clearFormat(): this {
    apply(this, edits.clearFormat, true);
    return this;
  }

  clearNote(): this {
    apply(this, edits.clearNote, true);
    return this;
  }

  /** Contents and formats, or only what the options name. */
  clear(options?: ClearOptions): this {
    apply(this, clearEdit(options), true);
    return this;
  }

  /** True when no cell has a value or formula. */
  isBlank(): boolean {
    return !this.data.someCell(this.bounds, hasContent);
  }
}

/**
 * What a cell keeps of a colour given to setBackgrounds (undefined: the default), each distinct colour
 * normalised once a call: a block is mostly a few colours and nulls.
 */
function backgroundOf(): (color: unknown) => string | undefined {
  const known = new Map<unknown, string | undefined>();
  // Most cells repeat the colour before them (a grid read back with a few highlights).
  let last: unknown = null;
  let lastKept: string | undefined;
  return (color) => {
    if (color === null || color === undefined) return undefined;
    if (color === last) return lastKept;
    let kept = known.get(color);
    if (kept === undefined && !known.has(color)) {
      const normal = normalizeColor(color as string, DEFAULT_BACKGROUND);
      kept = normal === DEFAULT_BACKGROUND ? undefined : normal;
      known.set(color, kept);
    }
    last = color;
    lastKept = kept;
    return kept;
  };
}

/** What a cell keeps of a note given to setNotes: null, undefined and "" remove it. */
function noteOf(note: unknown): string | undefined {
  return note === null || note === undefined || note === "" ? undefined : String(note);
}

const CHECKBOX_RULE = Object.freeze({
  criteria: "CHECKBOX",
  values: Object.freeze([]),
  allowInvalid: true,
  helpText: "",
});

/** A range at 1-based coordinates, with Google's messages for coordinates that do not fit the sheet. */
export function rangeAt(
  ctx: ServiceContext,
  data: SheetData,
  row: number,
  column: number,
  numRows = 1,
  numColumns = 1,
): Range {
  if (![row, column, numRows, numColumns].every(Number.isInteger))
    throw new Error(
      `The parameters (${[row, column, numRows, numColumns].map(typeName).join(",")}) don't match the method signature for SpreadsheetApp.Sheet.getRange.`,
    );
  if (row < 1) throw new Error("The starting row of the range is too small.");
  if (column < 1) throw new Error("The starting column of the range is too small.");
  if (numRows < 1) throw new Error("The number of rows in the range must be at least 1.");
  if (numColumns < 1) throw new Error("The number of columns in the range must be at least 1.");
  if (row + numRows - 1 > data.maxRows || column + numColumns - 1 > data.maxColumns)
    throw new Error(OUTSIDE_SHEET);
  return new Range(ctx, data, { row, column, numRows, numColumns });
}

/** A range from A1 notation; a sheet name in it wins over the sheet it is asked of. */
export function rangeFromA1(ctx: ServiceContext, sheet: SheetData, a1: string): Range {
  const ref = parseA1(a1);
  const data = ref.sheetName === undefined ? sheet : ctx.workbook.sheetByName(ref.sheetName);
  if (!data) throw new Error(RANGE_NOT_FOUND);
  const b = boundsOf(ref, data.maxRows, data.maxColumns);
  return rangeAt(ctx, data, b.row, b.column, b.numRows, b.numColumns);
}

/** The selection on the active sheet. */
export function activeRange(ctx: ServiceContext): Range {
  const data = ctx.workbook.activeSheet;
  const s = data.selection;
  return rangeAt(ctx, data, s.row, s.column, s.numRows, s.numColumns);
}

/** The top-left cell of a sheet's selection. */
export function currentCell(ctx: ServiceContext, data: SheetData): Range {
  return rangeAt(ctx, data, data.selection.row, data.selection.column);
}

/** Makes a range the selection and its sheet the active one (Range.activate, setActiveRange, …). */
export function select(range: Range): void {
  range.ctx.workbook.activeSheet = range.data;
  range.data.selection = { ...range.bounds };
}

export function apply(range: Range, edit: CellEdit, onlyExisting = false): void {
  range.data.updateCells(range.bounds, edit, onlyExisting);
}

function topLeft(range: Range): Cell | undefined {
  return range.data.cell(range.bounds.row, range.bounds.column);
}

/** Google's messages for a 2-D array of another size than the range. */
function checkShape(data: unknown, bounds: Bounds, method: string): void {
  if (!Array.isArray(data) || !data.every(Array.isArray))
    throw new Error(
      `The parameters (${typeName(data)}) don't match the method signature for SpreadsheetApp.Range.${method}.`,
    );
  if (data.length !== bounds.numRows)
    throw new Error(
      `The number of rows in the data does not match the number of rows in the range. The data has ${data.length} but the range has ${bounds.numRows}.`,
    );
  for (const line of data as unknown[][])
    if (line.length !== bounds.numColumns)
      throw new Error(
        `The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${bounds.numColumns}.`,
      );
}

/** A value's type as Apps Script names it in its messages. */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `${value.length ? typeName(value[0]) : "Object"}[]`;
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number") return "number";
  return "Object";
}

const GEOMETRY = new Set([
  "getRow",
  "getColumn",
  "getNumRows",
  "getNumColumns",
  "getLastRow",
  "getLastColumn",
  "getA1Notation",
  "getSheet",
  "getGridId",
  "getCell",
  "offset",
  "activate",
]);

/** Cells a Range call reads or writes: none for its coordinates, one for a single getter, else all. */
export function cellsOfRangeCall(range: Range, method: string): number {
  if (GEOMETRY.has(method)) return 0;
  if (method.startsWith("get") && !method.endsWith("s")) return 1;
  return range.bounds.numRows * range.bounds.numColumns;
}

countCalls(Range, "Range", cellsOfRangeCall);

/** One cell as Sheets keeps it: a value or a formula, its formatting, its note and its validation rule. */

export type CellValue = string | number | boolean | Date;

/**
 * A data validation rule as `DataValidationBuilder.build()` makes it. Rules are frozen, so the cells of
 * a range share one rule object (and the workbook file stores it once).
 */
export interface ValidationRule {
  /** A `DataValidationCriteria` name: `VALUE_IN_LIST`, `CHECKBOX`, … */
  readonly criteria: string;
  /** What `getCriteriaValues()` returns: `[values, showDropdown]` for a list, `[checked?, unchecked?]` for a checkbox. */
  readonly values: readonly unknown[];
  readonly allowInvalid: boolean;
  readonly helpText: string;
}

/** A property left out is at its default: no value, `#ffffff`, no note, automatic number format, … */
export interface Cell {
  value?: CellValue;
  /** A formula, starting with `=`; the emulator does not evaluate it, so the cell's value reads as "". */
  formula?: string;
  background?: string;
  note?: string;
  /** `""` or left out: automatic. */
  numberFormat?: string;
  validation?: ValidationRule;
  fontWeight?: string;
  fontColor?: string;
}

export const DEFAULT_BACKGROUND = "#ffffff";
export const DEFAULT_FONT_COLOR = "#000000";
export const DEFAULT_FONT_WEIGHT = "normal";

/**
 * What a tab's grid keeps at a cell: nothing; a bare string, number or boolean for a cell that holds
 * that value and nothing else (most cells of a sheet of data); or the Cell. A million-cell tab so keeps
 * no million objects for the collector to trace (a Date, an object itself, is kept in a Cell).
 */
export type StoredCell = Cell | string | number | boolean | undefined;

/** The Cell a grid keeps at a place: made anew for a bare value, so changing it changes no sheet. */
export function cellOf(stored: StoredCell): Cell | undefined {
  return stored === undefined || typeof stored === "object" ? stored : { value: stored };
}

/** What a grid keeps for a cell (see StoredCell): undefined when it is empty, its value when that is all. */
export function storedCell(cell: Cell): StoredCell {
  for (const key in cell)
    if (key !== "value" && (cell as Record<string, unknown>)[key] !== undefined) return cell;
  const value = cell.value;
  return value === undefined || typeof value !== "object" ? value : cell;
}

/** Whether a cell counts for getLastRow and isBlank: a value or a formula, not formatting or notes. */
export function hasContent(stored: StoredCell): boolean {
  if (stored === undefined) return false;
  return typeof stored !== "object" || stored.value !== undefined || stored.formula !== undefined;
}

/** True for a Date of any realm (the add-on's Dates are not this realm's). */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

/** Sets a cell property, or removes it when the value is the default (so empty cells stay empty). */
export function setProperty<K extends keyof Cell>(cell: Cell, key: K, value: Cell[K] | undefined): void {
  // A property left out stays out: no delete (which would slow every later access to the cell).
  if (value === undefined) {
    if (cell[key] !== undefined) delete cell[key];
  } else cell[key] = value;
}

import { type Cell, type CellValue, isDate } from "./cell";
import { formatDate, isDatePattern } from "./datePattern";
import { fromSerial, toSerial, wallClock } from "./dates";
import { formatNumber, generalNumber } from "./numberPattern";

/**
 * How a cell reads back: the value getValues gives and the text getDisplayValues gives (what the grid
 * shows). Both follow the number format, because Sheets keeps a date as a number in a date format: a
 * number in a date-formatted cell reads as a Date, a date in a number-formatted cell as its serial.
 */

/** What getNumberFormat reports for a cell left at Automatic. */
export const AUTOMATIC_FORMAT_NAME = "0.###############";
export const PLAIN_TEXT = "@";

type FormatKind = "automatic" | "text" | "date" | "number";

const kinds = new Map<string, FormatKind>();

export function formatKind(pattern: string | undefined): FormatKind {
  if (!pattern || pattern.toLowerCase() === "general") return "automatic";
  if (pattern === PLAIN_TEXT) return "text";
  let kind = kinds.get(pattern);
  if (!kind) {
    kind = isDatePattern(pattern) ? "date" : "number";
    kinds.set(pattern, kind);
  }
  return kind;
}

/** The value getValue(s) gives for a cell: "" when empty (and for a formula, which is not evaluated). */
export function scriptValue(cell: Cell | undefined, timeZone: string): CellValue {
  const value = cell?.value;
  if (value === undefined || typeof value === "string" || typeof value === "boolean") return value ?? "";
  if (isDate(value))
    return formatKind(cell?.numberFormat) === "number" ? toSerial(value, timeZone) : new Date(value);
  if (typeof value === "number" && formatKind(cell?.numberFormat) === "date")
    return fromSerial(value, timeZone);
  return value;
}

/** The text getDisplayValue(s) gives for a cell, in the spreadsheet's time zone. */
export function displayValue(cell: Cell | undefined, timeZone: string): string {
  const value = cell?.value;
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  const pattern = cell?.numberFormat ?? "";
  const kind = formatKind(pattern);
  if (isDate(value)) {
    if (kind === "date") return formatDate(value, pattern, timeZone);
    if (kind === "number") return formatNumber(toSerial(value, timeZone), pattern);
    return formatDate(value, defaultDatePattern(value, timeZone), timeZone);
  }
  if (kind === "date") return formatDate(fromSerial(value, timeZone), pattern, timeZone);
  if (kind === "number") return formatNumber(value, pattern);
  return generalNumber(value);
}

/** A date in an Automatic cell shows as `M/d/yyyy`, with `H:mm:ss` when it is not midnight. */
function defaultDatePattern(date: Date, timeZone: string): string {
  const w = wallClock(date, timeZone);
  return w.hour || w.minute || w.second ? "M/d/yyyy H:mm:ss" : "M/d/yyyy";
}

import { type Cell, type CellValue, isDate, setProperty } from "./cell";
import { dateInZone } from "./dates";
import { formatKind } from "./format";

/**
 * What a cell becomes when a script sets a value (or a person types one), as Sheets interprets it:
 * - a string starting with `=` is a formula; one starting with `'` is the text after the apostrophe;
 * - in a cell formatted as plain text (`@`), a string stays exactly as given;
 * - otherwise a string that reads as a number becomes that number (`02134` → 2134), `TRUE`/`FALSE` a
 *   boolean, and `yyyy-mm-dd` or `M/d/yyyy` a Date at midnight in the spreadsheet's time zone, whose
 *   format an Automatic cell takes on;
 * - numbers, booleans and Dates are kept; null, undefined and "" empty the cell.
 */
export interface Interpreted {
  value?: CellValue;
  formula?: string;
  /** The format an Automatic cell takes on for this input (a date typed as text). */
  numberFormat?: string;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

export function interpretInput(
  input: unknown,
  numberFormat: string | undefined,
  timeZone: string,
): Interpreted {
  if (input === null || input === undefined || input === "") return {};
  // -0 becomes 0: Sheets has no negative zero (and JSON would lose it).
  if (typeof input === "number")
    return Number.isFinite(input) ? { value: input + 0 } : { value: String(input) };
  if (typeof input === "boolean") return { value: input };
  if (isDate(input))
    return Number.isNaN(input.getTime()) ? { value: String(input) } : { value: new Date(input) };
  const text = String(input);
  if (formatKind(numberFormat) === "text") return { value: text };
  if (text.startsWith("'")) return text.length > 1 ? { value: text.slice(1) } : {};
  if (text.startsWith("=") && text.length > 1) return { formula: text };
  if (NUMBER.test(text)) return { value: Number(text) };
  const upper = text.toUpperCase();
  if (upper === "TRUE" || upper === "FALSE") return { value: upper === "TRUE" };
  const date = parseDate(text, timeZone);
  return date ?? { value: text };
}

/** Writes a value into a cell as Sheets would take it (see interpretInput). */
export function writeInput(cell: Cell, input: unknown, timeZone: string): void {
  const interpreted = interpretInput(input, cell.numberFormat, timeZone);
  setProperty(cell, "value", interpreted.value);
  setProperty(cell, "formula", interpreted.formula);
  if (interpreted.numberFormat && formatKind(cell.numberFormat) === "automatic")
    cell.numberFormat = interpreted.numberFormat;
}

function parseDate(text: string, timeZone: string): Interpreted | undefined {
  const iso = ISO_DATE.exec(text);
  const us = iso ? undefined : US_DATE.exec(text);
  const [year, month, day, numberFormat] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3]), "yyyy-mm-dd"]
    : us
      ? [Number(us[3]), Number(us[1]), Number(us[2]), "M/d/yyyy"]
      : [];
  if (year === undefined || month === undefined || day === undefined) return undefined;
  // 2023-02-30 is not a date, so Sheets keeps it as text.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return { value: dateInZone(timeZone, year, month, day), numberFormat };
}

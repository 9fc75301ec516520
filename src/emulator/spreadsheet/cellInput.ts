import { type Cell, type CellValue, isDate, setProperty } from "./cell";
import { dateInZone } from "./dates";
import { formatKind } from "./format";

/**
 * What a cell becomes when a script sets a value (or a person types one), as Sheets interprets it in
 * the en_US locale (https://support.google.com/docs/answer/58515, "Locale"):
 * - a string starting with `=` is a formula; one starting with `'` is the text after the apostrophe;
 * - in a cell formatted as plain text (`@`), a string stays exactly as given;
 * - otherwise a string that reads as a number, spaces around it ignored, becomes that number:
 *   `02134` → 2134, `+1` → 1, `1,000` → 1000 (format `#,##0`), `$12.50` and `-$5` → 12.5 and -5
 *   (currency format), `50%` → 0.5 (percent format); `TRUE`/`FALSE` a boolean; `yyyy-mm-dd` or
 *   `M/d/yyyy` a Date at midnight in the spreadsheet's time zone. An Automatic cell takes on the
 *   format the input implies, as Sheets shows `1,000` as `1,000`;
 * - numbers, booleans and Dates are kept; null, undefined and "" empty the cell.
 */
export interface Interpreted {
  value?: CellValue;
  formula?: string;
  /** The format an Automatic cell takes on for this input (a date typed as text). */
  numberFormat?: string;
}

/** Google's limit on what one cell holds: https://support.google.com/drive/answer/37603 */
export const CELL_CHARACTER_LIMIT = 50_000;
export const CELL_TOO_LONG = `Your input contains more than the maximum of ${CELL_CHARACTER_LIMIT} characters in a single cell.`;

/** A sign, then `$` (or a sign after it), digits (plain or grouped by threes), a `%`: en_US input. */
const NUMBER = /^([+-]?)(\$?)([+-]?)(\d+(?:\.\d*)?|\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d*)?)([eE][+-]?\d+)?(%?)$/;
export const CURRENCY_FORMAT = '"$"#,##0.00';
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
  const trimmed = text.trim();
  const number = parseNumber(trimmed);
  if (number) return number;
  const upper = trimmed.toUpperCase();
  if (upper === "TRUE" || upper === "FALSE") return { value: upper === "TRUE" };
  const date = parseDate(trimmed, timeZone);
  return date ?? { value: text };
}

/** Google's refusal of a value or formula over 50,000 characters, before anything is written. */
export function checkCellInput(input: unknown): void {
  if (typeof input === "string" && input.length > CELL_CHARACTER_LIMIT) throw new Error(CELL_TOO_LONG);
}

/** Every value of a 2-D array, checked as checkCellInput checks one. */
export function checkCellInputs(rows: readonly (readonly unknown[])[]): void {
  for (const row of rows) for (const input of row) checkCellInput(input);
}

function parseNumber(text: string): Interpreted | undefined {
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  const [, signBefore = "", dollar = "", signAfter = "", digits = "", exponent = "", percent = ""] = match;
  if (signBefore && signAfter) return undefined;
  if ((dollar || percent) && exponent) return undefined;
  if (dollar && percent) return undefined;
  const sign = signBefore || signAfter;
  const plain = digits.replace(/,/g, "");
  // Scaled in decimal notation, so 1.1% is 0.011 and not 0.011000000000000001.
  const magnitude = Number(percent ? `${plain}e-2` : `${plain}${exponent}`);
  const value = (sign === "-" ? -magnitude : magnitude) + 0;
  const decimals = plain.includes(".") && !/\.0*$/.test(plain);
  let numberFormat: string | undefined;
  if (dollar) numberFormat = CURRENCY_FORMAT;
  else if (percent) numberFormat = decimals ? "0.00%" : "0%";
  else if (digits.includes(",")) numberFormat = decimals ? "#,##0.00" : "#,##0";
  return numberFormat ? { value, numberFormat } : { value };
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

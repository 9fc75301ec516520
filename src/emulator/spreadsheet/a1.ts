import type { Bounds } from "./sheetData";

/**
 * A1 notation as Sheets reads it: `A1`, `A1:C3`, `A:C` (whole columns), `2:4` (whole rows), `A2:C`
 * (rows 2 to the last), optionally after a sheet name: `Sheet1!A1`, `'My sheet'!A1:B2`.
 */
export interface A1Reference {
  sheetName?: string;
  /** 1-based; left out for an open end (a whole column or row). */
  startRow?: number;
  startColumn?: number;
  endRow?: number;
  endColumn?: number;
}

export const RANGE_NOT_FOUND = "Range not found";

const PART = /^\$?([A-Za-z]{1,3})?\$?([1-9]\d*)?$/;

/** Parses A1 notation; throws Google's `Range not found` for anything else. */
export function parseA1(text: string): A1Reference {
  const { sheetName, rest } = splitSheetName(String(text).trim());
  const parts = rest.split(":");
  if (parts.length > 2) throw new Error(RANGE_NOT_FOUND);
  const [start, end] = parts.map(parsePart);
  if (!start) throw new Error(RANGE_NOT_FOUND);
  const ref: A1Reference = sheetName === undefined ? {} : { sheetName };
  if (!end) {
    if (start.column === undefined || start.row === undefined) throw new Error(RANGE_NOT_FOUND);
    return {
      ...ref,
      startRow: start.row,
      startColumn: start.column,
      endRow: start.row,
      endColumn: start.column,
    };
  }
  // Allowed: A1:C3, A:C, 2:4, and a cell then a column or a row (A2:C, A2:5) for an open end.
  const shape = `${kind(start)}:${kind(end)}`;
  if (!["cell:cell", "column:column", "row:row", "cell:column", "cell:row"].includes(shape))
    throw new Error(RANGE_NOT_FOUND);
  const [startColumn, endColumn] = ordered(start.column, end.column);
  const [startRow, endRow] = ordered(start.row, end.row);
  return { ...ref, startRow, startColumn, endRow, endColumn };
}

/** The block a reference covers in a sheet of the given size; open ends reach the sheet's edge. */
export function boundsOf(ref: A1Reference, maxRows: number, maxColumns: number): Bounds {
  const row = ref.startRow ?? 1;
  const column = ref.startColumn ?? 1;
  return {
    row,
    column,
    numRows: (ref.endRow ?? maxRows) - row + 1,
    numColumns: (ref.endColumn ?? maxColumns) - column + 1,
  };
}

/** `A1` for one cell, `A1:C3` for a block. */
export function a1Notation(bounds: Bounds): string {
  const start = `${columnLetters(bounds.column)}${bounds.row}`;
  if (bounds.numRows === 1 && bounds.numColumns === 1) return start;
  return `${start}:${columnLetters(bounds.column + bounds.numColumns - 1)}${bounds.row + bounds.numRows - 1}`;
}

/** 1 → A, 27 → AA. */
export function columnLetters(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A → 1, AA → 27. */
export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function splitSheetName(text: string): { sheetName?: string; rest: string } {
  if (text.startsWith("'")) {
    const match = /^'((?:[^']|'')+)'!(.*)$/.exec(text);
    if (!match) throw new Error(RANGE_NOT_FOUND);
    return { sheetName: (match[1] ?? "").replace(/''/g, "'"), rest: match[2] ?? "" };
  }
  const bang = text.lastIndexOf("!");
  if (bang < 0) return { rest: text };
  if (bang === 0) throw new Error(RANGE_NOT_FOUND);
  return { sheetName: text.slice(0, bang), rest: text.slice(bang + 1) };
}

function parsePart(part: string): { column?: number; row?: number } {
  const match = PART.exec(part);
  if (!match || (!match[1] && !match[2])) throw new Error(RANGE_NOT_FOUND);
  return {
    column: match[1] ? columnNumber(match[1]) : undefined,
    row: match[2] ? Number(match[2]) : undefined,
  };
}

function kind(part: { column?: number; row?: number }): "cell" | "column" | "row" {
  if (part.column === undefined) return "row";
  return part.row === undefined ? "column" : "cell";
}

function ordered(a: number | undefined, b: number | undefined): [number | undefined, number | undefined] {
  if (a === undefined || b === undefined) return [a, b];
  return a <= b ? [a, b] : [b, a];
}

/**
 * `Fix N cells`: the cells of the active tab that hold a common form of a value (`fixable` warnings:
 * `3/18/2026`, `Ada@Example.com`, `Open`, `yes`) are rewritten with the canonical form the importer
 * reads them as. One setValues in the common case, so the person undoes it in one step in Sheets; and
 * no repaint, as fixable cells are never coloured.
 *
 * A setValues writes a block, and Sheets reads each string it is given as if it were typed
 * (https://support.google.com/docs/answer/58515: `02134` becomes 2134, `3/18/2026` a date, `=…` a
 * formula, `'x` loses its apostrophe), unless the cell is formatted as plain text. So the cells of the
 * block that are not fixed are written back as read (formulas as formulas), and when one of them holds a
 * string Sheets would read as something else (typed with an apostrophe, say, in a cell not formatted as
 * plain text), the fixed cells are written in runs that leave it out.
 */
import type { FixResult, ImportChoice } from "./contract";
import { withDocumentLock } from "./documentLock";
import { type FixableIssue, isFixable, MAX_FIXES, toFixView } from "./sheetCheck";
import { readActiveTable, type SheetTable } from "./sheetTable";
import { checkTable, marksOf, prepareCheck, validationView } from "./validation";

/**
 * Rewrites the fixable cells of the active tab, checked as Validate checks it, and answers the tab as
 * it is after the fix, checked again from the values written (no second read). A cell whose value
 * comes from a formula is left as it is, counted in `skipped`.
 */
export function fixActiveSheet(input: ImportChoice): FixResult {
  const setup = prepareCheck(input);
  // Read, decide and write as one step: another person's Fix N cells or Validate waits for it.
  return withDocumentLock(() => {
    const table = readActiveTable();
    const check = checkTable(setup, table);
    const fixable = check.issues.filter(isFixable);
    if (fixable.length === 0)
      return {
        fixed: 0,
        changes: [],
        skipped: 0,
        validation: validationView(table, check, marksOf(check).cells.size),
      };

    const formulas = table.range.getFormulas();
    const fixes = fixable.filter((issue) => (formulas[issue.row - 1]?.[issue.column - 1] ?? "") === "");
    if (fixes.length > 0) writeFixes(table, formulas, fixes);
    // Fixable cells are never painted, so the highlights Validate left still stand: the view counts them
    // as Validate would paint them.
    const after = checkTable(setup, table, valuesAfter(table.values, fixes));
    return {
      fixed: fixes.length,
      changes: fixes.slice(0, MAX_FIXES).map(toFixView),
      skipped: fixable.length - fixes.length,
      validation: validationView(table, after, marksOf(after).cells.size),
    };
  });
}

/** A rectangle of the sheet (1-based, inclusive). */
interface Span {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Sheets keeps what is written into a cell of this format exactly as given. */
const PLAIN_TEXT = "@";

/**
 * Writes the fixes: one setValues of the smallest block that holds them all, unless a cell of it that
 * is not fixed holds a string Sheets would re-read (not in a plain-text cell); then each fixed column's
 * runs of cells between such strings, one setValues each. Formats are read only when the block holds
 * a string that may be re-read.
 */
function writeFixes(table: SheetTable, formulas: string[][], fixes: readonly FixableIssue[]): void {
  const fixed = new Map<string, unknown>();
  for (const issue of fixes) fixed.set(`${issue.row},${issue.column}`, issue.fix.to);
  const formulaAt = (row: number, column: number) => formulas[row - 1]?.[column - 1] ?? "";
  const asRead = (row: number, column: number) => table.values[row - 1]?.[column - 1] ?? "";
  /** What a cell is written with: its fix, else its formula, else its value as read. */
  const input = (row: number, column: number): unknown => {
    const key = `${row},${column}`;
    if (fixed.has(key)) return fixed.get(key);
    return formulaAt(row, column) || asRead(row, column);
  };
  const mayChange = (row: number, column: number): boolean => {
    if (fixed.has(`${row},${column}`) || formulaAt(row, column) !== "") return false;
    const value = asRead(row, column);
    return typeof value === "string" && sheetsMayReinterpret(value);
  };
  const valuesOf = (span: Span): unknown[][] => {
    const rows: unknown[][] = [];
    for (let row = span.top; row <= span.bottom; row++) {
      const line: unknown[] = [];
      for (let column = span.left; column <= span.right; column++) line.push(input(row, column));
      rows.push(line);
    }
    return rows;
  };
  const rangeOf = (span: Span) =>
    table.sheet.getRange(span.top, span.left, span.bottom - span.top + 1, span.right - span.left + 1);

  const block = spanOf(fixes);
  const range = rangeOf(block);
  let unsafe = (_row: number, _column: number) => false;
  if (someCell(block, mayChange)) {
    const formats = range.getNumberFormats();
    unsafe = (row, column) =>
      mayChange(row, column) && formats[row - block.top]?.[column - block.left] !== PLAIN_TEXT;
  }
  if (!someCell(block, unsafe)) {
    range.setValues(valuesOf(block));
    return;
  }
  const rowsByColumn = new Map<number, number[]>();
  for (const issue of fixes) {
    const rows = rowsByColumn.get(issue.column) ?? [];
    rows.push(issue.row);
    rowsByColumn.set(issue.column, rows);
  }
  for (const [column, rows] of rowsByColumn) {
    rows.sort((a, b) => a - b);
    // Runs of this column's fixed rows with no unsafe cell between them.
    let run: Span | null = null;
    for (const row of rows) {
      if (run && !someCell({ top: run.bottom + 1, bottom: row - 1, left: column, right: column }, unsafe)) {
        run.bottom = row;
        continue;
      }
      if (run) rangeOf(run).setValues(valuesOf(run));
      run = { top: row, bottom: row, left: column, right: column };
    }
    if (run) rangeOf(run).setValues(valuesOf(run));
  }
}

function spanOf(fixes: readonly FixableIssue[]): Span {
  const span = { top: Number.POSITIVE_INFINITY, bottom: 0, left: Number.POSITIVE_INFINITY, right: 0 };
  for (const { row, column } of fixes) {
    span.top = Math.min(span.top, row);
    span.bottom = Math.max(span.bottom, row);
    span.left = Math.min(span.left, column);
    span.right = Math.max(span.right, column);
  }
  return span;
}

function someCell(span: Span, test: (row: number, column: number) => boolean): boolean {
  for (let row = span.top; row <= span.bottom; row++)
    for (let column = span.left; column <= span.right; column++) if (test(row, column)) return true;
  return false;
}

/** The sheet's values as the fixes left them, for checking it again without reading it. */
function valuesAfter(values: readonly unknown[][], fixes: readonly FixableIssue[]): unknown[][] {
  const after = values.map((line) => line);
  for (const issue of fixes) {
    const index = issue.row - 1;
    const line = after[index] as unknown[];
    if (line === values[index]) after[index] = line.slice();
    (after[index] as unknown[])[issue.column - 1] = issue.fix.to;
  }
  return after;
}

/** Digits with what numbers, amounts, dates and times are written with around them, in any locale. */
const NUMBER_OR_DATE = /^[\s\d$€£¥₹%+\-−().,'/:eE]*\d[\s\d$€£¥₹%+\-−().,'/:eE]*$/;
const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(\b|$)/i;
const CLOCK = /^\d{1,2}(:\d{2})?\s*[ap]\.?m\.?$/i;

/**
 * Whether Sheets may read a string written by setValues as something other than that text: a formula,
 * a number, an amount, a percentage, a date or time, a boolean, or text without its leading apostrophe
 * (https://support.google.com/docs/answer/58515). Wider than what Sheets parses in any one locale, on
 * purpose: a string taken for one costs a Spreadsheet call or two, one missed would change a cell the
 * person did not ask to fix.
 */
export function sheetsMayReinterpret(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === "") return text !== "";
  if (/^[='+\-−]/.test(trimmed)) return true;
  if (/^(true|false)$/i.test(trimmed)) return true;
  if (NUMBER_OR_DATE.test(trimmed) || CLOCK.test(trimmed)) return true;
  return trimmed.length <= 40 && /\d/.test(trimmed) && MONTH_NAME.test(trimmed);
}

/**
 * The rows an import skipped, as the sheet's Import status column says: offered to the sidebar, and
 * copied into a tab of their own (`Copy skipped rows to a new tab`) with the header row, ready to fix
 * and import.
 */
import { headerText, RESULTS_HEADERS } from "../core/headers";
import type { SkippedRowsCopy, SkippedRowsView } from "./contract";
import { sheetsMayReinterpret } from "./fixCells";
import { isSkippedRow, resultsLayout, sheetResults } from "./importResults";
import { writeNewTab } from "./reportTab";

/** Rows from the top where the header row (the one holding Import status) may be. */
const HEADER_ROW_SEARCH = 10;
const PLAIN_TEXT = "@";

/** The skipped rows the last import of a tab left, when it left any. */
export function skippedRowsOfTab(sheetId: number): SkippedRowsView | null {
  const last = sheetResults(sheetId);
  return last && last.skipped > 0 ? { sheetId, rows: last.skipped } : null;
}

/**
 * Copies the header row and every row whose Import status says skipped into a new tab, their number
 * formats with them (a key stays text, a date a date), the results columns left out. Constant
 * Spreadsheet calls whatever the rows: the active sheet's data range, its values and formats, then the
 * new tab sized to what it holds and written with one setNumberFormats and one setValues.
 */
export function copySkippedRowsToTab(): SkippedRowsCopy {
  const spreadsheet = SpreadsheetApp.getActive();
  const source = spreadsheet.getActiveSheet();
  const sourceName = source.getName();
  const data = source.getDataRange();
  const values = data.getValues() as unknown[][];
  const headerIndex = values
    .slice(0, HEADER_ROW_SEARCH)
    .findIndex((line) => line.some((cell) => headerText(cell) === RESULTS_HEADERS.status));
  const layout = resultsLayout(values[headerIndex] ?? []);
  if (headerIndex < 0 || layout.status === null)
    throw new Error(
      `"${sourceName}" has no Import status column: import it first, and its skipped rows can then be copied.`,
    );
  const status = layout.status;
  const picked: number[] = [];
  for (let i = headerIndex + 1; i < values.length; i++) if (isSkippedRow(values[i], status)) picked.push(i);
  if (picked.length === 0)
    throw new Error(
      `No row of "${sourceName}" says skipped in its Import status column: there is nothing to copy.`,
    );

  const formats = data.getNumberFormats() as string[][];
  const width = Math.max(layout.dataWidth, 1);
  const lines = [headerIndex, ...picked];
  const outFormats = lines.map((i) => row(formats[i], width, "").map((f) => f || "General"));
  const outValues = lines.map((i, n) =>
    row(values[i], width, "").map((cell, c) =>
      typeof cell === "string" && outFormats[n]?.[c] !== PLAIN_TEXT && sheetsMayReinterpret(cell)
        ? `'${cell}`
        : cell,
    ),
  );
  const name = writeNewTab(spreadsheet, `${sourceName} skipped rows`, lines.length, width, (range) => {
    // Formats first: a key written into a plain-text cell stays the text it was.
    range.setNumberFormats(outFormats);
    range.setValues(outValues);
  });
  return { sheetName: name, rows: picked.length };
}

/** A line cut or padded to `width` cells. */
function row<T>(line: readonly T[] | undefined, width: number, blank: T): T[] {
  const out: T[] = new Array(width);
  for (let c = 0; c < width; c++) out[c] = line?.[c] ?? blank;
  return out;
}

/**
 * Results back in the sheet: after an import, each row it sent gets its outcome and when
 * (`skipped 2026-12-02 10:31`, in the spreadsheet's time zone) in an `Import status` column, and the key
 * the importer gave it in `Imported key`, both at the sheet's right (found by header once they exist,
 * so a later import rewrites its own rows and leaves the others as they are). The core ignores both
 * columns (RESULTS_HEADERS), and an import never sends them. `Write keys back` also fills the blank key
 * cells of the rows the import created, so the next import updates them instead of creating them again.
 */
import type { ObjectName } from "../core/catalogue";
import { headerText, isResultsHeader, RESULTS_HEADERS } from "../core/headers";
import { isBlank } from "../core/values";
import { readState, writeState } from "./documentState";
import { sheetsMayReinterpret } from "./fixCells";
import type { ReportResult } from "./importRun";

export type Outcome = ReportResult["outcome"];

/** Each object's own key column: a skipped row is known by it, and Write keys back fills it. */
export const KEY_FIELDS: Partial<Record<ObjectName, string>> = {
  partners: "partner_key",
  customers: "customer_key",
  transactions: "key",
  leads: "external_key",
  deals: "external_key",
};

/**
 * Objects whose created records' keys are written back. Not leads: a lead created without an
 * external_key is known as `lead-<id>`, which is no external_key of its, so the next import would create
 * it again; nor deals, whose external_key is required.
 */
export const KEYS_WRITTEN_BACK: readonly ObjectName[] = ["partners", "customers", "transactions"];

/** Plain text to Sheets: what is written into a cell of this format stays exactly as given. */
const PLAIN_TEXT = "@";
const STATUS = /^\s*(created|updated|skipped)\b/i;
/** Sheets the add-on remembers the last import of (document properties are small). */
const MAX_SHEETS = 40;

/** How an Import status cell reads: `created 2026-12-02 10:31`. */
export function statusText(outcome: Outcome, when: string): string {
  return when === "" ? outcome : `${outcome} ${when}`;
}

/** The outcome an Import status cell says, or null (blank, or edited into something else). */
export function outcomeOfStatus(cell: unknown): Outcome | null {
  if (typeof cell !== "string") return null;
  const match = STATUS.exec(cell);
  return match ? ((match[1] as string).toLowerCase() as Outcome) : null;
}

/** Where the results columns and the data are in a header row. */
export interface ResultsLayout {
  /** Columns up to the last one with a header of its own that is not a results column. */
  dataWidth: number;
  /** Results columns at or left of dataWidth (1-based): moved there by a person; never sent. */
  inside: number[];
  /** The Import status column (the rightmost one, 1-based) and its Imported key beside it, if any. */
  status: number | null;
  key: number | null;
}

export function resultsLayout(headerRow: readonly unknown[]): ResultsLayout {
  let dataWidth = 0;
  let status: number | null = null;
  headerRow.forEach((cell, i) => {
    const text = headerText(cell);
    if (text === RESULTS_HEADERS.status) status = i + 1;
    else if (text !== "" && !isResultsHeader(text)) dataWidth = i + 1;
  });
  const inside: number[] = [];
  for (let i = 0; i < dataWidth; i++) if (isResultsHeader(headerRow[i])) inside.push(i + 1);
  const key =
    status !== null && headerText(headerRow[status]) === RESULTS_HEADERS.key ? (status as number) + 1 : null;
  return { dataWidth, inside, status, key };
}

/** What finish knows of the import for writing its results. */
export interface ResultsTarget {
  /** The header row, 1-based. */
  headerRow: number;
  /** The object's key column as mapped (1-based), or null. */
  keyColumn: number | null;
  /** Fill blank key cells of created rows (Write keys back). */
  writeKeys: boolean;
  /** When the import finished, as the status cells say it. */
  when: string;
}

/**
 * Writes the results into the sheet whose data range was read as `values` (from row 1): one getRange
 * and one setValues of a block of the two results columns, from the header row to the last row, in
 * which the rows of this import get their outcome and key and every other cell is written back as read.
 * Write keys back costs a getRange and a setValues more (the key column is seldom beside the results
 * columns, and a block across the columns between would rewrite cells the person did not ask to change),
 * plus a getFormulas when the cells between the first and last key written hold anything, and a
 * getNumberFormats when a string among them (or a key) is one Sheets could read as something else:
 * 2 Spreadsheet calls, and 4 to 6 with keys. Returns how many key cells were filled.
 */
export function writeResultsBack(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  values: readonly unknown[][],
  results: readonly ReportResult[],
  target: ResultsTarget,
): number {
  const { headerRow, keyColumn } = target;
  const layout = resultsLayout(values[headerRow - 1] ?? []);
  // Reused when both are there side by side; otherwise a new pair at the right (the rightmost wins).
  const column = layout.key !== null ? (layout.status as number) : (values[0]?.length ?? 0) + 1;
  const byRow = new Map(results.map((r) => [r.row, r]));
  let lastRow = values.length;
  for (const r of results) if (r.row > lastRow) lastRow = r.row;
  const block: unknown[][] = [[RESULTS_HEADERS.status, RESULTS_HEADERS.key]];
  for (let row = headerRow + 1; row <= lastRow; row++) {
    const result = byRow.get(row);
    const line = values[row - 1];
    if (!result) {
      block.push([keptAsRead(line?.[column - 1]), keptAsRead(line?.[column])]);
      continue;
    }
    const key = result.object_key ?? (result.outcome === "skipped" ? ownKey(line, keyColumn) : "");
    block.push([statusText(result.outcome, target.when), textCell(key)]);
  }
  sheet.getRange(headerRow, column, block.length, 2).setValues(block);

  if (!target.writeKeys || keyColumn === null) return 0;
  const fills = new Map<number, string>();
  for (const result of results)
    if (result.outcome === "created" && result.object_key && isBlank(values[result.row - 1]?.[keyColumn - 1]))
      fills.set(result.row, result.object_key);
  if (fills.size > 0) writeKeyCells(sheet, values, keyColumn, fills);
  return fills.size;
}

/** A skipped row's own key: its key cell as text, or "". */
export function ownKey(line: readonly unknown[] | undefined, keyColumn: number | null): string {
  const cell = keyColumn === null ? undefined : line?.[keyColumn - 1];
  return isBlank(cell) ? "" : String(cell).trim();
}

/**
 * The key column from the first key written to the last: the keys, and the cells between as they were
 * (formulas as formulas, strings Sheets would read as something else after an apostrophe, unless their
 * cell is plain text).
 */
function writeKeyCells(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  values: readonly unknown[][],
  keyColumn: number,
  fills: ReadonlyMap<number, string>,
): void {
  const rows = [...fills.keys()].sort((a, b) => a - b);
  const top = rows[0] as number;
  const bottom = rows[rows.length - 1] as number;
  const asRead = (row: number) => values[row - 1]?.[keyColumn - 1] ?? "";
  const range = sheet.getRange(top, keyColumn, bottom - top + 1, 1);
  let kept = false;
  let mayReread = false;
  for (let row = top; row <= bottom; row++) {
    const cell = fills.get(row) ?? asRead(row);
    if (!fills.has(row) && !isBlank(cell)) kept = true;
    if (typeof cell === "string" && sheetsMayReinterpret(cell)) mayReread = true;
  }
  const formulas = kept ? (range.getFormulas() as string[][]) : null;
  const formats = mayReread ? (range.getNumberFormats() as string[][]) : null;
  const out: unknown[][] = [];
  for (let row = top; row <= bottom; row++) {
    const i = row - top;
    const formula = formulas?.[i]?.[0] ?? "";
    const cell = fills.get(row) ?? (formula || asRead(row));
    const plain = formats?.[i]?.[0] === PLAIN_TEXT;
    out.push([
      typeof cell === "string" && formula === "" && !plain && sheetsMayReinterpret(cell) ? `'${cell}` : cell,
    ]);
  }
  range.setValues(out);
}

/** Text Sheets keeps as text in a cell of the default format. */
function textCell(text: string): string {
  return sheetsMayReinterpret(text) ? `'${text}` : text;
}

/** A results cell of a row not in this import, written back as read. */
function keptAsRead(cell: unknown): unknown {
  if (cell === undefined || cell === null) return "";
  return typeof cell === "string" ? textCell(cell) : cell;
}

/** The last import whose results were written into a sheet: what Import skipped rows names as retried. */
export interface SheetResults {
  sheetId: number;
  importId: string;
  object: ObjectName;
  skipped: number;
}

export function rememberSheetResults(record: SheetResults): void {
  const all = (readState<SheetResults[]>("sheetResults") ?? []).filter((r) => r.sheetId !== record.sheetId);
  all.push(record);
  writeState("sheetResults", all.slice(-MAX_SHEETS));
}

export function sheetResults(sheetId: number): SheetResults | null {
  return readState<SheetResults[]>("sheetResults")?.find((r) => r.sheetId === sheetId) ?? null;
}

/** A row's cells with the outcome its Import status cell says, for Import skipped rows and the copy tab. */
export function isSkippedRow(line: readonly unknown[] | undefined, statusColumn: number): boolean {
  return outcomeOfStatus(line?.[statusColumn - 1]) === "skipped";
}

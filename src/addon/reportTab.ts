/**
 * The import's report in a tab of its own: one line per row, the skipped rows first (source row,
 * outcome, key, messages, then the row's cells as sent, so a skipped row can be fixed from the report),
 * with the outcome coloured and the header frozen, and the summary beside it, its labels shaded as the
 * header is. The tab is sized to what it holds (the table's columns and 3 for the summary, a line per
 * row) and written with one setValues and one setBackgrounds, whatever the number of rows: 8 Spreadsheet
 * calls with making the imported sheet active again (a bold header would be a ninth).
 */
import { BASE_OBJECTS, OBJECT_LABELS } from "../core/catalogue";
import { changeLines } from "./changeNotes";
import { readState } from "./documentState";
import type { Cell } from "./importPlan";
import type { ImportResource, ReportResult } from "./importRun";

/** The rows as the import sent them: the header row, each row's cells, and its own key cell. */
export interface ReportSource {
  headers: readonly Cell[];
  cellsOf(row: number): readonly Cell[];
  ownKey(row: number): string;
}

const OUTCOME_COLORS = { created: "#d9ead3", updated: "#cfe2f3", skipped: "#f4cccc" } as const;
const HEADER_COLOR = "#e8eaed";
/** The modes other than the default, as the options line says them. */
const MODE_WORDS = { create_only: "Create only", update_only: "Update only" } as const;
const TABLE_HEADERS = ["Source row", "Outcome", "Key", "Messages"];
/** The size of a tab insertSheet adds. */
const NEW_TAB_ROWS = 1000;
const NEW_TAB_COLUMNS = 26;

export function writeReportTab(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  imp: ImportResource,
  results: readonly ReportResult[],
  timeZone: string,
  source: ReportSource | null = null,
): string {
  const label = OBJECT_LABELS[imp.object];
  const when = (iso: string | null) =>
    iso ? Utilities.formatDate(new Date(iso), timeZone, "yyyy-MM-dd HH:mm:ss") : "";
  const summary: [string, string | number][] = [
    ["Import", label],
    ["Import id", imp.id],
    ["Status", imp.status],
    ["Imported by", imp.user ?? ""],
    ["Started", when(imp.created_at)],
    ["Finished", when(imp.completed_at)],
    ["Source", imp.source.name ?? imp.source.kind],
    ["Options", optionsText(imp)],
    ["Rows", imp.counts.rows],
    ["Created", imp.counts.created],
    ["Updated", imp.counts.updated],
    ["Skipped", imp.counts.skipped],
  ];
  // Rows that matched an earlier import (or another row): for objects whose rows can repeat.
  if (BASE_OBJECTS[imp.object].repeats) summary.push(["Repeats", imp.counts.repeats ?? 0]);
  if (imp.issued_usd_cents !== undefined)
    summary.push([
      "Issued (USD)",
      `$${(imp.issued_usd_cents / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`,
    ]);

  // Columns A–D and the row's cells: the table; then a blank column and the summary, so that freezing
  // row 1 freezes only the table's header.
  const cellsWidth = source?.headers.length ?? 0;
  const tableWidth = TABLE_HEADERS.length + cellsWidth;
  const summaryAt = tableWidth + 1;
  const width = summaryAt + 2;
  const lines = skippedFirst(results);
  const height = Math.max(lines.length + 1, summary.length);
  const values: (string | number | boolean)[][] = [];
  const backgrounds: (string | null)[][] = [];
  for (let i = 0; i < height; i++) {
    const line: (string | number | boolean)[] = new Array(width).fill("");
    const colors: (string | null)[] = new Array(width).fill(null);
    if (i === 0) {
      const headers = [
        ...TABLE_HEADERS,
        ...(source?.headers ?? []).map((h) => (h === null ? "" : String(h))),
      ];
      headers.forEach((h, j) => {
        line[j] = j < TABLE_HEADERS.length ? h : asText(h);
        colors[j] = HEADER_COLOR;
      });
    } else {
      const result = lines[i - 1];
      if (result) {
        const key =
          result.object_key ?? (result.outcome === "skipped" ? (source?.ownKey(result.row) ?? "") : "");
        line[0] = result.row;
        line[1] = result.outcome;
        line[2] = asText(key);
        line[3] = asText(messagesOf(result, imp.options.dry_run).join("\n"));
        colors[1] = OUTCOME_COLORS[result.outcome];
        const cells = source?.cellsOf(result.row) ?? [];
        for (let j = 0; j < cellsWidth; j++) line[TABLE_HEADERS.length + j] = reportCell(cells[j] ?? null);
      }
    }
    const entry = summary[i];
    if (entry) {
      line[summaryAt] = entry[0];
      line[summaryAt + 1] = typeof entry[1] === "number" ? entry[1] : asText(entry[1]);
      colors[summaryAt] = HEADER_COLOR;
    }
    values.push(line);
    backgrounds.push(colors);
  }

  return writeNewTab(
    spreadsheet,
    `${label} import ${when(imp.completed_at ?? imp.created_at)}`,
    height,
    width,
    (range) => {
      range.setValues(values);
      range.setBackgrounds(backgrounds);
    },
  );
}

/** The skipped rows first, then the rest, each in sheet order. */
function skippedFirst(results: readonly ReportResult[]): ReportResult[] {
  const byRow = (a: ReportResult, b: ReportResult) => a.row - b.row;
  return [
    ...results.filter((r) => r.outcome === "skipped").sort(byRow),
    ...results.filter((r) => r.outcome !== "skipped").sort(byRow),
  ];
}

/** A row's messages: its issues, then each field it changes, `partner_email: "a@x" → "b@y"` (as the CSV report says them). */
export function messagesOf(result: ReportResult, dryRun = false): string[] {
  return [
    ...result.issues.map((issue) => `${issue.severity}: ${issue.message}`),
    ...changeLines(result.changes, dryRun),
  ];
}

/** A sent cell in the report: text kept as text, numbers and booleans as they are. */
function reportCell(cell: Cell): string | number | boolean {
  if (cell === null) return "";
  return typeof cell === "string" ? asText(cell) : cell;
}

/**
 * A new tab of that name (or with " (2)"…), sized to `height` × `width` and filled by `write` (given the
 * range of that size), its first row frozen. A new tab has 26 columns and 1,000 rows: the tab keeps the
 * columns and lines it holds, so a 100,000-row report of 10 columns costs 1.7 million of the
 * spreadsheet's 10 million cells, not 2.6. Columns go first: growing a 26-column tab to 100,000 rows
 * could pass the limit on the way. No half-made tab is left behind: the next attempt writes it whole.
 */
export function writeNewTab(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  title: string,
  height: number,
  width: number,
  write: (range: GoogleAppsScript.Spreadsheet.Range) => void,
): string {
  const { sheet, name } = insertUniqueSheet(spreadsheet, title);
  try {
    if (width < NEW_TAB_COLUMNS) sheet.deleteColumns(width + 1, NEW_TAB_COLUMNS - width);
    else if (width > NEW_TAB_COLUMNS) sheet.insertColumnsAfter(NEW_TAB_COLUMNS, width - NEW_TAB_COLUMNS);
    if (height < NEW_TAB_ROWS) sheet.deleteRows(height + 1, NEW_TAB_ROWS - height);
    else if (height > NEW_TAB_ROWS) sheet.insertRowsAfter(NEW_TAB_ROWS, height - NEW_TAB_ROWS);
    write(sheet.getRange(1, 1, height, width));
    sheet.setFrozenRows(1);
  } catch (error) {
    try {
      spreadsheet.deleteSheet(sheet);
    } catch {
      // The first failure is the one to tell.
    }
    throw error;
  }
  return name;
}

/** A tab of that name, or with " (2)", " (3)"… when one exists (two imports in one second). */
function insertUniqueSheet(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  name: string,
): { sheet: GoogleAppsScript.Spreadsheet.Sheet; name: string } {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name} (${n})`;
    try {
      return { sheet: spreadsheet.insertSheet(candidate), name: candidate };
    } catch (error) {
      // Only a name in use is worth another name; the cell limit is not.
      if (n >= 20 || !/already exists/.test(String(error))) throw error;
    }
  }
}

function optionsText(imp: ImportResource): string {
  const parts = [imp.options.dry_run ? "dry run" : "import"];
  if (imp.options.group_key) parts.push(`group ${imp.options.group_key}`);
  if (imp.object === "partners")
    parts.push(`invite emails ${imp.options.send_invites ? "sent" : "not sent"}`);
  // Said only when on: it is the exception, and the reason rows of an earlier import came in again.
  if (imp.options.allow_repeats) parts.push("rows that match earlier imports imported again");
  if (imp.options.mode && imp.options.mode !== "create_and_update") parts.push(MODE_WORDS[imp.options.mode]);
  return parts.join(", ");
}

/**
 * Text exactly as stored: Sheets would read "=…" as a formula, "+1", ".5" or "2026-01-01" as a number
 * or a date, and drop a leading apostrophe. Written after an apostrophe, which Sheets keeps out of the
 * cell's value, any text stays as it is.
 */
export function asText(text: string): string {
  return text === "" ? text : `'${text}`;
}

/** Goes to the last report tab written in this spreadsheet; its name, or null when there is none. */
export function openReportTab(): string | null {
  const name = readState<string>("lastReport");
  if (!name) return null;
  const sheet = SpreadsheetApp.getActive().getSheetByName(name);
  if (!sheet) throw new Error(`The report tab "${name}" is no longer in this spreadsheet.`);
  sheet.activate();
  return name;
}

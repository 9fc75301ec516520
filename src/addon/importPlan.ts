/**
 * The active sheet read as an import sends it: the header row, the non-blank rows as wire cells, cut into
 * chunks, each with a fingerprint of its rows. The fingerprints are how the add-on knows rows changed:
 * between the chunks of an import, between a dry run and the import, and between the confirmation a
 * person saw and the import they confirmed.
 */

import { OBJECT_LABELS, type ObjectName } from "../core/catalogue";
import type { ColumnMapping, ImportChoice } from "./contract";
import { sheetDateFormatter } from "./dates";
import { readHeaderRow } from "./headerReading";
import { isSkippedRow, KEY_FIELDS, resultsLayout, sheetResults } from "./importResults";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { headerPlanOf } from "./sheetCheck";
import {
  isBlankRow,
  readTable,
  rememberSheetName,
  spreadsheetLocale,
  spreadsheetTimeZone,
} from "./sheetTable";
import { readTab } from "./tabState";

/** Rows a chunk carries (DESIGN: at least 500). */
export const CHUNK_ROWS = 1000;

export type Cell = string | number | boolean | null;

export interface SheetRow {
  row: number;
  cells: Cell[];
}

export interface ChunkPlan {
  /** Sheet rows the chunk spans (blank rows among them are not sent). */
  first: number;
  last: number;
  rows: number;
  /** Fingerprint of its rows as they were checked: a different one means the sheet changed. */
  hash: string;
}

/** How an import reads its rows again (each chunk, to see they did not change). */
export interface RowReading {
  chunks: readonly ChunkPlan[];
  width: number;
  timeZone: string;
  /** Results columns within `width` (1-based): read as blank, never sent. */
  resultsColumns?: readonly number[];
  /** Import skipped rows: only rows whose Import status (this column, 1-based) says skipped. */
  skippedOnly?: { statusColumn: number } | null;
}

export interface SheetImportPlan extends RowReading {
  choice: ImportChoice;
  /** The program's group names, by key (for a review to name the group). */
  groupNames: Map<string, string>;
  sheetId: number;
  sheetName: string;
  /** The header row, 1-based. */
  headerRow: number;
  /** The object's key column as mapped (1-based), or null: Write keys back fills it. */
  keyColumn: number | null;
  /** Import skipped rows: the import whose results the sheet holds, which this one retries (null: not known). */
  retryOf: string | null;
  /** The spreadsheet's locale, which the importer reads slash dates in. */
  locale: string;
  /** The mapping the rows are read with (as Validate reads them), or null. */
  mapping: ColumnMapping | null;
  /** The header row's cells: the row chosen or guessed, as Validate reads it. */
  headers: Cell[];
  /** The 1-based column each field is read from (through the mapping), by field name. */
  fieldColumns: Record<string, number>;
  /** Each chunk's rows, as read now. */
  rowsOfChunk: SheetRow[][];
  /** The header row, the mapping and every chunk's fingerprint in one: the same value means the same import. */
  fingerprint: string;
}

/**
 * Reads the active sheet for an import of `input`: refuses a header row with errors and a sheet without
 * rows, with the sentence a person needs. The results columns an earlier import wrote are not sent, and
 * do not count in the fingerprint. `skippedOnly`: only the rows whose Import status says skipped (Import
 * skipped rows), at their own row numbers.
 */
export function planSheetImport(input: ImportChoice, skippedOnly = false): SheetImportPlan {
  const choice = readChoice(input);
  const timeZone = spreadsheetTimeZone();
  const { catalogue } = fetchCatalogue();
  const spec = specFor(choice, catalogue);
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
  const retryOf = skippedOnly ? retriedImport(sheetId, sheetName, choice.object) : null;
  const { values } = readTable(sheet, sheetId);
  const { headerIndex, mapping } = readHeaderRow(spec, values, choice, readTab(sheetId));
  const header = headerPlanOf(spec, values, headerIndex, mapping);
  if (header.blocked)
    throw new Error(
      `The header row needs fixing before anything is imported: ${header.alerts
        .filter((a) => a.severity === "error")
        .map((a) => (/[.?!]$/.test(a.message) ? a.message : `${a.message}.`))
        .join(" ")} Validate shows it in the sheet.`,
    );

  const layout = resultsLayout(values[headerIndex] ?? []);
  const width = layout.dataWidth;
  const only = skippedOnly ? skippedOnlyOf(layout.status, sheetName) : null;
  const reading = { width, timeZone, resultsColumns: layout.inside, skippedOnly: only };
  const rowOf = rowReader(reading);
  const rows: SheetRow[] = [];
  for (let i = headerIndex + 1; i < values.length; i++) {
    const row = rowOf(i + 1, values[i] as unknown[]);
    if (row) rows.push(row);
  }
  if (rows.length === 0)
    throw new Error(
      only
        ? `No row of "${sheetName}" says skipped in its Import status column: there is nothing to import again.`
        : `There are no rows under the header row of "${sheetName}" to import.`,
    );

  const chunks: ChunkPlan[] = [];
  const rowsOfChunk: SheetRow[][] = [];
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    const part = rows.slice(at, at + CHUNK_ROWS);
    rowsOfChunk.push(part);
    chunks.push({
      first: (part[0] as SheetRow).row,
      last: (part[part.length - 1] as SheetRow).row,
      rows: part.length,
      hash: fingerprint(part),
    });
  }
  const headers = wireCells(timeZone, width, layout.inside)(values[headerIndex] ?? []);
  const keyField = KEY_FIELDS[choice.object];
  return {
    choice,
    groupNames: new Map(catalogue.groups.map((g) => [g.key, g.name])),
    sheetId,
    sheetName,
    headerRow: headerIndex + 1,
    keyColumn: header.columns.find((c) => c.field.name === keyField)?.column ?? null,
    retryOf,
    ...reading,
    locale: spreadsheetLocale(),
    mapping,
    headers,
    fieldColumns: Object.fromEntries(header.columns.map((c) => [c.field.name, c.column])),
    chunks,
    rowsOfChunk,
    fingerprint: fingerprint([
      { row: headerIndex + 1, cells: headers },
      ...(only ? [{ row: -1, cells: ["skipped only"] }] : []),
      { row: 0, cells: [mappingText(mapping)] },
      ...chunks.map((c) => ({ row: c.first, cells: [c.last, c.rows, c.hash] })),
    ]),
  };
}

/** The rows of some consecutive chunks, read with one getValues. */
export function readChunks(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  plan: RowReading,
  seqs: readonly number[],
): SheetRow[][] {
  const first = (plan.chunks[seqs[0] as number] as ChunkPlan).first;
  const last = (plan.chunks[seqs[seqs.length - 1] as number] as ChunkPlan).last;
  const read = Math.max(plan.width, plan.skippedOnly?.statusColumn ?? 0, 1);
  const values = sheet.getRange(first, 1, last - first + 1, read).getValues() as unknown[][];
  const rowOf = rowReader(plan);
  return seqs.map((seq) => {
    const chunk = plan.chunks[seq] as ChunkPlan;
    const rows: SheetRow[] = [];
    for (let r = chunk.first; r <= chunk.last; r++) {
      const row = rowOf(r, values[r - first] as unknown[]);
      if (row) rows.push(row);
    }
    return rows;
  });
}

/** A sheet row as an import sends it, or null when it sends none (blank, or not skipped when only those go). */
function rowReader(
  plan: Omit<RowReading, "chunks">,
): (row: number, line: readonly unknown[]) => SheetRow | null {
  const toCells = wireCells(plan.timeZone, plan.width, plan.resultsColumns ?? []);
  const only = plan.skippedOnly?.statusColumn ?? null;
  return (row, line) => {
    if (only !== null && !isSkippedRow(line, only)) return null;
    const cells = toCells(line);
    return isBlankRow(cells) ? null : { row, cells };
  };
}

/** The import whose results the sheet holds, when it is of this object: the one Import skipped rows retries. */
function retriedImport(sheetId: number, sheetName: string, object: ObjectName): string | null {
  const last = sheetResults(sheetId);
  if (!last) return null;
  if (last.object !== object)
    throw new Error(
      `The Import status column of "${sheetName}" is from an import of ${OBJECT_LABELS[last.object]}: choose ${OBJECT_LABELS[last.object]} to import its skipped rows again.`,
    );
  return last.importId;
}

function skippedOnlyOf(statusColumn: number | null, sheetName: string): { statusColumn: number } {
  if (statusColumn === null)
    throw new Error(
      `"${sheetName}" has no Import status column: import it first, and Import skipped rows then sends the rows the importer skipped.`,
    );
  return { statusColumn };
}

/**
 * Cells as the service takes them: dates as YYYY-MM-DD in the spreadsheet's zone, the header's width,
 * results columns (1-based `blank`) as blank cells.
 */
export function wireCells(
  timeZone: string,
  width: number,
  blank: readonly number[] = [],
): (cells: readonly unknown[]) => Cell[] {
  const formatDate = sheetDateFormatter(timeZone);
  const skip = new Set(blank.map((column) => column - 1));
  return (cells) => {
    const out: Cell[] = new Array(width);
    for (let c = 0; c < width; c++) {
      const value = cells[c];
      out[c] =
        value === undefined || value === null || value === "" || skip.has(c)
          ? null
          : value instanceof Date
            ? formatDate(value)
            : typeof value === "number" || typeof value === "boolean" || typeof value === "string"
              ? value
              : String(value);
    }
    return out;
  };
}

/** A mapping as text that does not depend on the order its headers were given in. */
function mappingText(mapping: ColumnMapping | null): string {
  if (!mapping) return "";
  return JSON.stringify(
    Object.keys(mapping)
      .sort()
      .map((header) => [header, mapping[header]]),
  );
}

/** FNV-1a over the rows' cells, type included ("1" and 1 differ). */
export function fingerprint(rows: readonly { row: number; cells: readonly Cell[] }[]): string {
  let hash = 0x811c9dc5;
  const mix = (text: string) => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  };
  for (const { row, cells } of rows) {
    mix(`\u0001${row}`);
    for (const cell of cells) mix(`\u0002${typeof cell}${cell === null ? "" : String(cell)}`);
  }
  return (hash >>> 0).toString(16);
}

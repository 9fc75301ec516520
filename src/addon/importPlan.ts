/**
 * The active sheet read as an import sends it: the header row, the non-blank rows as wire cells, cut into
 * chunks, each with a fingerprint of its rows. The fingerprints are how the add-on knows rows changed:
 * between the chunks of an import, between a dry run and the import, and between the confirmation a
 * person saw and the import they confirmed.
 */

import type { ColumnMapping, ImportChoice } from "./contract";
import { sheetDateFormatter } from "./dates";
import { readHeaderRow } from "./headerReading";
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

export interface SheetImportPlan {
  choice: ImportChoice;
  /** The program's group names, by key (for a review to name the group). */
  groupNames: Map<string, string>;
  sheetId: number;
  sheetName: string;
  width: number;
  timeZone: string;
  /** The spreadsheet's locale, which the importer reads slash dates in. */
  locale: string;
  /** The mapping the rows are read with (as Validate reads them), or null. */
  mapping: ColumnMapping | null;
  /** The header row's cells: the row chosen or guessed, as Validate reads it. */
  headers: Cell[];
  /** The 1-based column each field is read from (through the mapping), by field name. */
  fieldColumns: Record<string, number>;
  chunks: ChunkPlan[];
  /** Each chunk's rows, as read now. */
  rowsOfChunk: SheetRow[][];
  /** The header row, the mapping and every chunk's fingerprint in one: the same value means the same import. */
  fingerprint: string;
}

/**
 * Reads the active sheet for an import of `input`: refuses a header row with errors and a sheet without
 * rows, with the sentence a person needs.
 */
export function planSheetImport(input: ImportChoice): SheetImportPlan {
  const choice = readChoice(input);
  const timeZone = spreadsheetTimeZone();
  const { catalogue } = fetchCatalogue();
  const spec = specFor(choice, catalogue);
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
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

  const width = values[headerIndex]?.length ?? 0;
  const toCells = wireCells(timeZone, width);
  const rows: SheetRow[] = [];
  for (let i = headerIndex + 1; i < values.length; i++)
    if (!isBlankRow(values[i] as unknown[]))
      rows.push({ row: i + 1, cells: toCells(values[i] as unknown[]) });
  if (rows.length === 0)
    throw new Error(`There are no rows under the header row of "${sheetName}" to import.`);

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
  const headers = toCells(values[headerIndex] ?? []);
  return {
    choice,
    groupNames: new Map(catalogue.groups.map((g) => [g.key, g.name])),
    sheetId,
    sheetName,
    width,
    timeZone,
    locale: spreadsheetLocale(),
    mapping,
    headers,
    fieldColumns: Object.fromEntries(header.columns.map((c) => [c.field.name, c.column])),
    chunks,
    rowsOfChunk,
    fingerprint: fingerprint([
      { row: headerIndex + 1, cells: headers },
      { row: 0, cells: [mappingText(mapping)] },
      ...chunks.map((c) => ({ row: c.first, cells: [c.last, c.rows, c.hash] })),
    ]),
  };
}

/** The rows of some consecutive chunks, read with one getValues. */
export function readChunks(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  plan: { chunks: readonly ChunkPlan[]; width: number; timeZone: string },
  seqs: readonly number[],
): SheetRow[][] {
  const first = (plan.chunks[seqs[0] as number] as ChunkPlan).first;
  const last = (plan.chunks[seqs[seqs.length - 1] as number] as ChunkPlan).last;
  const values = sheet
    .getRange(first, 1, last - first + 1, Math.max(plan.width, 1))
    .getValues() as unknown[][];
  const toCells = wireCells(plan.timeZone, plan.width);
  return seqs.map((seq) => {
    const chunk = plan.chunks[seq] as ChunkPlan;
    const rows: SheetRow[] = [];
    for (let r = chunk.first; r <= chunk.last; r++) {
      const cells = values[r - first] as unknown[];
      if (!isBlankRow(cells)) rows.push({ row: r, cells: toCells(cells) });
    }
    return rows;
  });
}

/** Cells as the service takes them: dates as YYYY-MM-DD in the spreadsheet's zone, the header's width. */
function wireCells(timeZone: string, width: number): (cells: readonly unknown[]) => Cell[] {
  const formatDate = sheetDateFormatter(timeZone);
  return (cells) => {
    const out: Cell[] = new Array(width);
    for (let c = 0; c < width; c++) {
      const value = cells[c];
      out[c] =
        value === undefined || value === null || value === ""
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

import { parse } from "csv-parse/sync";
import type { Caller } from "../caller";
import type { Database } from "../db/database";
import { ApiError } from "../errors";
import {
  applyChunk,
  type ChunkRow,
  failImport,
  finishImport,
  type ImportResource,
  type StartImport,
  startImport,
} from "./pipeline";
import type { ImportOptions } from "./types";

export const CSV_CHUNK = 1000;
/** Uploads with more rows than this return at once, `processing`, and are applied in the background. */
export const SYNC_ROWS = 2000;

/** Parses a CSV file: quotes, embedded newlines, CRLF and a UTF-8 BOM; rows numbered as a spreadsheet would. */
export function parseCsv(text: string): { headers: string[]; rows: ChunkRow[] } {
  let records: string[][];
  try {
    // Empty lines are kept while numbering, so a row's number stays the one a spreadsheet shows.
    records = parse(text, { bom: true, relax_column_count: true });
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new ApiError(
      400,
      "invalid_csv",
      `The file is not valid CSV${e.lines ? ` (line ${e.lines})` : ""}: ${e.message}`,
    );
  }
  const lines = records
    .map((cells, i) => ({ row: i + 1, cells }))
    .filter(({ cells }) => !(cells.length === 1 && cells[0] === ""));
  const [header, ...rows] = lines;
  if (!header)
    throw new ApiError(400, "empty_file", "The file is empty: it needs a header row and rows under it.");
  return { headers: header.cells, rows };
}

/**
 * Imports a parsed CSV. A small file is done when this returns, with the import as it ended; a large
 * one carries on after it.
 */
export async function importCsv(
  db: Database,
  caller: Caller,
  object: string,
  options: Partial<ImportOptions>,
  file: { text: string; name: string | null },
  ip: string | null,
): Promise<{ resource: ImportResource; done: Promise<void> }> {
  const { headers, rows } = parseCsv(file.text);
  const request: StartImport = {
    object,
    options,
    headers,
    total_rows: rows.length,
    source: { kind: "file", ...(file.name ? { name: file.name } : {}) },
  };
  const { resource } = await startImport(db, caller, request, ip);
  const run = async () => {
    try {
      for (let seq = 0; seq * CSV_CHUNK < rows.length; seq++)
        await applyChunk(db, caller, resource.id, seq, rows.slice(seq * CSV_CHUNK, (seq + 1) * CSV_CHUNK));
      return await finishImport(db, caller, resource.id, "completed", ip);
    } catch (error) {
      await failImport(db, caller, resource.id, (error as Error).message).catch(() => {});
      throw error;
    }
  };
  if (rows.length <= SYNC_ROWS) return { resource: await run(), done: Promise.resolve() };
  // Answered as started, whatever the background has done by now: a large upload is always `processing`.
  return { resource, done: run().then(() => {}) };
}

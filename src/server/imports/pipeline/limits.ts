import { ApiError } from "../../errors";
import type { ChunkRow } from "./chunk";

/**
 * What one chunk may hold. Memory grows with a chunk's cells (each a parsed value, then checked), so a
 * chunk is bounded by rows, cells and bytes; the largest chunk allowed keeps the service within a few
 * hundred MB (`npm run bench -- server` measures it). The add-on sends 1,000 rows a chunk, 5 chunks in
 * one request (POST …/chunks, applied one after another); 1,000 rows of the widest header row allowed (MAX_COLUMNS) is exactly MAX_CHUNK_CELLS.
 */
export const MAX_CHUNK_ROWS = 2000;
/** Columns of an import's header row, and cells of a row. */
export const MAX_COLUMNS = 250;
export const MAX_CHUNK_CELLS = 250_000;
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** The body of one request of several chunks (POST /v1/imports/{id}/chunks). */
export const MAX_BATCH_BYTES = 10 * MAX_CHUNK_BYTES;

const n = (x: number) => x.toLocaleString("en-US");

/** A chunk past a limit: 413, naming the limit and what the chunk held. */
export function chunkTooLarge(
  limit: string,
  most: number,
  held: number | null,
  what: "chunk" | "request" = "chunk",
): ApiError {
  return new ApiError(
    413,
    "chunk_too_large",
    what === "chunk"
      ? `A chunk holds at most ${n(most)} ${limit}; this one has ${held === null ? "more" : n(held)}. Send the rows in smaller chunks.`
      : `A request of several chunks holds at most ${n(most)} ${limit}; this one has ${held === null ? "more" : n(held)}. Send fewer chunks a request.`,
    { limit, most, held },
  );
}

/** Refuses a chunk with more rows or cells than allowed (its bytes are held before it is read). */
export function assertChunkWithinLimits(rows: readonly ChunkRow[]): void {
  if (rows.length > MAX_CHUNK_ROWS) throw chunkTooLarge("rows", MAX_CHUNK_ROWS, rows.length);
  let cells = 0;
  for (const r of rows) {
    if (r.cells.length > MAX_COLUMNS) throw chunkTooLarge("cells in a row", MAX_COLUMNS, r.cells.length);
    cells += r.cells.length;
  }
  if (cells > MAX_CHUNK_CELLS) throw chunkTooLarge("cells", MAX_CHUNK_CELLS, cells);
}

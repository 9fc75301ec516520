import type { Queryable } from "../db/database";
import type { ChunkRow } from "./pipeline";

/** Rows per staged chunk: the chunk the worker applies in one transaction. */
export const STAGED_CHUNK = 1000;

/**
 * Stages an upload's rows, a chunk at a time as they are read, so memory holds one chunk whatever
 * the file's size. Runs inside the transaction that starts the import: a cut upload stages nothing.
 */
export async function stageRows(
  tx: Queryable,
  importId: string,
  rows: AsyncIterable<ChunkRow>,
): Promise<{ total_rows: number; chunks: number }> {
  let chunk: ChunkRow[] = [];
  let seq = 0;
  let total = 0;
  const flush = async () => {
    await tx.query("INSERT INTO import_staging (import_id, seq, rows) VALUES ($1, $2, $3)", [
      importId,
      seq++,
      JSON.stringify(chunk),
    ]);
    chunk = [];
  };
  for await (const row of rows) {
    chunk.push(row);
    total++;
    if (chunk.length === STAGED_CHUNK) await flush();
  }
  if (chunk.length) await flush();
  return { total_rows: total, chunks: seq };
}

/** The first staged chunk not applied yet (none stored in import_chunks), or null when all are. */
export async function nextStagedChunk(
  db: Queryable,
  importId: string,
): Promise<{ seq: number; rows: ChunkRow[] } | null> {
  const { rows } = await db.query<{ seq: number; rows: ChunkRow[] }>(
    `SELECT s.seq, s.rows FROM import_staging s
     WHERE s.import_id = $1
       AND NOT EXISTS (SELECT 1 FROM import_chunks c WHERE c.import_id = s.import_id AND c.seq = s.seq)
     ORDER BY s.seq LIMIT 1`,
    [importId],
  );
  return rows[0] ?? null;
}

/** Removes an ended import's staged rows. */
export async function dropStaged(db: Queryable, importId: string): Promise<void> {
  await db.query("DELETE FROM import_staging WHERE import_id = $1", [importId]);
}

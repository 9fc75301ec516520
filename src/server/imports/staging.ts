import type { Queryable } from "../db/database";
import type { ChunkRow } from "./pipeline";

/** Rows per staged chunk: the chunk the worker applies in one transaction. */
export const STAGED_CHUNK = 1000;

/**
 * Stages an upload's rows before its import starts, a chunk at a time as they are read, so memory
 * holds one chunk whatever the file's size. Each chunk is a statement of its own followed by a turn
 * of the event loop: on PGlite (one session, in this process) other requests get in between chunks
 * instead of waiting for the whole file. Whoever stages removes the rows if the import does not start.
 */
export async function stageRows(
  db: Queryable,
  importId: string,
  rows: AsyncIterable<ChunkRow>,
): Promise<{ total_rows: number; chunks: number }> {
  let chunk: ChunkRow[] = [];
  let seq = 0;
  let total = 0;
  const flush = async () => {
    await db.query("INSERT INTO import_staging (import_id, seq, rows) VALUES ($1, $2, $3)", [
      importId,
      seq++,
      JSON.stringify(chunk),
    ]);
    chunk = [];
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const row of rows) {
    chunk.push(row);
    total++;
    if (chunk.length === STAGED_CHUNK) await flush();
  }
  if (chunk.length) await flush();
  return { total_rows: total, chunks: seq };
}

/** Staged rows older than this whose import never started belong to an upload cut by a dead process. */
const ORPHAN_AGE = "1 hour";

/**
 * Removes the staged rows of uploads whose process died before their import started: rows without an
 * import, staged longer ago than `olderThan` (another replica may be staging an upload right now).
 */
export async function dropOrphanStaging(db: Queryable, olderThan = ORPHAN_AGE): Promise<void> {
  await db.query(
    `DELETE FROM import_staging s WHERE s.staged_at < now() - $1::interval
       AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = s.import_id)`,
    [olderThan],
  );
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

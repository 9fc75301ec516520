import type { Caller } from "../../caller";
import type { Database } from "../../db/database";
import { ApiError } from "../../errors";
import {
  applyChunk,
  type CheckedChunk,
  type ChunkResult,
  type ChunkRow,
  checkChunkRows,
  checkChunkRowsAside,
} from "./chunk";
import { planFor } from "./plan";
import { getImport } from "./resource";

/** Chunks one request may send (POST /v1/imports/{id}/chunks). */
export const MAX_BATCH_CHUNKS = 10;

export interface SentChunk {
  seq: number;
  rows: readonly ChunkRow[];
}

/**
 * The work of each import, one piece at a time, per database: what waits its turn here holds no
 * pooled connection. The import's row lock (applyChunk) still makes replicas take turns.
 */
const turns = new WeakMap<Database, Map<string, Promise<unknown>>>();

/** Runs `work` once the work on the import that came before it in this process has ended. */
export async function inImportTurn<T>(db: Database, importId: string, work: () => Promise<T>): Promise<T> {
  const queues = turns.get(db) ?? new Map<string, Promise<unknown>>();
  turns.set(db, queues);
  const before = queues.get(importId) ?? Promise.resolve();
  const mine = before.then(work);
  const settled = mine.catch(() => {});
  queues.set(importId, settled);
  try {
    return await mine;
  } finally {
    if (queues.get(importId) === settled) queues.delete(importId);
  }
}

/** One chunk, in the import's turn: the single PUT. */
export function sendChunk(
  db: Database,
  caller: Caller,
  importId: string,
  seq: number,
  rows: readonly ChunkRow[],
): Promise<ChunkResult> {
  return inImportTurn(db, importId, () => applyChunk(db, caller, importId, seq, rows));
}

/**
 * Several chunks of one import, applied in the order given, each in its own transaction (applyChunk):
 * a chunk sent again replays. The rows of the next chunk are checked while the chunk before it is
 * applied. When a chunk fails, those before it stay applied, the later ones are not tried, and the
 * error is that chunk's, its details naming it (`seq`) and the chunks applied or replayed (`applied`).
 */
export function sendChunks(
  db: Database,
  caller: Caller,
  importId: string,
  chunks: readonly SentChunk[],
): Promise<ChunkResult[]> {
  return inImportTurn(db, importId, async () => {
    const imp = await getImport(db, caller.program.id, importId);
    const planned = await planFor(db, imp.program_id, imp.object, imp.headers, imp.options);
    const answers: ChunkResult[] = [];
    let early: CheckedChunk | undefined = chunks[0] && checkChunkRows(imp, planned, chunks[0].rows);
    for (const [i, chunk] of chunks.entries()) {
      const applying = applyChunk(db, caller, importId, chunk.seq, chunk.rows, early);
      // The next chunk's rows are checked while this one's statements run, a hundred rows at a time.
      applying.catch(() => {});
      const next = chunks[i + 1];
      const checking = next ? checkChunkRowsAside(imp, planned, next.rows) : undefined;
      checking?.catch(() => {});
      try {
        answers.push(await applying);
      } catch (error) {
        throw failedAt(
          error,
          chunk.seq,
          answers.map((a) => a.seq),
        );
      }
      // Not this chunk's error if it fails: this chunk has been applied.
      early = await checking;
    }
    return answers;
  });
}

/** A chunk's error, its details naming the chunk and those applied before it. */
function failedAt(error: unknown, seq: number, applied: number[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const details =
    error.details && typeof error.details === "object" && !Array.isArray(error.details) ? error.details : {};
  return new ApiError(error.status, error.code, error.message, { ...details, seq, applied });
}

import { callerOfUser } from "../caller";
import type { Database } from "../db/database";
import { ApiError } from "../errors";
import { applyChunk, failImport, finishImport } from "./pipeline";
import { dropStaged, nextStagedChunk, STAGED_CHUNK } from "./staging";

/** How a run over an upload's staged chunks ended: all applied, the import ended elsewhere, or paused. */
export type StagedOutcome = "completed" | "ended" | "paused";

async function ownerOf(db: Database, importId: string) {
  const { rows } = await db.query<{ program_id: number; user_id: number; status: string }>(
    "SELECT program_id, user_id, status FROM imports WHERE id = $1",
    [importId],
  );
  const imp = rows[0];
  if (!imp) return null;
  return { status: imp.status, caller: await callerOfUser(db, imp.user_id, imp.program_id) };
}

/**
 * Applies an upload's staged chunks in order through applyChunk, so each is applied exactly once
 * however many runs (a restart, another replica) go over it; then completes the import. `pause` is
 * asked between chunks: the chunk in hand always finishes.
 */
export async function applyStaged(
  db: Database,
  importId: string,
  pause: () => boolean = () => false,
): Promise<StagedOutcome> {
  const owner = await ownerOf(db, importId);
  if (!owner) return "ended";
  const ended = async () => {
    await dropStaged(db, importId);
    return "ended" as const;
  };
  if (owner.status !== "processing") return ended();
  for (;;) {
    // PGlite works inside this process, in promises that never wait on I/O: without a turn of the
    // event loop between chunks, requests (and SIGTERM) would wait for the whole upload.
    await new Promise((resolve) => setImmediate(resolve));
    if (pause()) return "paused";
    const next = await nextStagedChunk(db, importId);
    if (!next) break;
    try {
      await applyChunk(db, owner.caller, importId, next.seq, next.rows);
    } catch (error) {
      // Cancelled while we worked: its work stops here.
      if (error instanceof ApiError && error.code === "import_closed") return ended();
      throw error;
    }
  }
  try {
    await finishImport(db, owner.caller, importId, "completed", null);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "import_closed")) throw error;
  }
  await dropStaged(db, importId);
  return "completed";
}

/**
 * Ends an upload whose work kept failing: `failed`, with a sentence that says where it stopped and
 * what to do (never the database's message), audited; its staged rows go.
 */
export async function failStaged(db: Database, importId: string, why: string): Promise<void> {
  const owner = await ownerOf(db, importId);
  if (!owner) return;
  const next = await nextStagedChunk(db, importId);
  const from = next?.rows[0]?.row;
  const to = next?.rows[next.rows.length - 1]?.row;
  const where =
    from === undefined
      ? "before it could be completed"
      : `at rows ${from} to ${to} (a chunk of up to ${STAGED_CHUNK} rows)`;
  await failImport(
    db,
    owner.caller,
    importId,
    `The import stopped ${where}: ${why}. The rows before them were imported; upload the rest again to finish.`,
  );
  await dropStaged(db, importId);
}

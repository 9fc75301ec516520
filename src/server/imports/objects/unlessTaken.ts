import type { Queryable } from "../../db/database";

/**
 * Runs `write` behind a savepoint. A write that meets a unique key another import has taken meanwhile
 * (a unique violation), or that answers false, is taken back, and false returned.
 *
 * Inserts go this way first, without `ON CONFLICT DO NOTHING` (and without `RETURNING` where the rows
 * say what was made): those cost nearly half as much again as the insert itself, and a key taken
 * meanwhile is rare. Only when one is, the insert that leaves it to the other import runs instead (see
 * createOrMatch).
 */
export async function unlessTaken(tx: Queryable, write: () => Promise<unknown>): Promise<boolean> {
  await tx.query("SAVEPOINT unless_taken");
  let written: boolean;
  try {
    written = (await write()) !== false;
  } catch (error) {
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    written = false;
  }
  await tx.query(written ? "RELEASE SAVEPOINT unless_taken" : "ROLLBACK TO SAVEPOINT unless_taken");
  return written;
}

const UNIQUE_VIOLATION = "23505";

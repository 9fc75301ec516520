/**
 * The document lock (LockService.getDocumentLock): one execution at a time, across every person with
 * the spreadsheet open, changes the import's state and the highlight record. Held briefly, around a
 * read, a decision and a write, never across a call to the importer.
 */

/** How long to wait for another execution to let go before telling the person. */
const WAIT_MS = 5000;

export const LOCK_BUSY_MESSAGE =
  "Someone else is changing this spreadsheet's import or highlights right now. Try again in a moment.";

/** Set while this execution holds the lock, so a guarded step inside another does not take it twice. */
let held = false;

/** Runs `work` holding the document lock; throws LOCK_BUSY_MESSAGE when it is not free within a few seconds. */
export function withDocumentLock<T>(work: () => T): T {
  return holding(WAIT_MS, work, () => {
    throw new Error(LOCK_BUSY_MESSAGE);
  });
}

/** Runs `work` holding the document lock if it comes within `waitMs`; otherwise does nothing. */
export function ifDocumentLockFree(waitMs: number, work: () => void): void {
  holding(waitMs, work, () => undefined);
}

function holding<T>(waitMs: number, work: () => T, busy: () => T): T {
  if (held) return work();
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(waitMs)) return busy();
  held = true;
  try {
    return work();
  } finally {
    held = false;
    lock.releaseLock();
  }
}

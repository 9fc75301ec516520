import type { CallLog } from "../calls";
import { exception } from "./exception";
import { blockFor } from "./sleep";

export type LockScope = "user" | "document" | "script";

export const LOCK_TIMEOUT = "Lock timeout: another process was holding the lock for too long.";

/** The time locks wait by: real time by default; a test may give a fake clock. */
export interface LockClock {
  now(): number;
  sleep(ms: number): void;
}

/**
 * Who holds each lock, kept by the host across executions. The emulator runs one execution at a
 * time, so another holder is one the host stands in for with `holdElsewhere` (a concurrent execution, a
 * trigger); the running execution's own locks go when it ends (`endExecution`), as Google releases a
 * script's locks when it terminates.
 */
export class LockTable {
  private readonly held = new Map<LockScope, Set<object>>();
  private readonly elsewhere = new Map<LockScope, number>();
  /** Bumped when an execution ends: its Lock objects no longer hold anything. */
  execution = 0;

  constructor(readonly clock: LockClock = { now: Date.now, sleep: blockFor }) {}

  /** Another execution takes the lock, for `ms` milliseconds or until `releaseElsewhere`. */
  holdElsewhere(scope: LockScope, ms = Number.POSITIVE_INFINITY): void {
    this.elsewhere.set(scope, this.clock.now() + ms);
  }

  releaseElsewhere(scope: LockScope): void {
    this.elsewhere.delete(scope);
  }

  /** The running execution has ended: its locks are released. */
  endExecution(): void {
    this.held.clear();
    this.execution++;
  }

  /** Whether anyone (this execution or another) holds the lock. */
  isHeld(scope: LockScope): boolean {
    return (this.held.get(scope)?.size ?? 0) > 0 || this.heldElsewhereFor(scope) > 0;
  }

  /** Takes the lock for `owner`, waiting up to `timeoutMs` for another holder to let go. */
  acquire(scope: LockScope, owner: object, timeoutMs: number): boolean {
    const wait = this.heldElsewhereFor(scope);
    if (wait > timeoutMs) {
      this.clock.sleep(timeoutMs);
      return false;
    }
    if (wait > 0) {
      this.clock.sleep(wait);
      this.elsewhere.delete(scope);
    }
    // Several Lock objects of one execution share the lock: they are one process to the Lock service.
    const owners = this.held.get(scope) ?? new Set<object>();
    owners.add(owner);
    this.held.set(scope, owners);
    return true;
  }

  release(scope: LockScope, owner: object): void {
    this.held.get(scope)?.delete(owner);
  }

  private heldElsewhereFor(scope: LockScope): number {
    const until = this.elsewhere.get(scope);
    if (until === undefined) return 0;
    const left = until - this.clock.now();
    if (left <= 0) this.elsewhere.delete(scope);
    return Math.max(left, 0);
  }
}

export type EmulatedLockService = Pick<
  GoogleAppsScript.Lock.LockService,
  "getUserLock" | "getDocumentLock" | "getScriptLock"
>;

/** LockService over the host's lock table. Calls are counted under `LockService`. */
export function createLockService(calls: CallLog, table: LockTable): EmulatedLockService {
  const record = (method: string, serviceMs = 0) =>
    calls.record("LockService", method, serviceMs > 0 ? { serviceMs } : {});
  return {
    getUserLock() {
      record("getUserLock");
      return createLock(record, table, "user");
    },
    getDocumentLock() {
      record("getDocumentLock");
      return createLock(record, table, "document");
    },
    getScriptLock() {
      record("getScriptLock");
      return createLock(record, table, "script");
    },
  };
}

function createLock(
  record: (method: string, serviceMs?: number) => void,
  table: LockTable,
  scope: LockScope,
): GoogleAppsScript.Lock.Lock {
  let heldIn: number | undefined;
  const holds = () => heldIn === table.execution;

  const lock: GoogleAppsScript.Lock.Lock = {
    hasLock() {
      record("Lock.hasLock");
      return holds();
    },
    tryLock(timeoutInMillis: number) {
      const { taken, waited } = timed(() => take(timeoutInMillis));
      record("Lock.tryLock", waited);
      return taken;
    },
    waitLock(timeoutInMillis: number) {
      const { taken, waited } = timed(() => take(timeoutInMillis));
      record("Lock.waitLock", waited);
      if (!taken) throw exception(LOCK_TIMEOUT);
    },
    releaseLock() {
      record("Lock.releaseLock");
      // Google: releasing a lock that was not acquired does nothing.
      if (!holds()) return;
      heldIn = undefined;
      table.release(scope, lock);
    },
  };

  /** The time spent waiting for the lock is the call's own: the latency model charges it. */
  function timed(attempt: () => boolean): { taken: boolean; waited: number } {
    const started = table.clock.now();
    const taken = attempt();
    return { taken, waited: Math.max(0, table.clock.now() - started) };
  }

  function take(timeoutInMillis: number): boolean {
    if (holds()) return true;
    if (!table.acquire(scope, lock, Math.max(0, Number(timeoutInMillis) || 0))) return false;
    heldIn = table.execution;
    return true;
  }

  return lock;
}

/**
 * What Apps Script holds each execution and each user to: the time an execution may run, the daily
 * quotas, and the clock the script sees. Google's figures and wording, from
 * https://developers.google.com/apps-script/guides/services/quotas ("If you exceed a quota or
 * limitation, your script throws an exception and execution terminates"): script runtime 6 min /
 * execution; simple triggers 30 s (https://developers.google.com/apps-script/guides/triggers
 * "Restrictions": "They cannot run for longer than 30 seconds"); consumer accounts' daily quotas:
 * URL Fetch calls 20,000 / day, triggers total runtime 90 min / day.
 */

import { exception } from "./services/exception";

/** An execution's kind: onOpen and onEdit run as simple triggers; the rest (menu items, google.script.run) not. */
export type TriggerKind = "simple" | "other";

export const EXECUTION_LIMITS_MS: Record<TriggerKind, number> = {
  simple: 30_000,
  other: 6 * 60_000,
};

/** Google's daily quotas for a consumer account (gmail.com). */
export const DAILY_QUOTAS = {
  urlFetchCalls: 20_000,
  triggerRuntimeMs: 90 * 60_000,
} as const;

export const executionMessages = {
  timeLimit: "Exceeded maximum execution time",
  urlFetchQuota: "Service invoked too many times for one day: urlfetch.",
  triggerRuntimeQuota: "Service using too much computer time for one day",
} as const;

/** One execution as the host ran it: its time by the latency model, and how it ended. */
export interface ExecutionRecord {
  name: string;
  trigger: TriggerKind;
  /** The projected time of the service calls it made (the latency model's). */
  projectedMs: number;
  /** The message it ended with, when it failed. */
  error?: string;
}

/** The error that ends an execution for good: the add-on may catch it, the execution still ends with it. */
export class ExecutionEndedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Exception";
  }
}

/**
 * The clock the add-on's `Date.now()` and `new Date()` read: real time shifted by what each service call
 * would have taken in Apps Script (its projected time) less the time it took here. Time runs on: an
 * execution starts no earlier than the one before it ended on this clock, and the shift is what is
 * still ahead of real time, so the pause before a person's next click takes it back and a preview used
 * all day does not drift ahead of its users. One per host by default; hosts that stand for people in
 * one spreadsheet may share one, and a test may `advance` it (a collaborator comes back an hour later).
 */
export class VirtualClock {
  /** What tests moved the clock on by. */
  offsetMs = 0;
  /** How far the running execution's time is ahead of real time (projected less wall time). */
  executionShiftMs = 0;
  #lastEnd = Number.NEGATIVE_INFINITY;

  now(): number {
    return Date.now() + this.offsetMs + this.executionShiftMs;
  }

  /** Moves the clock `ms` on from where it stands now (after the last execution's end, if later). */
  advance(ms: number): void {
    this.offsetMs += Math.max(0, this.#lastEnd - (Date.now() + this.offsetMs)) + ms;
  }

  /** An execution starts: where the last one ended, or now, whichever is later. */
  startExecution(): void {
    this.executionShiftMs = Math.max(0, this.#lastEnd - (Date.now() + this.offsetMs));
  }

  /** An execution ends: the next starts no earlier than this. */
  endExecution(): void {
    this.#lastEnd = this.now();
  }
}

interface DailyUse {
  urlFetchCalls: number;
  triggerRuntimeMs: number;
}

/**
 * Daily quotas, counted per user (by email) for the current day. Hosts of one user share one (a host
 * makes its own when not given one); `nextDay()` starts a new day, as Google refreshes quotas every
 * 24 hours.
 */
export class Quotas {
  day = 0;
  readonly #use = new Map<string, DailyUse>();

  constructor(readonly limits: { urlFetchCalls: number; triggerRuntimeMs: number } = DAILY_QUOTAS) {}

  /** The user's use today. */
  used(user: string): Readonly<DailyUse> {
    return this.#of(user);
  }

  nextDay(): void {
    this.day++;
    this.#use.clear();
  }

  /** Counts `n` URL fetches; throws Google's message, counting nothing, when they would pass the quota. */
  useUrlFetches(user: string, n: number): void {
    const use = this.#of(user);
    if (use.urlFetchCalls + n > this.limits.urlFetchCalls) throw exception(executionMessages.urlFetchQuota);
    use.urlFetchCalls += n;
  }

  /** Adds a trigger's projected time. */
  addTriggerRuntime(user: string, ms: number): void {
    this.#of(user).triggerRuntimeMs += ms;
  }

  /** Whether the user's triggers have used their daily time (with `pending` ms of a running one). */
  triggerRuntimeExceeded(user: string, pending = 0): boolean {
    return this.#of(user).triggerRuntimeMs + pending > this.limits.triggerRuntimeMs;
  }

  #of(user: string): DailyUse {
    let use = this.#use.get(user);
    if (!use) {
      use = { urlFetchCalls: 0, triggerRuntimeMs: 0 };
      this.#use.set(user, use);
    }
    return use;
  }
}

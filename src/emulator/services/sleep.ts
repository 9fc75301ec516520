const parked = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` milliseconds, as Apps Script's synchronous waits do (no timers in the add-on). */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(parked, 0, 0, ms);
}

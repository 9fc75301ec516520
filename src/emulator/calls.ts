/** Every Apps Script service call the add-on makes, counted by `Service.method`, with a projected time. */
export class CallLog {
  readonly counts = new Map<string, number>();
  /** Milliseconds the calls would have taken in Apps Script, by the latency model. */
  projectedMs = 0;

  constructor(readonly latency: LatencyModel = PESSIMISTIC) {}

  /** Records one call; `cells` is how many cells it read or wrote, `serviceMs` the far side's own time. */
  record(service: string, method: string, detail: { cells?: number; serviceMs?: number } = {}): void {
    const name = `${service}.${method}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.projectedMs += this.latency.cost(service, method, detail);
  }

  /** Calls of one service (`"SpreadsheetApp"`), or all of them. */
  total(service?: string): number {
    let n = 0;
    for (const [name, count] of this.counts) if (!service || name.startsWith(`${service}.`)) n += count;
    return n;
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  reset(): void {
    this.counts.clear();
    this.projectedMs = 0;
  }
}

export interface LatencyModel {
  cost(service: string, method: string, detail: { cells?: number; serviceMs?: number }): number;
}

/**
 * DESIGN.md's deliberately pessimistic estimate, to be refined when better figures are found: 50 ms a
 * Spreadsheet call plus 2 µs a cell, 300 ms a URL fetch round trip plus the service's own time, 700 ms a
 * google.script.run round trip; other services' calls cost only their own time (`serviceMs`: the
 * milliseconds `Utilities.sleep` waits, 0 for the rest). A fetch that timed out comes with Google's 60 s as
 * its `serviceMs`, whatever the emulator waited.
 */
export const PESSIMISTIC: LatencyModel = {
  cost(service, _method, { cells = 0, serviceMs = 0 }) {
    if (service === "SpreadsheetApp") return 50 + cells * 0.002;
    if (service === "UrlFetchApp") return 300 + serviceMs;
    if (service === "google.script.run") return 700;
    return serviceMs;
  },
};

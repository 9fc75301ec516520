/** Every Apps Script service call the add-on makes, counted by `Service.method`, with a projected time. */
export class CallLog {
  readonly counts = new Map<string, number>();
  /** Milliseconds the calls would have taken in Apps Script, by the latency model. */
  projectedMs = 0;

  constructor(readonly latency: LatencyModel = PESSIMISTIC) {}

  /** Records one call, with what it carried (CallDetail) for the latency model. */
  record(service: string, method: string, detail: CallDetail = {}): void {
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
  cost(service: string, method: string, detail: CallDetail): number;
}

/**
 * What one call carried: `cells` it read or wrote, `serviceMs` the far side's own time (a fetch's wait on
 * the service, the milliseconds `Utilities.sleep` or a lock waited), `requests` a `fetchAll` sent.
 */
export interface CallDetail {
  cells?: number;
  serviceMs?: number;
  requests?: number;
}

/**
 * The figures the default model charges, each with where it comes from. Where sources disagree the model
 * takes the slower; where none was found it keeps DESIGN.md's deliberately pessimistic estimate and says so.
 */
export const LATENCY_FIGURES = {
  /**
   * A Spreadsheet call. No published per-call figure found; DESIGN.md's estimate, kept. For scale: a single
   * `setValues` of 4,000 cells took under 50 ms, and adding a `flush()` made it 610 ms
   * (a Stack Overflow answer timed in Apps Script, "What is faster: ScriptDb or SpreadsheetApp?", as copied at
   * https://ruby-bash.developreference.com/article/29263774/What+is+faster+ScriptDb+or+SpreadsheetApp; 400 rows written one `setValues` a row took 164 ms, under 1 ms a call); Google's best practices say only that batched calls are far faster than one call a cell
   * (https://developers.google.com/apps-script/guides/support/best-practices).
   */
  sheetsCallMs: 50,
  /** Each cell a Spreadsheet call reads or writes. No published figure found; DESIGN.md's estimate, kept. */
  sheetsCellMs: 0.002,
  /**
   * `SpreadsheetApp.flush()`: 610 ms for a 4,000-cell write with a flush against under 50 ms without
   * (the same answer).
   */
  sheetsFlushMs: 610,
  /**
   * A URL fetch's round trip, on top of the far side's own time. Three `UrlFetchApp.fetch` calls one after
   * another to the Google Books API took 1.769 s, about 590 ms a call
   * (https://www.pre-practice.net/2020/03/urlfetchappfetchallfetch.html). That includes the Books API's own
   * time, so adding the service's time to it counts a little twice: pessimistic. DESIGN.md had 300 ms.
   */
  fetchMs: 590,
  /**
   * Each request of a `fetchAll` after the first. Apps Script sends them side by side
   * (https://tanaikech.github.io/2018/04/19/benchmark-fetchall-method-in-urlfetch-service-for-google-apps-script/,
   * five Web Apps each sleeping 5 s answered together), but not for free: the same three Books API requests
   * took 0.929 s by `fetchAll` against 0.590 s for one fetch, (929 − 590) / 2 ≈ 170 ms a further request
   * (https://www.pre-practice.net/2020/03/urlfetchappfetchallfetch.html). The far side's time is the wall time
   * of the whole batch (the requests overlap), counted once.
   */
  fetchAllRequestMs: 170,
  /**
   * A `google.script.run` round trip from the sidebar. No published figure in text found (Bruce McPherson
   * timed 100 server calls at several levels of parallelism, https://ramblings.mcpher.com/gassnippets2/measuring-library-load-speed/,
   * as a chart only); DESIGN.md's estimate, kept.
   */
  sidebarCallMs: 700,
  /**
   * A read of a property store (`getProperty`, `getProperties`, `getKeys`): 100 sequential `getProperty`
   * calls averaged 30 ms on script properties and 34 ms on user properties (min 20, max 84)
   * (https://ziritione.org/post/apps_script_performance); 100 write-and-read pairs averaged about 80 ms
   * (https://justin.poehnelt.com/posts/apps-script-key-value-stores). `getProperties` reads the whole store in
   * one call; no separate figure found, so it is charged as one read.
   */
  propertiesReadMs: 34,
  /**
   * A write (`setProperty`, `setProperties`, `deleteProperty`, `deleteAllProperties`): `setProperty`
   * averaged 62 ms on script properties and 64 ms on user properties (min 43, max 231)
   * (https://ziritione.org/post/apps_script_performance). `setProperties` writes several in one call and is
   * charged as one write; deletes are writes (no separate figure found).
   */
  propertiesWriteMs: 64,
  /**
   * `Cache.get`: 3–4 ms in one series of 100 (https://ziritione.org/post/apps_script_performance), 20–23 ms
   * in another of 10, for a few bytes and for 100 KB alike (https://qiita.com/mitonattou919/items/a0fdd1a9e4559ee4a512):
   * the slower. `getAll` is one call, charged as one get (no separate figure found).
   */
  cacheGetMs: 23,
  /**
   * `Cache.put`: 92–93 ms on average over 100 (https://ziritione.org/post/apps_script_performance), 56–57 ms
   * over 10 (https://qiita.com/mitonattou919/items/a0fdd1a9e4559ee4a512): the slower. `putAll` is one call,
   * charged as one put (no separate figure found).
   */
  cachePutMs: 93,
  /** `Cache.remove`, and `removeAll` as one call: 88–90 ms (https://qiita.com/mitonattou919/items/a0fdd1a9e4559ee4a512). */
  cacheRemoveMs: 90,
  /** `getScriptCache()` and the like: 2–3 ms (https://qiita.com/mitonattou919/items/a0fdd1a9e4559ee4a512). */
  cacheOpenMs: 3,
} as const;

const PROPERTY_READS = new Set(["Properties.getProperty", "Properties.getProperties", "Properties.getKeys"]);
const PROPERTY_WRITES = new Set([
  "Properties.setProperty",
  "Properties.setProperties",
  "Properties.deleteProperty",
  "Properties.deleteAllProperties",
]);
const CACHE_COSTS: Record<string, number> = {
  getUserCache: LATENCY_FIGURES.cacheOpenMs,
  getDocumentCache: LATENCY_FIGURES.cacheOpenMs,
  getScriptCache: LATENCY_FIGURES.cacheOpenMs,
  "Cache.get": LATENCY_FIGURES.cacheGetMs,
  "Cache.getAll": LATENCY_FIGURES.cacheGetMs,
  "Cache.put": LATENCY_FIGURES.cachePutMs,
  "Cache.putAll": LATENCY_FIGURES.cachePutMs,
  "Cache.remove": LATENCY_FIGURES.cacheRemoveMs,
  "Cache.removeAll": LATENCY_FIGURES.cacheRemoveMs,
};

/**
 * The default latency model: deliberately pessimistic, each figure sourced in LATENCY_FIGURES.
 * - SpreadsheetApp: 50 ms a call plus 2 µs a cell it reads or writes; `flush()` 610 ms.
 * - UrlFetchApp: 590 ms a `fetch` plus the service's own time; a `fetchAll` 590 ms plus 170 ms for each
 *   request after the first plus the service's time for the whole batch (the requests overlap). A fetch that
 *   timed out comes with Google's 60 s as its service time, whatever the emulator waited.
 * - google.script.run: 700 ms a round trip.
 * - PropertiesService: 34 ms a read (`getProperty`, `getProperties`, `getKeys`), 64 ms a write
 *   (`setProperty`, `setProperties`, deletes); getting a store costs nothing (no figure found).
 * - CacheService: 23 ms a `get` or `getAll`, 93 ms a `put` or `putAll`, 90 ms a `remove` or `removeAll`,
 *   3 ms to get a cache.
 * - Every other service (LockService, Session, Utilities, Ui, Logger…): only its own time (the milliseconds
 *   `Utilities.sleep` or a lock waited, 0 for the rest): no published figure found for a lock taken
 *   unopposed, and the rest run within the script's own process.
 */
export const PESSIMISTIC: LatencyModel = {
  cost(service, method, { cells = 0, serviceMs = 0, requests = 1 }) {
    const f = LATENCY_FIGURES;
    switch (service) {
      case "SpreadsheetApp":
        return method === "flush" ? f.sheetsFlushMs : f.sheetsCallMs + cells * f.sheetsCellMs;
      case "UrlFetchApp":
        if (method === "fetch") return f.fetchMs + serviceMs;
        if (method === "fetchAll")
          return f.fetchMs + Math.max(requests - 1, 0) * f.fetchAllRequestMs + serviceMs;
        return serviceMs;
      case "google.script.run":
        return f.sidebarCallMs;
      case "PropertiesService":
        if (PROPERTY_READS.has(method)) return f.propertiesReadMs;
        if (PROPERTY_WRITES.has(method)) return f.propertiesWriteMs;
        return 0;
      case "CacheService":
        return CACHE_COSTS[method] ?? 0;
      default:
        return serviceMs;
    }
  },
};

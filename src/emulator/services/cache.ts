import type { CallLog } from "../calls";
import { utf8Length } from "./bytes";
import { exception } from "./exception";

/** Google's limits: a key of at most 250 characters, a value of at most 100 KB, kept at most 6 hours. */
export const CACHE_LIMITS = {
  keyChars: 250,
  valueBytes: 100 * 1024,
  defaultSeconds: 600,
  maxSeconds: 21_600,
} as const;

export const CACHE_KEY_TOO_LARGE = "Argument too large: key";
export const CACHE_VALUE_TOO_LARGE = "Argument too large: value";

export type EmulatedCacheService = Pick<
  GoogleAppsScript.Cache.CacheService,
  "getUserCache" | "getDocumentCache" | "getScriptCache"
>;

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * CacheService. Its three caches live as long as this object, across executions; `now` is the clock
 * entries expire by (milliseconds). Calls are counted under `CacheService`.
 */
export function createCacheService(calls: CallLog, now: () => number = Date.now): EmulatedCacheService {
  const record = (method: string) => calls.record("CacheService", method);
  const caches = {
    user: new Map<string, Entry>(),
    document: new Map<string, Entry>(),
    script: new Map<string, Entry>(),
  };
  return {
    getUserCache() {
      record("getUserCache");
      return createCache(record, now, caches.user);
    },
    getDocumentCache() {
      record("getDocumentCache");
      return createCache(record, now, caches.document);
    },
    getScriptCache() {
      record("getScriptCache");
      return createCache(record, now, caches.script);
    },
  };
}

function createCache(
  record: (method: string) => void,
  now: () => number,
  entries: Map<string, Entry>,
): GoogleAppsScript.Cache.Cache {
  function read(key: string): string | null {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  }

  /** Checks every pair first, so a refused putAll stores nothing. */
  function write(pairs: [string, string][], seconds: unknown): void {
    for (const [key, value] of pairs) {
      if (key.length > CACHE_LIMITS.keyChars) throw exception(CACHE_KEY_TOO_LARGE);
      if (utf8Length(value) > CACHE_LIMITS.valueBytes) throw exception(CACHE_VALUE_TOO_LARGE);
    }
    const expiresAt = now() + lifetime(seconds) * 1000;
    for (const [key, value] of pairs) entries.set(key, { value, expiresAt });
  }

  return {
    get(key: string) {
      record("Cache.get");
      return read(String(key));
    },
    getAll(keys: string[]) {
      record("Cache.getAll");
      const found: Record<string, string> = {};
      for (const key of keys) {
        const value = read(String(key));
        if (value !== null)
          Object.defineProperty(found, String(key), {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return found;
    },
    put(key: string, value: string, expirationInSeconds?: number) {
      record("Cache.put");
      write([[String(key), String(value)]], expirationInSeconds);
    },
    putAll(values: { [key: string]: unknown }, expirationInSeconds?: number) {
      record("Cache.putAll");
      write(
        Object.entries(values).map(([key, value]) => [key, String(value)]),
        expirationInSeconds,
      );
    },
    remove(key: string) {
      record("Cache.remove");
      entries.delete(String(key));
    },
    removeAll(keys: string[]) {
      record("Cache.removeAll");
      for (const key of keys) entries.delete(String(key));
    },
  };
}

/** Seconds an entry lives: 10 minutes unless told, held between 1 second and Google's 6 hours. */
function lifetime(seconds: unknown): number {
  if (seconds === undefined || seconds === null) return CACHE_LIMITS.defaultSeconds;
  const n = Math.floor(Number(seconds));
  if (!Number.isFinite(n)) return CACHE_LIMITS.defaultSeconds;
  return Math.min(Math.max(n, 1), CACHE_LIMITS.maxSeconds);
}

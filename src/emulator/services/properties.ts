import type { CallLog } from "../calls";
import { utf8Length } from "./bytes";
import { exception } from "./exception";

/** The three property stores, as plain objects the host keeps (and persists) between executions. */
export interface PropertyStores {
  user: Record<string, string>;
  document: Record<string, string>;
  script: Record<string, string>;
}

/**
 * Google's quotas: "9kB per value" and "500kB per property store". The emulator counts UTF-8 bytes: a
 * value on its own, a store as the sum of its keys and values.
 */
export const PROPERTY_LIMITS = { valueBytes: 9 * 1024, storeBytes: 500 * 1024 } as const;

export const VALUE_TOO_LARGE = "Argument too large: value";
export const STORE_QUOTA_EXCEEDED =
  "You have exceeded the property storage quota. Please remove some properties and try again.";

export type EmulatedPropertiesService = Pick<
  GoogleAppsScript.Properties.PropertiesService,
  "getUserProperties" | "getDocumentProperties" | "getScriptProperties"
>;

/** PropertiesService over the host's stores. Calls are counted under `PropertiesService`. */
export function createPropertiesService(calls: CallLog, stores: PropertyStores): EmulatedPropertiesService {
  const record = (method: string) => calls.record("PropertiesService", method);
  return {
    getUserProperties() {
      record("getUserProperties");
      return createProperties(record, stores.user);
    },
    getDocumentProperties() {
      record("getDocumentProperties");
      return createProperties(record, stores.document);
    },
    getScriptProperties() {
      record("getScriptProperties");
      return createProperties(record, stores.script);
    },
  };
}

function createProperties(
  record: (method: string) => void,
  store: Record<string, string>,
): GoogleAppsScript.Properties.Properties {
  const has = (key: string) => Object.hasOwn(store, key);

  /** Writes `changes` (and drops `removed`) only if the store stays within Google's limits. */
  function commit(changes: Map<string, string>, removed: Iterable<string> = []): void {
    const next = new Map(Object.entries(store));
    for (const key of removed) next.delete(key);
    for (const [key, value] of changes) {
      if (utf8Length(value) > PROPERTY_LIMITS.valueBytes) throw exception(VALUE_TOO_LARGE);
      next.set(key, value);
    }
    let size = 0;
    for (const [key, value] of next) size += utf8Length(key) + utf8Length(value);
    if (size > PROPERTY_LIMITS.storeBytes) throw exception(STORE_QUOTA_EXCEEDED);

    for (const key of removed) delete store[key];
    // defineProperty, so a key such as "__proto__" is stored as a property like any other.
    for (const [key, value] of changes) {
      Object.defineProperty(store, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }

  const properties: GoogleAppsScript.Properties.Properties = {
    getProperty(key: string) {
      record("Properties.getProperty");
      const name = String(key);
      return has(name) ? (store[name] as string) : null;
    },
    getProperties() {
      record("Properties.getProperties");
      return { ...store };
    },
    getKeys() {
      record("Properties.getKeys");
      return Object.keys(store);
    },
    // Apps Script stores every value as a string: setProperty("n", 5) stores "5".
    setProperty(key: string, value: string) {
      record("Properties.setProperty");
      commit(new Map([[String(key), String(value)]]));
      return properties;
    },
    setProperties(values: { [key: string]: string }, deleteAllOthers?: boolean) {
      record("Properties.setProperties");
      const changes = new Map(Object.entries(values).map(([key, value]) => [key, String(value)]));
      const removed = deleteAllOthers ? Object.keys(store).filter((key) => !changes.has(key)) : [];
      commit(changes, removed);
      return properties;
    },
    deleteProperty(key: string) {
      record("Properties.deleteProperty");
      delete store[String(key)];
      return properties;
    },
    deleteAllProperties() {
      record("Properties.deleteAllProperties");
      for (const key of Object.keys(store)) delete store[key];
      return properties;
    },
  };
  return properties;
}

/**
 * The boundary between the emulator's services (this realm) and the add-on (the vm context's realm).
 * Each realm has its own Date, Array and Error, so a value crossing is re-made in the realm it enters:
 * the add-on's `instanceof Date` holds for a cell's date as it does in Apps Script, and the services
 * see their own kind of Date in what the add-on writes. Service objects handed to the add-on are
 * wrapped too, so every method call passes the boundary and the host's checks (the auth mode, the
 * scopes, the execution's time: `guard` and `around`). Enums and their members (enumeration.ts) cross
 * as they are, so a member is the same object wherever the add-on meets it. The Dates re-made here are
 * made by the realm's own Date, whose prototype the add-on's Date (on the virtual clock) shares, so
 * they are `instanceof Date` there.
 */

import { isEnumValue } from "./services/enumeration";

export interface Realm {
  Date: DateConstructor;
  Array: ArrayConstructor;
  Object: ObjectConstructor;
  Error: ErrorConstructor;
}

export interface MembraneOptions {
  /** The add-on's realm. */
  inner: Realm;
  /** Called before each method call on a wrapped service object; throws to refuse it. */
  guard?: (service: string, path: string) => void;
  /**
   * Called for each method call on a wrapped service object (after `guard`), with the call to make:
   * the host measures it (the virtual clock, the execution's time) and may refuse it or fail after it.
   */
  around?: (service: string, path: string, invoke: () => unknown) => unknown;
}

const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) === "[object Date]";

/**
 * Copies plain data into a realm: arrays, plain objects and Dates re-made there; other values as they are.
 * An array of primitives and Dates (a row of getValues, getBackgrounds, getNotes) cannot hold a cycle, so
 * it is copied without being remembered in `seen`: a copy of a million cells keeps no map of its rows.
 */
export function copyInto(realm: Realm, value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return copyArray(realm, value, seen);
  if (isDate(value)) return new realm.Date((value as Date).getTime());
  if (seen.has(value)) return seen.get(value);
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return value; // not plain data
  const out = new realm.Object() as Record<string, unknown>;
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = copyInto(realm, v, seen);
  return out;
}

function copyArray(realm: Realm, value: unknown[], seen: Map<object, unknown>): unknown[] {
  const known = seen.get(value);
  if (known !== undefined) return known as unknown[];
  const out = new realm.Array(value.length);
  let remembered = false;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v === null || typeof v !== "object") out[i] = v;
    else if (!Array.isArray(v) && isDate(v)) out[i] = new realm.Date(v.getTime());
    else {
      // An array or an object inside: from here on this array may be met again through it.
      if (!remembered) seen.set(value, out);
      remembered = true;
      out[i] = copyInto(realm, v, seen);
    }
  }
  return out;
}

const OUTER: Realm = { Date, Array, Object, Error };

/** The realm of the script whose service call is running; this realm's own outside any call. */
let callerRealm: Realm = OUTER;
/** Results made in the caller's realm (handOver), by the realm they were made in. */
const handedOver = new WeakMap<object, Realm>();

/**
 * The realm a service should make a large result in (a grid of cells): the realm of the script whose
 * call is running. Made there and passed to handOver, the result crosses as it is, instead of being
 * made here and copied again (a million-cell getValues would cost two grids and their collection).
 */
export function resultRealm(): Realm {
  return callerRealm;
}

/**
 * Marks a fresh result, made in resultRealm() of primitives and that realm's Dates and arrays only,
 * as one that crosses to its realm as it is. The service keeps no reference to it, so the script may
 * change it freely, as it may change any copy.
 */
export function handOver<T extends object>(value: T): T {
  handedOver.set(value, callerRealm);
  return value;
}

/** Wraps a service for the add-on. Methods' results that are objects with methods are wrapped in turn. */
export function wrapService<T extends object>(name: string, service: T, options: MembraneOptions): T {
  const proxies = new WeakMap<object, object>();
  const targets = new WeakMap<object, object>();

  const wrap = (target: object, path: string): object => {
    const existing = proxies.get(target);
    if (existing) return existing;
    const proxy = new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof prop === "symbol") return value;
        if (typeof value !== "function") return inward(value, `${path}.${prop}`);
        const method = `${path}.${prop}`;
        return (...args: unknown[]) => {
          let result: unknown;
          try {
            options.guard?.(name, method);
            const invoke = () => value.apply(obj, args.map(outward));
            const before = callerRealm;
            callerRealm = options.inner;
            try {
              result = options.around ? options.around(name, method, invoke) : invoke();
            } finally {
              callerRealm = before;
            }
          } catch (error) {
            // Apps Script's errors read "Exception: …"; the name crosses with the message.
            const crossed = new options.inner.Error(error instanceof Error ? error.message : String(error));
            if (error instanceof Error && error.name !== "Error") crossed.name = error.name;
            throw crossed;
          }
          return inward(result, `${method}()`);
        };
      },
    });
    proxies.set(target, proxy);
    targets.set(proxy, target);
    return proxy;
  };

  const inward = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    // An enum or its member keeps its identity: `e.authMode === ScriptApp.AuthMode.LIMITED`.
    if (isEnumValue(value)) return value;
    if (handedOver.get(value) === options.inner) {
      handedOver.delete(value);
      return value;
    }
    if (isDate(value) || Array.isArray(value) || !hasMethods(value)) return copyInto(options.inner, value);
    return wrap(value, path);
  };

  const outward = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    // A service object coming back (a Range into a RangeList, an HtmlOutput to showSidebar).
    const target = targets.get(value);
    if (target) return target;
    if (Array.isArray(value) && isGridOfPrimitives(value)) return value;
    return copyInto(OUTER, value);
  };

  return wrap(service, name) as T;
}

/**
 * Whether an argument is a 2-D array of strings, numbers, booleans and nulls (what setBackgrounds,
 * setNotes, and setValues without dates take). Nothing in it but the arrays belongs to the add-on's
 * realm, and the methods that take one read it within the call and keep none of it (they keep the
 * cells' values), so it crosses as it is: re-making a million-cell grid in this realm would cost the
 * emulator two allocations a row that Apps Script's script does not spend. A look at each cell stays.
 */
function isGridOfPrimitives(value: unknown[]): boolean {
  for (const row of value) {
    if (!Array.isArray(row)) return false;
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (v !== null && typeof v === "object") return false;
    }
  }
  return value.length > 0;
}

function hasMethods(value: object): boolean {
  for (let p: object | null = value; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    for (const key of Object.getOwnPropertyNames(p))
      if (key !== "constructor" && typeof (value as Record<string, unknown>)[key] === "function") return true;
  return false;
}

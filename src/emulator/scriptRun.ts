/**
 * What `google.script.run` lets cross between the sidebar and the script, as Google documents it:
 * arguments and return values are primitives, arrays and plain objects of them. An argument that is a
 * Date, a function or any other object fails the call; a Date anywhere in a return value turns the whole
 * value into null; functions and undefined properties are dropped, as in JSON.
 */

/** Thrown for an argument google.script.run refuses to send. */
export class IllegalValueError extends Error {
  constructor(path: string) {
    super(`Failed due to illegal value in property: ${path}`);
    this.name = "Error";
  }
}

/** Checks the arguments of a call from the sidebar, and returns the copies the script receives. */
export function passArguments(args: readonly unknown[]): unknown[] {
  return args.map((arg, i) => copyArgument(arg, String(i)));
}

function copyArgument(value: unknown, path: string): unknown {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === "string" || type === "boolean") return value;
  if (type === "number") return value;
  if (Array.isArray(value)) return value.map((v, i) => copyArgument(v, `${path}.${i}`));
  if (type === "object" && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as object)) out[k] = copyArgument(v, k);
    return out;
  }
  throw new IllegalValueError(path);
}

/** The value the sidebar's success handler receives for a script function's return value. */
export function passReturnValue(value: unknown): unknown {
  if (containsDate(value, new Set())) return null;
  return copyReturn(value);
}

function containsDate(value: unknown, seen: Set<object>): boolean {
  if (value instanceof Date || Object.prototype.toString.call(value) === "[object Date]") return true;
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((v) => containsDate(v, seen));
}

function copyReturn(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  const type = typeof value;
  if (type === "function" || type === "symbol" || type === "bigint") return null;
  if (type !== "object") return value;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "function" || v === undefined ? null : copyReturn(v)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as object))
    if (v !== undefined && typeof v !== "function") out[k] = copyReturn(v);
  return out;
}

function isPlainObject(value: unknown): boolean {
  const proto = Object.getPrototypeOf(value);
  // A plain object of any realm (the sidebar's or the script's): its prototype is an Object.prototype.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * What `google.script.run` lets cross between the sidebar and the script, as Google documents it:
 * arguments and return values are primitives, arrays and plain objects of them. An argument that is a
 * Date, a function or any other object fails the call; a Date anywhere in a return value turns the whole
 * value into null; functions and undefined properties are dropped, as in JSON. A value that contains
 * itself (a circular argument or return value) cannot be sent: the call fails with a message that names
 * the property, to the failure handler, rather than overflowing the stack.
 */

/** Thrown for an argument google.script.run refuses to send. */
export class IllegalValueError extends Error {
  constructor(path: string) {
    super(`Failed due to illegal value in property: ${path}`);
    this.name = "Error";
  }
}

/** Thrown for a value that contains itself: google.script.run cannot send it either way. */
export class CircularValueError extends Error {
  constructor(path: string) {
    super(`Failed due to illegal value in property: ${path} (the value contains itself)`);
    this.name = "Error";
  }
}

/** Checks the arguments of a call from the sidebar, and returns the copies the script receives. */
export function passArguments(args: readonly unknown[]): unknown[] {
  const within = new Set<object>();
  return args.map((arg, i) => copyArgument(arg, String(i), within));
}

/** `within`: the objects being copied around this one; meeting one again is a cycle (a shared one is not). */
function copyArgument(value: unknown, path: string, within: Set<object>): unknown {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === "string" || type === "boolean") return value;
  if (type === "number") return value;
  if (type === "object" && (Array.isArray(value) || isPlainObject(value))) {
    const object = value as object;
    if (within.has(object)) throw new CircularValueError(path);
    within.add(object);
    try {
      if (Array.isArray(object)) return object.map((v, i) => copyArgument(v, `${path}.${i}`, within));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(object)) out[k] = copyArgument(v, k, within);
      return out;
    } finally {
      within.delete(object);
    }
  }
  throw new IllegalValueError(path);
}

/** The value the sidebar's success handler receives for a script function's return value. */
export function passReturnValue(value: unknown): unknown {
  if (containsDate(value, new Set())) return null;
  return copyReturn(value, "", new Set());
}

function containsDate(value: unknown, seen: Set<object>): boolean {
  if (value instanceof Date || Object.prototype.toString.call(value) === "[object Date]") return true;
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((v) => containsDate(v, seen));
}

function copyReturn(value: unknown, path: string, within: Set<object>): unknown {
  if (value === null || value === undefined) return value ?? null;
  const type = typeof value;
  if (type === "function" || type === "symbol" || type === "bigint") return null;
  if (type !== "object") return value;
  const object = value as object;
  if (within.has(object)) throw new CircularValueError(path);
  within.add(object);
  try {
    const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
    if (Array.isArray(object))
      return object.map((v, i) =>
        typeof v === "function" || v === undefined ? null : copyReturn(v, at(i), within),
      );
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(object))
      if (v !== undefined && typeof v !== "function") out[k] = copyReturn(v, at(k), within);
    return out;
  } finally {
    within.delete(object);
  }
}

function isPlainObject(value: unknown): boolean {
  const proto = Object.getPrototypeOf(value);
  // A plain object of any realm (the sidebar's or the script's): its prototype is an Object.prototype.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

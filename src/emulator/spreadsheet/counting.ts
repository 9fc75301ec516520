import type { ServiceContext } from "./context";

/**
 * Counts every call of an emulated class's methods in the call log, as `SpreadsheetApp.<Class>.<method>`
 * with the cells it reads or writes (the latency model charges per cell). Done once per class, on its
 * prototype, so no method can be missed; the methods therefore never call each other's public
 * methods, which would count twice, and share their work through plain functions instead.
 */
export function countCalls<T extends { readonly ctx: ServiceContext }>(
  cls: { prototype: T },
  className: string,
  cells: (target: T, method: string) => number = () => 0,
): void {
  const proto = cls.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = proto[name];
    if (name === "constructor" || typeof method !== "function") continue;
    const label = className ? `${className}.${name}` : name;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function counted(this: T, ...args: unknown[]) {
        this.ctx.calls.record("SpreadsheetApp", label, { cells: cells(this, name) });
        return method.apply(this, args);
      },
    });
  }
}

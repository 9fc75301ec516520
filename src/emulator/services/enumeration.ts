/**
 * An Apps Script enum (`ui.Button`, `ScriptApp.AuthMode`, …). Its members are objects, as in Apps Script,
 * not strings: `e.authMode === "NONE"` is false there, and `e.authMode === ScriptApp.AuthMode.NONE`,
 * `String(e.authMode) === "NONE"` and `e.authMode.toString() === "NONE"` are true; `name()` and
 * `ordinal()` give the name and the position, `JSON.stringify` the name.
 * (https://developers.google.com/apps-script/reference/script/auth-mode: "To call an enum, you call its
 * parent class, name, and property".) Members and enums cross the membrane as they are, so a member
 * keeps its identity wherever the add-on meets it.
 */
export class EnumMember {
  readonly #name: string;
  readonly #ordinal: number;
  constructor(name: string, ordinal: number) {
    this.#name = name;
    this.#ordinal = ordinal;
    Object.freeze(this);
  }
  toString(): string {
    return this.#name;
  }
  toJSON(): string {
    return this.#name;
  }
  name(): string {
    return this.#name;
  }
  ordinal(): number {
    return this.#ordinal;
  }
}

/** An enum: a frozen object of members, each under its name. */
export class Enumeration {}

export type Enum<Name extends string> = Readonly<Record<Name, EnumMember>>;

export function enumeration<const Name extends string>(names: readonly Name[]): Enum<Name> {
  const out = new Enumeration() as Record<string, EnumMember>;
  names.forEach((name, i) => {
    out[name] = new EnumMember(name, i);
  });
  return Object.freeze(out) as Enum<Name>;
}

/** Whether a value is an enum or an enum's member (they cross the membrane untouched). */
export function isEnumValue(value: unknown): boolean {
  return value instanceof EnumMember || value instanceof Enumeration;
}

/** The name of an enum member, or of a string given for one; undefined for anything else. */
export function memberName(value: unknown): string | undefined {
  if (value instanceof EnumMember) return value.name();
  return typeof value === "string" ? value : undefined;
}

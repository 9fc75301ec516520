/**
 * Common forms of a value and their canonical form: what `Fix N cells` writes into a sheet and what a
 * CSV upload with `normalise=true` reads. A fixer never changes a canonical value, its result is
 * canonical (fixing it again changes nothing), and the result passes the field's check.
 */

import { ISO_4217 } from "./currencies";
import { readDay, zonedInstant } from "./dateForms";
import type { FieldDef } from "./fields";
import { type CellReader, cellReader, isBlank, utcDateFormatter } from "./values";

export interface FixOptions {
  /** Slash dates read day first (`18/03/2026`), as the spreadsheet's locale writes them; else month first. */
  dayFirst?: boolean;
}

/** A cell's canonical value, and how the fix is said ("read as 2026-03-18"). */
export interface ProposedFix {
  to: string | number | boolean;
  /** The end of a sentence that starts with the field and the cell's value quoted. */
  says: string;
}

/** Proposes a fix for one non-blank cell; undefined when the cell is canonical or not a known form. */
export type Fixer = (raw: unknown) => ProposedFix | undefined;

/** The fixer of a field's cells, or null for a field without known variants (text, keys). */
export function fixerFor(field: FieldDef, options: FixOptions = {}): Fixer | null {
  const propose = proposerFor(field, options.dayFirst === true);
  if (propose === null) return null;
  const read = cellReader(field, utcDateFormatter());
  // The guard makes the promises hold whatever a proposer does: no fix of a canonical value, and
  // no fix whose result is not itself canonical.
  return (raw) => {
    if (raw instanceof Date || isBlank(raw) || isCanonical(field, read, raw)) return undefined;
    const fix = propose(raw);
    if (fix === undefined || fix.to === raw || !isCanonical(field, read, fix.to)) return undefined;
    return fix;
  };
}

/** Whether a spreadsheet locale (`en_US`, `en_GB`, `de_DE`) writes slash dates day first. */
export function dayFirstLocale(locale: string | null | undefined): boolean {
  if (!locale) return false;
  return !/^(en_US|en_PH|en_CA|es_US|fil|en_BZ|en_FM|en_MH|en_PW|en_AS|en_GU|en_MP|en_PR|en_UM|en_VI)\b/.test(
    locale,
  );
}

/**
 * A value the strict reader takes as it stands, with nothing said: a string it reads unchanged (a
 * number or boolean field's text as written, without surrounding spaces), or a number or boolean
 * it reads as itself. A `Date` cell is a sheet's own date: canonical.
 */
function isCanonical(field: FieldDef, read: CellReader, raw: unknown): boolean {
  if (raw instanceof Date) return true;
  let clean = true;
  const value = read(raw, () => {
    clean = false;
  });
  if (!clean || value === undefined) return false;
  // A timestamp reads epoch milliseconds as an ISO instant: the digits are its canonical form.
  const asWritten = field.type === "timestamp";
  if (typeof raw === "string") {
    if (raw !== raw.trim()) return false;
    if (typeof value === "string") return value === raw || asWritten;
    if (typeof value === "boolean") return String(value) === raw;
    return true;
  }
  if (typeof raw === "number") {
    if (typeof value === "string") return value === String(raw) || asWritten;
    return value === raw;
  }
  return value === raw;
}

type Proposer = (raw: unknown) => ProposedFix | undefined;

function proposerFor(field: FieldDef, dayFirst: boolean): Proposer | null {
  switch (field.type) {
    case "date":
      return (raw) => (typeof raw === "string" ? dayFix(raw, dayFirst) : undefined);
    case "timestamp":
      return (raw) => {
        if (typeof raw !== "string") return undefined;
        const text = raw.trim();
        if (/^\d{1,16}$/.test(text)) return { to: Number(text), says: `is read as ${Number(text)}` };
        const ms = zonedInstant(text);
        if (ms !== null)
          return { to: ms, says: `is read as ${ms} (epoch milliseconds of ${new Date(ms).toISOString()})` };
        return dayFix(raw, dayFirst);
      };
    case "dollars":
      return dollarsFix;
    case "cents":
      return centsFix;
    case "number":
      return numberFix;
    case "boolean":
      return booleanFix;
    case "choice":
      return choiceFixer(field.options ?? []);
    case "email":
      return emailFix;
    case "currency":
      return (raw) => {
        if (typeof raw !== "string") return undefined;
        const code = raw.trim().toUpperCase();
        return ISO_4217.has(code) ? { to: code, says: `is read as ${code}` } : undefined;
      };
    case "text":
    case "key":
    case "tags":
    case "metadata":
      return null;
  }
}

function dayFix(raw: string, dayFirst: boolean): ProposedFix | undefined {
  const day = readDay(raw, dayFirst);
  if (day === null) return undefined;
  const notes = [
    ...(day.order ? [`${day.order}, as the locale writes dates`] : []),
    ...(day.hadTime ? ["its day only"] : []),
  ];
  return { to: day.iso, says: `is read as ${day.iso}${notes.length ? ` (${notes.join("; ")})` : ""}` };
}

/** An amount as people write it: `$1,234.56`, `USD 1,234.56`, `-$5`, `(1,000.00)`, ` 12.5 `. */
interface Amount {
  readonly value: number;
  /** Digits after the decimal point, as written. */
  readonly decimals: number;
  /** Written as dollars: a `$` or `USD`, or a decimal point. */
  readonly dollars: boolean;
  readonly parenthesised: boolean;
}

const AMOUNT = /^([+-])?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/;

function readAmount(raw: unknown): Amount | null {
  if (typeof raw !== "string") return null;
  let s = raw.trim();
  // Accounting formats write a negative amount in parentheses: (1,000.00) is -1000.
  const parenthesised = s.length > 2 && s.startsWith("(") && s.endsWith(")");
  if (parenthesised) s = s.slice(1, -1).trim();
  let sign = "";
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s[0] as string;
    s = s.slice(1).trim();
  }
  let marked = false;
  const prefix = /^(?:US\$|USD\s*\$?|\$)\s*/i.exec(s);
  if (prefix) {
    marked = true;
    s = s.slice(prefix[0].length);
  }
  const suffix = /\s*USD$/i.exec(s);
  if (suffix && !marked) {
    marked = true;
    s = s.slice(0, s.length - suffix[0].length);
  }
  const m = AMOUNT.exec(s);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  // One sign, before or after the `$`; none inside parentheses.
  if ((m[1] && sign) || (parenthesised && (m[1] || sign))) return null;
  const negative = (m[1] ?? sign) === "-" || parenthesised;
  const whole = (m[2] ?? "0").replace(/,/g, "");
  const fraction = m[3] ?? "";
  const value = Number(`${whole}.${fraction || "0"}`);
  if (!Number.isFinite(value)) return null;
  return {
    value: negative && value !== 0 ? -value : value,
    decimals: fraction.length,
    dollars: marked || m[3] !== undefined,
    parenthesised,
  };
}

const NEGATIVE_NOTE = " (parentheses mark a negative amount)";

/** A number a sheet computed, off a 2-decimal amount by float error only: that amount, or null. */
function twoDecimals(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  const rounded = Math.round(n * 100) / 100;
  return Math.abs(rounded - n) <= 1e-6 ? rounded : null;
}

function dollarsFix(raw: unknown): ProposedFix | undefined {
  if (typeof raw === "number") {
    const to = twoDecimals(raw);
    return to === null ? undefined : { to, says: `is read as ${to}` };
  }
  const amount = readAmount(raw);
  if (amount === null || amount.decimals > 2) return undefined;
  return { to: amount.value, says: `is read as ${amount.value}${amount.parenthesised ? NEGATIVE_NOTE : ""}` };
}

function centsFix(raw: unknown): ProposedFix | undefined {
  if (typeof raw === "number") {
    const dollars = twoDecimals(raw);
    if (dollars === null) return undefined;
    const cents = Math.round(dollars * 100);
    return { to: cents, says: `is an amount in dollars; read as ${cents} cents` };
  }
  const amount = readAmount(raw);
  if (amount === null || amount.decimals > 2) return undefined;
  const note = amount.parenthesised ? NEGATIVE_NOTE : "";
  if (!amount.dollars) return { to: amount.value, says: `is read as ${amount.value}${note}` };
  const cents = Math.round(amount.value * 100);
  return { to: cents, says: `is an amount in dollars; read as ${cents} cents${note}` };
}

function numberFix(raw: unknown): ProposedFix | undefined {
  const amount = readAmount(raw);
  if (amount === null) return undefined;
  return {
    to: amount.value,
    says: `is read as ${amount.value}${amount.parenthesised ? NEGATIVE_NOTE : ""}`,
  };
}

const TRUE_WORDS = new Set(["true", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0"]);

function booleanFix(raw: unknown): ProposedFix | undefined {
  const word = typeof raw === "number" || typeof raw === "string" ? String(raw).trim().toLowerCase() : "";
  if (TRUE_WORDS.has(word)) return { to: true, says: "is read as true" };
  if (FALSE_WORDS.has(word)) return { to: false, says: "is read as false" };
  return undefined;
}

/** A choice written in another case, with spaces around it, or with `_` or `-` between words. */
function choiceFixer(options: readonly string[]): Proposer {
  const fold = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, " ");
  const byFold = new Map<string, string | null>();
  for (const option of options) {
    const key = fold(option);
    // Two options alike but for case or separators: neither is the one meant.
    byFold.set(key, byFold.has(key) ? null : option);
  }
  return (raw) => {
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") return undefined;
    const text = String(raw).trim();
    const exact = options.includes(text) ? text : null;
    const to = exact ?? byFold.get(fold(text)) ?? null;
    return to === null ? undefined : { to, says: `is read as "${to}"` };
  };
}

function emailFix(raw: unknown): ProposedFix | undefined {
  if (typeof raw !== "string") return undefined;
  let s = raw.trim();
  // `Bryn Jones <bryn@example.com>`, as mail programs copy an address.
  const named = /<([^<>]*)>$/.exec(s);
  if (named) s = named[1] as string;
  s = s
    .replace(/^mailto:/i, "")
    .replace(/\s+/g, "")
    .toLowerCase();
  return { to: s, says: `is read as ${s}` };
}

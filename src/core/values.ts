import { regexes } from "zod/v4/core";
import { ISO_4217 } from "./currencies";
import type { FieldDef } from "./fields";
import type { IssueCode, Severity } from "./issues";

/** Where a reader says what is wrong with the cell it is reading. */
export type Report = (code: IssueCode, message: string, severity?: Severity) => void;

/** Reads one non-blank cell: returns its normalised value, or `undefined` after reporting an error. */
export type CellReader = (raw: unknown, report: Report) => unknown;

/** True for a cell with nothing in it: empty, or only white space. */
export function isBlank(raw: unknown): boolean {
  if (raw === null || raw === undefined || raw === "") return true;
  if (typeof raw !== "string") return false;
  // Most cells start with a visible character: no need to trim them.
  const first = raw.charCodeAt(0);
  if (first > 32 && first !== 160) return false;
  return raw.trim() === "";
}

/** Turns a `Date` into `YYYY-MM-DD` as the calendar reads in a time zone. */
export type DateFormatter = (date: Date) => string;

/**
 * Dates as the calendar reads in UTC, with no time-zone data: the default where dates come already as
 * text (the service's JSON), so a `Date` is rare. The add-on passes Apps Script's own formatter.
 */
export function utcDateFormatter(): DateFormatter {
  const two = (n: number) => String(n).padStart(2, "0");
  return (date) => {
    if (Number.isNaN(date.getTime())) return "";
    const year = String(date.getUTCFullYear()).padStart(4, "0");
    return `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`;
  };
}

/**
 * A formatter for a time zone through `Intl` time-zone data, for the service and tests (Node has it).
 * Not for the add-on: Apps Script's V8 is not documented to carry that data; it formats with
 * `Utilities.formatDate`. Results are cached, as sheets repeat dates.
 */
export function dateFormatter(timeZone = "UTC"): DateFormatter {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return cachedFormatter((date) => {
    const p: Record<string, string> = {};
    for (const part of format.formatToParts(date)) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day}`;
  });
}

/** Wraps a formatter with a cache by instant (invalid dates give ""), as sheets repeat dates. */
export function cachedFormatter(format: DateFormatter): DateFormatter {
  const cache = new Map<number, string>();
  return (date) => {
    const t = date.getTime();
    if (Number.isNaN(t)) return "";
    let text = cache.get(t);
    if (text === undefined) {
      text = format(date);
      if (cache.size > 10_000) cache.clear();
      cache.set(t, text);
    }
    return text;
  };
}

/** The text of a cell as the importer reads it. */
export function cellText(raw: unknown, formatDate: DateFormatter): string {
  if (typeof raw === "string") {
    const last = raw.charCodeAt(raw.length - 1);
    const first = raw.charCodeAt(0);
    return first > 32 && first !== 160 && last > 32 && last !== 160 ? raw : raw.trim();
  }
  if (typeof raw === "number") return String(raw);
  if (typeof raw === "boolean") return raw ? "true" : "false";
  if (raw instanceof Date) return formatDate(raw);
  return String(raw).trim();
}

/** Quotes a value for a message, cut short when long. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

const EMAIL = regexes.email;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;
const DEFAULT_MAX_LENGTH = 255;
const MAX_EPOCH_MS = 8.64e15;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Checks `YYYY-MM-DD` names a real calendar day. */
export function isIsoDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0);
}

function hasUpperCase(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return true;
  }
  return false;
}

/** White space as `\s` sees it, without a regular expression on every key. */
function hasSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 160) return true;
    if (c > 127 && /\s/.test(text[i] as string)) return true;
  }
  return false;
}

function dateMessage(field: string, value: unknown): string {
  return `${field} ${quote(value)} is not a date; expected YYYY-MM-DD, e.g. 2020-12-25`;
}

/** Builds the reader for a field's cells. */
export function cellReader(field: FieldDef, formatDate: DateFormatter): CellReader {
  const name = field.name;
  const maxLength = field.maxLength ?? DEFAULT_MAX_LENGTH;
  const minLength = field.minLength ?? 1;

  const text: CellReader = (raw, report) => {
    const s = cellText(raw, formatDate);
    if (s.length > maxLength) {
      report("too_long", `${name} is ${s.length} characters long; at most ${maxLength} are allowed`);
      return undefined;
    }
    return s;
  };

  switch (field.type) {
    case "text":
      return text;

    case "key":
      return (raw, report) => {
        const s = cellText(raw, formatDate);
        if (hasSpace(s)) {
          report("invalid_key", `${name} ${quote(s)} has a space in it; a key is one word without spaces`);
          return undefined;
        }
        if (s.length < minLength) {
          report(
            "too_short",
            `${name} ${quote(s)} is ${s.length} characters long; it needs at least ${minLength}`,
          );
          return undefined;
        }
        if (s.length > maxLength) {
          report("too_long", `${name} is ${s.length} characters long; at most ${maxLength} are allowed`);
          return undefined;
        }
        return s;
      };

    case "email":
      return (raw, report) => {
        const text = cellText(raw, formatDate);
        // Emails are compared without case; most are typed in lower case already.
        const s = hasUpperCase(text) ? text.toLowerCase() : text;
        if (s.length > 254 || !EMAIL.test(s)) {
          report(
            "invalid_email",
            `${name} ${quote(s)} is not a valid email address; expected one like name@example.com`,
          );
          return undefined;
        }
        return s;
      };

    case "date":
      return (raw, report) => {
        if (raw instanceof Date) {
          const s = formatDate(raw);
          if (s) return s;
          report("invalid_date", `${name} is not a valid date; expected YYYY-MM-DD, e.g. 2020-12-25`);
          return undefined;
        }
        if (typeof raw === "string") {
          const s = raw.trim();
          if (isIsoDate(s)) return s;
          report("invalid_date", dateMessage(name, s));
          return undefined;
        }
        report(
          "invalid_date",
          `${name} ${quote(raw)} is a ${typeof raw}, not a date; expected YYYY-MM-DD, e.g. 2020-12-25`,
        );
        return undefined;
      };

    case "timestamp":
      return (raw, report) => {
        if (raw instanceof Date) return formatDate(raw) || undefined;
        const s = cellText(raw, formatDate);
        if (isIsoDate(s)) return s;
        if (INTEGER.test(s)) {
          const ms = Number(s);
          if (ms >= 0 && ms <= MAX_EPOCH_MS) return new Date(ms).toISOString();
        }
        report(
          "invalid_timestamp",
          `${name} ${quote(s)} is neither epoch milliseconds nor a date; expected e.g. 1636077035000 or 2021-11-05`,
        );
        return undefined;
      };

    case "cents":
      return (raw, report) => {
        if (typeof raw === "number") {
          if (Number.isSafeInteger(raw)) return raw;
          report("invalid_amount", centsMessage(name, raw));
          return undefined;
        }
        const s = cellText(raw, formatDate);
        if (INTEGER.test(s)) {
          const n = Number(s);
          if (Number.isSafeInteger(n)) return n;
        }
        report("invalid_amount", centsMessage(name, s));
        return undefined;
      };

    case "dollars":
      return (raw, report) => {
        const s = typeof raw === "number" ? String(raw) : cellText(raw, formatDate);
        const m = DECIMAL.exec(s);
        if (!m || !Number.isFinite(Number(s))) {
          report(
            "invalid_amount",
            `${name} ${quote(s)} is not an amount; expected digits with at most 2 decimals, e.g. 10.00`,
          );
          return undefined;
        }
        if ((m[2]?.length ?? 0) > 2) {
          report(
            "invalid_decimal_places",
            `${name} ${quote(s)} has more than 2 decimals; expected e.g. 10.25`,
          );
          return undefined;
        }
        return Number(s);
      };

    case "number":
      return (raw, report) => {
        if (typeof raw === "number" && Number.isFinite(raw)) return raw;
        const s = cellText(raw, formatDate);
        if (DECIMAL.test(s)) return Number(s);
        report("invalid_number", `${name} ${quote(s)} is not a number; expected digits, e.g. 42 or 3.5`);
        return undefined;
      };

    case "boolean":
      return (raw, report) => {
        if (typeof raw === "boolean") return raw;
        const s = cellText(raw, formatDate).toLowerCase();
        if (s === "true") return true;
        if (s === "false") return false;
        report("invalid_boolean", `${name} ${quote(s)} is not true or false`);
        return undefined;
      };

    case "choice": {
      const options = field.options ?? [];
      const exact = new Set(options);
      const byLower = new Map(options.map((o) => [o.toLowerCase(), o]));
      const listed = options.map((o) => `"${o}"`).join(", ");
      return (raw, report) => {
        const s = cellText(raw, formatDate);
        if (exact.has(s) || options.length === 0) return s;
        const other = byLower.get(s.toLowerCase());
        if (other !== undefined && !field.caseSensitive) return other;
        if (other !== undefined) {
          report("invalid_case", `${name} is case sensitive: write "${other}", not ${quote(s)}`);
          return undefined;
        }
        report(
          "invalid_choice",
          `${name} ${quote(s)} is not one of the allowed values; expected one of ${listed}`,
        );
        return undefined;
      };
    }

    case "currency":
      return (raw, report) => {
        const s = cellText(raw, formatDate).toUpperCase();
        if (ISO_4217.has(s)) return s;
        report(
          "invalid_currency",
          `${name} ${quote(s)} is not an ISO 4217 currency code; expected e.g. USD, CAD or EUR`,
        );
        return undefined;
      };

    case "tags":
      return (raw, report) => {
        const tags: string[] = [];
        for (const part of cellText(raw, formatDate).split(",")) {
          const tag = part.trim();
          if (!tag || tags.includes(tag)) continue;
          if (tag.length > 100) {
            report("too_long", `${name}: the tag ${quote(tag)} is longer than 100 characters`);
            return undefined;
          }
          tags.push(tag);
        }
        return tags;
      };

    case "metadata":
      return (raw, report) => {
        if (typeof raw === "number") {
          if (Number.isFinite(raw)) return raw;
          report("invalid_metadata_value", `${name} is not a finite number`);
          return undefined;
        }
        const s = cellText(raw, formatDate);
        if (s.length > 100) {
          report(
            "invalid_metadata_value",
            `${name} is ${s.length} characters long; a metadata value is at most 100 characters or a number`,
          );
          return undefined;
        }
        return s;
      };
  }
}

function centsMessage(name: string, value: unknown): string {
  const text = String(value);
  const n = Number(text);
  const hint =
    Number.isFinite(n) && text.includes(".") ? `; did you mean ${Math.round(n * 100)} (cents)?` : "";
  return `${name} ${quote(value)} is not a whole number of cents; expected digits only, e.g. 40000 for $400.00${hint}`;
}

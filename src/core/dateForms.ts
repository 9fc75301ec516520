/**
 * The ways people write a calendar day (`3/18/2026`, `18.03.2026`, `March 18, 2026`, `18-Mar-2026`,
 * `2026-03-18T10:00:00Z`), read as `YYYY-MM-DD`. English month names only: the add-on runs where `Intl`
 * is not, and the importer's own messages are English.
 */
import { isIsoDate } from "./values";

/** A day read from one of the common forms, and how sure the reading is. */
export interface DayRead {
  /** `YYYY-MM-DD`. */
  readonly iso: string;
  /** Both numbers of a slash date could be the month: the locale decided which is. */
  readonly order?: "day first" | "month first";
  /** The text had a time of day too; only its day is read. */
  readonly hadTime?: boolean;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const FULL_MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** 1 to 12 for an English month name, full or cut short to 3 letters or more (`Sept`); else 0. */
export function monthNumber(word: string): number {
  const w = word.toLowerCase();
  if (w.length < 3) return 0;
  const k = MONTHS.indexOf(w.slice(0, 3));
  if (k < 0) return 0;
  return (FULL_MONTHS[k] as string).startsWith(w) ? k + 1 : 0;
}

/** `YYYY-MM-DD` for a year, month and day, or null when that day does not exist. */
export function isoDay(year: number, month: number, day: number): string | null {
  const two = (n: number) => String(n).padStart(2, "0");
  const iso = `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}`;
  return year >= 1 && year <= 9999 && isIsoDate(iso) ? iso : null;
}

// A time after the day, as exports write it: `10:00`, `10:00:00`, `10:00 AM`, `T10:00:00.000Z`.
const TIME =
  /(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/;
// A day's name before the date (`Wed, 18 Mar 2026`, `Wednesday March 18, 2026`): the date says it all.
const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+/i;
const YMD = /^(\d{4})([/.-])(\d{1,2})\2(\d{1,2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const MONTH_FIRST = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;
const DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?(?:\s+|-)([A-Za-z]{3,9})\.?,?(?:\s+|-)(\d{4})$/;

/**
 * Reads a day from text in a common form, or null. A slash or dash date whose numbers could both be
 * the month is read day first when `dayFirst`, else month first; a number above 12 decides alone.
 * A dotted date (`18.03.2026`) is day first, as the locales that write it do.
 */
export function readDay(text: string, dayFirst: boolean): DayRead | null {
  const s = text.trim();
  if (s.length < 6 || s.length > 60) return null;
  const time = TIME.exec(s);
  const hadTime = time !== null && time[0].length > 0;
  const day = hadTime ? s.slice(0, s.length - (time?.[0].length ?? 0)) : s;
  const read = readDayOnly(day.replace(WEEKDAY, ""), dayFirst);
  if (read === null) return null;
  return hadTime ? { ...read, hadTime } : read;
}

function readDayOnly(s: string, dayFirst: boolean): DayRead | null {
  let m = YMD.exec(s);
  if (m) return found(isoDay(Number(m[1]), Number(m[3]), Number(m[4])));
  m = NUMERIC.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = Number(m[4]);
    if (m[2] === ".") return found(isoDay(year, b, a));
    if (a > 12 || b > 12 || a === b) return found(a > 12 ? isoDay(year, b, a) : isoDay(year, a, b));
    return dayFirst ? found(isoDay(year, b, a), "day first") : found(isoDay(year, a, b), "month first");
  }
  m = MONTH_FIRST.exec(s);
  if (m) {
    const month = monthNumber(m[1] as string);
    return month ? found(isoDay(Number(m[3]), month, Number(m[2]))) : null;
  }
  m = DAY_FIRST.exec(s);
  if (m) {
    const month = monthNumber(m[2] as string);
    return month ? found(isoDay(Number(m[3]), month, Number(m[1]))) : null;
  }
  return null;
}

function found(iso: string | null, order?: "day first" | "month first"): DayRead | null {
  if (iso === null) return null;
  return order ? { iso, order } : { iso };
}

/** An ISO date and time with its zone (`2026-03-18T10:00:00Z`, `…+01:00`): its epoch milliseconds, or null. */
export function zonedInstant(text: string): number | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  if (isoDay(Number(m[1]), Number(m[2]), Number(m[3])) === null) return null;
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = Number(m[6] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const zone = (m[8] as string).toUpperCase();
  let offset = 0;
  if (zone !== "Z") {
    const digits = zone.replace(":", "");
    offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (zone[0] === "-" ? -1 : 1);
  }
  const ms = Number((m[7] ?? "").padEnd(3, "0"));
  return (
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hours, minutes, seconds, ms) - offset * 60_000
  );
}

import { checkTimeZone, MONTH_NAMES, WEEKDAY_NAMES, wallClock } from "../spreadsheet/dates";
/**
 * Apps Script's `Utilities.formatDate`: Java's SimpleDateFormat patterns, English names, in a time zone
 * (an IANA id such as `Europe/Paris`, or a fixed offset such as `GMT+2`; an unknown zone is GMT, as in
 * Java). Letters: G y Y M L w W D d F E u a H k K h m s S z Z X; text in single quotes, `''` for a quote.
 */
export function formatDate(epochMs: number, timeZone: string, pattern: string): string {
  const offset = offsetMinutes(epochMs, timeZone);
  const fields = localFields(epochMs + offset * 60_000);
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const char = pattern.charAt(i);
    if (char === "'") {
      if (pattern.charAt(i + 1) === "'") {
        out += "'";
        i += 2;
        continue;
      }
      // Quoted text runs to the next lone quote; '' inside it is a quote.
      let j = i + 1;
      for (; j < pattern.length; j++) {
        if (pattern.charAt(j) !== "'") {
          out += pattern.charAt(j);
        } else if (pattern.charAt(j + 1) === "'") {
          out += "'";
          j++;
        } else {
          break;
        }
      }
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(char)) {
      out += char;
      i++;
      continue;
    }
    let count = 1;
    while (pattern.charAt(i + count) === char) count++;
    out += field(char, count, fields, offset, epochMs, timeZone);
    i += count;
  }
  return out;
}

export class IllegalPatternError extends Error {}

const DAY_MS = 86_400_000;

interface Fields {
  year: number;
  month: number;
  day: number;
  weekday: number;
  dayOfYear: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekYear: number;
  weekOfYear: number;
  weekOfMonth: number;
}

/** The calendar fields of a wall-clock time given as epoch milliseconds read in UTC. */
function localFields(wallMs: number): Fields {
  const at = new Date(wallMs);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const day = at.getUTCDate();
  const weekday = at.getUTCDay();
  const midnight = Date.UTC(year, month, day);
  // Weeks as Java counts them for English: they start on Sunday, and week 1 holds January 1.
  const saturday = new Date(midnight + (6 - weekday) * DAY_MS);
  const weekYear = saturday.getUTCFullYear();
  const saturdayOfYear = (saturday.getTime() - Date.UTC(weekYear, 0, 1)) / DAY_MS + 1;
  const firstOfMonth = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return {
    year,
    month,
    day,
    weekday,
    dayOfYear: (midnight - Date.UTC(year, 0, 1)) / DAY_MS + 1,
    hour: at.getUTCHours(),
    minute: at.getUTCMinutes(),
    second: at.getUTCSeconds(),
    millisecond: at.getUTCMilliseconds(),
    weekYear,
    weekOfYear: Math.ceil(saturdayOfYear / 7),
    weekOfMonth: Math.floor((day - 1 + firstOfMonth) / 7) + 1,
  };
}

function field(
  letter: string,
  count: number,
  f: Fields,
  offset: number,
  epochMs: number,
  timeZone: string,
): string {
  const pad = (n: number) => String(n).padStart(count, "0");
  switch (letter) {
    case "G":
      return f.year > 0 ? "AD" : "BC";
    case "y":
      return count === 2 ? String(f.year % 100).padStart(2, "0") : pad(f.year);
    case "Y":
      return count === 2 ? String(f.weekYear % 100).padStart(2, "0") : pad(f.weekYear);
    case "M":
    case "L": {
      const name = MONTH_NAMES[f.month] as string;
      return count >= 4 ? name : count === 3 ? name.slice(0, 3) : pad(f.month + 1);
    }
    case "w":
      return pad(f.weekOfYear);
    case "W":
      return pad(f.weekOfMonth);
    case "D":
      return pad(f.dayOfYear);
    case "d":
      return pad(f.day);
    case "F":
      return pad(Math.floor((f.day - 1) / 7) + 1);
    case "E": {
      const name = WEEKDAY_NAMES[f.weekday] as string;
      return count >= 4 ? name : name.slice(0, 3);
    }
    case "u":
      return pad(f.weekday === 0 ? 7 : f.weekday);
    case "a":
      return f.hour < 12 ? "AM" : "PM";
    case "H":
      return pad(f.hour);
    case "k":
      return pad(f.hour === 0 ? 24 : f.hour);
    case "K":
      return pad(f.hour % 12);
    case "h":
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12);
    case "m":
      return pad(f.minute);
    case "s":
      return pad(f.second);
    case "S":
      return pad(f.millisecond);
    case "z":
      return zoneName(epochMs, timeZone, offset, count >= 4 ? "long" : "short");
    case "Z":
      return offsetText(offset, false);
    case "X":
      if (offset === 0) return "Z";
      return count === 1 ? offsetText(offset, false).slice(0, 3) : offsetText(offset, count >= 3);
    default:
      throw new IllegalPatternError(`Illegal pattern character '${letter}'`);
  }
}

/** `+0100`, or `+01:00` with a colon. */
function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const hours = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
  const rest = String(Math.abs(minutes) % 60).padStart(2, "0");
  return `${sign}${hours}${colon ? ":" : ""}${rest}`;
}

const FIXED_ZONE = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(epochMs: number, timeZone: string): number {
  const fixed = FIXED_ZONE.exec(timeZone.trim());
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    return fixed[1] === "-" ? -minutes : minutes;
  }
  const wall = knownZone(timeZone) ? wallClock(new Date(epochMs), timeZone) : null;
  if (!wall) return 0;
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((local - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** Java's TimeZone falls back to GMT for an id it does not know, and so does formatDate. */
function knownZone(timeZone: string): boolean {
  try {
    checkTimeZone(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's name as Java prints it where Intl knows it (`PST`, `CET`), else `GMT+01:00`. */
function zoneName(epochMs: number, timeZone: string, offset: number, style: "short" | "long"): string {
  const gmt = offset === 0 ? "GMT" : `GMT${offsetText(offset, true)}`;
  if (FIXED_ZONE.test(timeZone.trim()) || !knownZone(timeZone)) return gmt;
  for (const locale of ["en-US", "en-GB"]) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style })
      .formatToParts(epochMs)
      .find((part) => part.type === "timeZoneName")?.value;
    if (name && !/^GMT[+-]/.test(name)) return name;
  }
  return gmt;
}

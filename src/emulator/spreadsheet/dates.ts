/**
 * Dates in the spreadsheet's time zone. Sheets keeps a date as a serial number (days since 1899-12-30)
 * of the wall-clock time in that zone; a Date is an instant, so the two meet through the wall clock.
 */

export interface WallClock {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 (Sunday) to 6. */
  weekday: number;
}

/** English month and weekday names, as both Sheets and Java's SimpleDateFormat print them. */
export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;
export const WEEKDAY_NAMES = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;

const MS_PER_DAY = 86_400_000;
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
const UTC_ZONES = new Set([
  "UTC",
  "Etc/UTC",
  "GMT",
  "Etc/GMT",
  "Etc/UCT",
  "UCT",
  "Etc/Universal",
  "Etc/Zulu",
]);
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for a time zone that is not an IANA name. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall-clock fields of an instant in a time zone. */
export function wallClock(date: Date, timeZone: string): WallClock {
  const ms = date.getTime();
  if (UTC_ZONES.has(timeZone)) return utcFields(ms);
  const fields: WallClock = {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
    weekday: 0,
  };
  for (const part of formatter(timeZone).formatToParts(date)) {
    if (part.type === "weekday") fields.weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type !== "literal" && part.type in fields)
      fields[part.type as keyof WallClock] = Number(part.value);
  }
  fields.millisecond = ((ms % 1000) + 1000) % 1000;
  return fields;
}

function utcFields(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

/** The wall-clock time as milliseconds, as if the zone were UTC. */
function wallMs(date: Date, timeZone: string): number {
  const w = wallClock(date, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/** The instant at which the zone's clocks show the given wall-clock time (given as if in UTC). */
function instantOfWallMs(wall: number, timeZone: string): Date {
  if (UTC_ZONES.has(timeZone)) return new Date(wall);
  const offset = wallMs(new Date(wall), timeZone) - wall;
  let t = wall - offset;
  const corrected = wallMs(new Date(t), timeZone) - t;
  if (corrected !== offset) t = wall - corrected;
  return new Date(t);
}

/** The instant of a wall-clock date and time in a time zone. */
export function dateInZone(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): Date {
  return instantOfWallMs(Date.UTC(year, month - 1, day, hour, minute, second), timeZone);
}

/** A Date as Sheets' serial number in the time zone. */
export function toSerial(date: Date, timeZone: string): number {
  return (wallMs(date, timeZone) - SERIAL_EPOCH) / MS_PER_DAY;
}

/** A serial number as the Date it stands for in the time zone. */
export function fromSerial(serial: number, timeZone: string): Date {
  return instantOfWallMs(Math.round(SERIAL_EPOCH + serial * MS_PER_DAY), timeZone);
}

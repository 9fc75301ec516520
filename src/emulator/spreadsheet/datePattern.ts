import { MONTH_NAMES, type WallClock, WEEKDAY_NAMES, wallClock } from "./dates";

/**
 * Dates shown by a Sheets date-time format (`yyyy-mm-dd`, `M/d/yyyy`, `d mmm yyyy`, `h:mm AM/PM`, …) in
 * the spreadsheet's time zone. `m` is minutes next to hours or seconds, and months elsewhere, as in Sheets.
 */

type Token =
  | { kind: "text"; text: string }
  | { kind: "year" | "month" | "day" | "hour" | "minute" | "second"; width: number }
  | { kind: "fraction"; width: number }
  | { kind: "ampm"; style: "AM/PM" | "am/pm" | "A/P" | "a/p" };

const cache = new Map<string, Token[]>();

/** Whether a number format shows dates or times rather than numbers. */
export function isDatePattern(pattern: string): boolean {
  return tokenize(pattern).some((t) => t.kind !== "text");
}

export function formatDate(date: Date, pattern: string, timeZone: string): string {
  const tokens = tokenize(pattern);
  const w = wallClock(date, timeZone);
  const twelveHour = tokens.some((t) => t.kind === "ampm");
  return tokens.map((t) => renderToken(t, w, twelveHour)).join("");
}

function renderToken(t: Token, w: WallClock, twelveHour: boolean): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  switch (t.kind) {
    case "text":
      return t.text;
    case "year":
      return t.width <= 2 ? pad(w.year % 100, 2) : pad(w.year, 4);
    case "month": {
      const name = MONTH_NAMES[w.month - 1] ?? "";
      if (t.width <= 2) return pad(w.month, t.width);
      if (t.width === 3) return name.slice(0, 3);
      return t.width === 4 ? name : name.slice(0, 1);
    }
    case "day": {
      const name = WEEKDAY_NAMES[w.weekday] ?? "";
      if (t.width <= 2) return pad(w.day, t.width);
      return t.width === 3 ? name.slice(0, 3) : name;
    }
    case "hour":
      return pad(twelveHour ? ((w.hour + 11) % 12) + 1 : w.hour, Math.min(t.width, 2));
    case "minute":
      return pad(w.minute, Math.min(t.width, 2));
    case "second":
      return pad(w.second, Math.min(t.width, 2));
    case "fraction":
      return `.${pad(w.millisecond, 3).slice(0, t.width)}`;
    case "ampm": {
      const pm = w.hour >= 12;
      const [am, p] = t.style.split("/") as [string, string];
      return pm ? p : am;
    }
  }
}

function tokenize(pattern: string): Token[] {
  let tokens = cache.get(pattern);
  if (tokens) return tokens;
  tokens = [];
  const lower = pattern.toLowerCase();
  for (let i = 0; i < pattern.length; ) {
    const ch = lower[i] ?? "";
    if (ch === '"') {
      const end = pattern.indexOf('"', i + 1);
      tokens.push({ kind: "text", text: pattern.slice(i + 1, end < 0 ? undefined : end) });
      i = end < 0 ? pattern.length : end + 1;
    } else if (ch === "[") {
      // [Red], [$€]: colours and currency text, never date fields.
      const end = pattern.indexOf("]", i);
      const inside = pattern.slice(i + 1, end < 0 ? undefined : end);
      tokens.push({
        kind: "text",
        text: inside.startsWith("$") ? (inside.slice(1).split("-")[0] ?? "") : "",
      });
      i = end < 0 ? pattern.length : end + 1;
    } else if (ch === "\\") {
      tokens.push({ kind: "text", text: pattern[i + 1] ?? "" });
      i += 2;
    } else if (lower.startsWith("am/pm", i) || lower.startsWith("a/p", i)) {
      const length = lower.startsWith("am/pm", i) ? 5 : 3;
      const written = pattern.slice(i, i + length);
      const style = (written[0] === "a" ? written.toLowerCase() : written.toUpperCase()) as "AM/PM";
      tokens.push({ kind: "ampm", style });
      i += length;
    } else if ("ymdhs".includes(ch) && ch !== "") {
      let width = 1;
      while (lower[i + width] === ch) width++;
      const kind = ({ y: "year", m: "month", d: "day", h: "hour", s: "second" } as const)[ch as "y"];
      tokens.push({ kind, width });
      i += width;
    } else if (ch === "." && tokens.at(-1)?.kind === "second" && lower[i + 1] === "0") {
      let width = 0;
      while (lower[i + 1 + width] === "0") width++;
      tokens.push({ kind: "fraction", width });
      i += 1 + width;
    } else {
      tokens.push({ kind: "text", text: pattern[i] ?? "" });
      i++;
    }
  }
  markMinutes(tokens);
  cache.set(pattern, tokens);
  return tokens;
}

/** An `m` right after an hour or right before a second means minutes. */
function markMinutes(tokens: Token[]): void {
  const fields = tokens.filter((t) => t.kind !== "text");
  fields.forEach((t, i) => {
    if (t.kind !== "month" || t.width > 2) return;
    if (fields[i - 1]?.kind === "hour" || fields[i + 1]?.kind === "second")
      (t as { kind: string }).kind = "minute";
  });
}

/**
 * Numbers shown by a Sheets number format: `0`, `0.00`, `#,##0`, `#,##0.00`, `0%`, literal text around
 * the digits (`"$"#,##0.00`, `[$€]0.00`), sections for negatives and zero (`0;(0);"-"`), and Automatic.
 */

interface Section {
  prefix: string;
  suffix: string;
  minIntegerDigits: number;
  minDecimals: number;
  maxDecimals: number;
  grouping: boolean;
  percent: boolean;
}

const cache = new Map<string, Section[]>();

/** A number as Automatic (and General) shows it: up to 10 decimals, no trailing zeros. */
export function generalNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e15 || (abs > 0 && abs < 1e-10)) return Number(n.toPrecision(6)).toExponential().toUpperCase();
  if (Number.isInteger(n)) return String(n);
  const text = n.toFixed(10).replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" ? "0" : text;
}

export function formatNumber(n: number, pattern: string): string {
  const sections = parsePattern(pattern);
  const [positive, negative, zero] = sections;
  if (!positive) return generalNumber(n);
  if (n === 0 && zero) return render(0, zero);
  if (n < 0 && negative) return render(-n, negative);
  const text = render(Math.abs(n), positive);
  return n < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}

function render(n: number, s: Section): string {
  const scaled = s.percent ? n * 100 : n;
  let [int = "0", dec = ""] = roundTo(scaled, s.maxDecimals).split(".");
  dec = dec.replace(/0+$/, "");
  if (dec.length < s.minDecimals) dec = dec.padEnd(s.minDecimals, "0");
  if (int === "0" && s.minIntegerDigits === 0) int = "";
  int = int.padStart(s.minIntegerDigits, "0");
  if (s.grouping) int = int.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${s.prefix}${int}${dec ? `.${dec}` : ""}${s.suffix}`;
}

/** toFixed, rounding half away from zero on the decimal digits as written (1.005 → 1.01 at 2 places). */
function roundTo(n: number, decimals: number): string {
  const shifted = Number(`${Math.abs(n)}e${decimals}`);
  if (!Number.isFinite(shifted)) return n.toFixed(decimals);
  return Number(`${Math.round(shifted)}e-${decimals}`).toFixed(decimals);
}

function parsePattern(pattern: string): Section[] {
  let sections = cache.get(pattern);
  if (!sections) {
    sections = splitSections(pattern)
      .map(parseSection)
      .filter((s): s is Section => s !== undefined);
    cache.set(pattern, sections);
  }
  return sections;
}

function splitSections(pattern: string): string[] {
  const sections: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === '"') quoted = !quoted;
    if (ch === "\\" && !quoted) {
      current += ch + (pattern[++i] ?? "");
      continue;
    }
    if (ch === ";" && !quoted) {
      sections.push(current);
      current = "";
    } else current += ch;
  }
  sections.push(current);
  return sections;
}

/** Splits a section into literal text and the digit placeholders; undefined if it has no digits. */
function parseSection(section: string): Section | undefined {
  let prefix = "";
  let suffix = "";
  let digits = "";
  for (let i = 0; i < section.length; i++) {
    const ch = section[i] ?? "";
    let literal: string | undefined;
    if (ch === '"') {
      const end = section.indexOf('"', i + 1);
      literal = section.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? section.length : end;
    } else if (ch === "\\") literal = section[++i] ?? "";
    else if (ch === "[") {
      const end = section.indexOf("]", i);
      const inside = section.slice(i + 1, end < 0 ? undefined : end);
      literal = inside.startsWith("$") ? inside.slice(1).split("-")[0] : ""; // [$€] is text; [Red] is not
      i = end < 0 ? section.length : end;
    } else if (ch === "_" || ch === "*") {
      i++; // padding directives take no room in text
      literal = "";
    } else if ("0#?,.".includes(ch) && (digits === "" || suffix === "")) digits += ch;
    else literal = ch;
    if (literal !== undefined) {
      if (digits === "") prefix += literal;
      else suffix += literal;
    }
  }
  if (!/[0#?]/.test(digits)) return undefined;
  const [integer = "", decimals = ""] = digits.split(".");
  return {
    prefix,
    suffix,
    minIntegerDigits: (integer.match(/0/g) ?? []).length,
    minDecimals: (decimals.match(/0/g) ?? []).length,
    maxDecimals: (decimals.match(/[0#?]/g) ?? []).length,
    grouping: integer.includes(","),
    percent: (prefix + suffix).includes("%"),
  };
}

/**
 * Which row of a tab holds its headers and how they map to the object's fields: the same for Validate,
 * a dry run, an import and onEdit. The header row is the one a person chose, else the tab's own, else
 * the one guessed; the mapping is the one a person set in `Map columns` (not yet saved), else the tab's
 * saved mapping while the header row reads as it did when it was saved, else none.
 */
import {
  analyseHeaders,
  type ColumnMapping,
  columnLetter,
  type HeaderPlan,
  headerText,
  isResultsHeader,
} from "../core/headers";
import { guessHeaderRow, missingRequired, proposeMapping } from "../core/mapping";
import type { ObjectSpec } from "../core/spec";
import { templateColumns } from "../core/template";
import { cellText, type DateFormatter, isBlank } from "../core/values";
import type { ImportChoice, MappedColumn, MappingView } from "./contract";
import { isBlankRow } from "./sheetTable";
import type { TabState } from "./tabState";

export interface HeaderReading {
  /** 0-based index of the header row in the sheet's values (row 1 first). */
  headerIndex: number;
  /** The header row's cells as text, trimmed. */
  headers: string[];
  mapping: ColumnMapping | null;
  /** Where the mapping comes from: set in `Map columns` and not saved, saved for this tab, or none. */
  source: "chosen" | "saved" | null;
}

/** Rows `Header row` offers: the first rows with anything in them. */
const HEADER_ROW_CHOICES = 10;
const ROW_TEXT_CHARS = 60;
const SAMPLE_CHARS = 40;

/** Reads the header row of a tab's values for a choice. A chosen row below the data is refused. */
export function readHeaderRow(
  spec: ObjectSpec,
  values: readonly unknown[][],
  choice: ImportChoice,
  tab: TabState | null,
): HeaderReading {
  const rows = values.length;
  let headerIndex: number;
  if (typeof choice.headerRow === "number") {
    if (choice.headerRow > Math.max(rows, 1))
      throw new Error(
        `Header row ${choice.headerRow} is below the sheet's last row with anything in it (row ${rows}); choose a row from 1 to ${rows}.`,
      );
    headerIndex = choice.headerRow - 1;
  } else if (tab?.headerRow && tab.headerRow <= rows) headerIndex = tab.headerRow - 1;
  else headerIndex = rowNaming(values, choice.mapping ?? tab?.saved?.mapping) ?? guessHeaderRow(values, spec);
  const headers = (values[headerIndex] ?? []).map(headerText);

  const saved = tab?.saved && sameHeaders(tab.saved.headers, headers) ? tab.saved.mapping : null;
  if (choice.mapping) {
    const same = saved !== null && sameMapping(choice.mapping, saved);
    return { headerIndex, headers, mapping: choice.mapping, source: same ? "saved" : "chosen" };
  }
  return { headerIndex, headers, mapping: saved, source: saved ? "saved" : null };
}

/**
 * Among the first rows with anything, the one that names most of a mapping's headers (at least half of
 * them): a sheet whose own headers are nothing like the fields' is still found by the mapping made for it.
 */
function rowNaming(values: readonly unknown[][], mapping: ColumnMapping | null | undefined): number | null {
  const named = new Set(Object.keys(mapping ?? {}).map((h) => h.trim()));
  if (named.size === 0) return null;
  let best: { index: number; count: number } | null = null;
  let seen = 0;
  for (let i = 0; i < values.length && seen < HEADER_ROW_CHOICES; i++) {
    const cells = values[i] as unknown[];
    if (isBlankRow(cells)) continue;
    seen++;
    const count = new Set(cells.map(headerText).filter((h) => named.has(h))).size;
    if (count * 2 >= named.size && count > (best?.count ?? 0)) best = { index: i, count };
  }
  return best?.index ?? null;
}

/**
 * Whether a header row reads as it did: the same texts, blank columns at the right end and the results
 * columns an import wrote aside (a saved mapping still applies after an import).
 */
export function sameHeaders(a: readonly string[], b: readonly string[]): boolean {
  const x = withoutTrailingBlanks(a.filter((h) => !isResultsHeader(h)));
  const y = withoutTrailingBlanks(b.filter((h) => !isResultsHeader(h)));
  return x.length === y.length && x.every((h, i) => h === y[i]);
}

function sameMapping(a: ColumnMapping, b: ColumnMapping): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && b[k] === a[k]);
}

function withoutTrailingBlanks(headers: readonly string[]): readonly string[] {
  let end = headers.length;
  while (end > 0 && headers[end - 1] === "") end--;
  return headers.slice(0, end);
}

/**
 * What `Map columns` shows for a tab: each column with the field it is read as (or proposed), the rows
 * that may hold the headers, the fields to choose from and the required ones no column gives. `plan` is
 * the header row as checked, through the mapping in use.
 */
export function mappingView(
  sheetId: number,
  spec: ObjectSpec,
  values: readonly unknown[][],
  reading: HeaderReading,
  plan: HeaderPlan,
  formatDate: DateFormatter,
): MappingView {
  const proposal = proposeMapping(spec, reading.headers, reading.mapping);
  const samples = firstValues(values, reading.headerIndex, reading.headers.length, formatDate);
  const columns: MappedColumn[] = [];
  for (const p of proposal) {
    const sample = samples[p.column - 1] ?? "";
    // The results columns an import wrote are nothing to map.
    if ((p.header === "" && sample === "") || (p.field === null && isResultsHeader(p.header))) continue;
    columns.push({
      column: p.column,
      letter: columnLetter(p.column),
      header: p.header,
      field: p.field,
      how: p.how === "saved" ? (reading.source ?? "saved") : p.how,
      sample,
    });
  }
  // The headers are the object's own when, read without any mapping, nothing blocks them.
  const unmapped = reading.mapping
    ? analyseHeaders(spec, reading.headers, { headerRow: reading.headerIndex + 1 }).blocked
    : plan.blocked;
  return {
    sheetId,
    headerRow: reading.headerIndex + 1,
    headerRows: headerRowChoices(values, formatDate),
    columns,
    fields: templateColumns(spec).map((c) => ({
      name: c.name,
      required: c.required,
      typeLabel: c.typeLabel,
    })),
    missing: missingRequired(
      spec,
      columns.flatMap((c) => (c.field === null ? [] : [c.field])),
    ),
    matches: !plan.blocked && !unmapped,
    saved: reading.source === "saved",
  };
}

/** The first rows with anything in them, as `Header row` lists them: "Email · Partner Key · Joined". */
function headerRowChoices(
  values: readonly unknown[][],
  formatDate: DateFormatter,
): { row: number; text: string }[] {
  const choices: { row: number; text: string }[] = [];
  for (let i = 0; i < values.length && choices.length < HEADER_ROW_CHOICES; i++) {
    const cells = values[i] as unknown[];
    if (isBlankRow(cells)) continue;
    const text = cells
      .filter((c) => !isBlank(c))
      .map((c) => cellText(c, formatDate))
      .join(" · ");
    choices.push({ row: i + 1, text: cut(text, ROW_TEXT_CHARS) });
  }
  return choices;
}

/** Each column's first non-blank value under the header row, as text (stops once every column has one). */
function firstValues(
  values: readonly unknown[][],
  headerIndex: number,
  width: number,
  formatDate: DateFormatter,
): string[] {
  const samples: string[] = new Array(width).fill("");
  let left = width;
  for (let r = headerIndex + 1; r < values.length && left > 0; r++) {
    const row = values[r] as unknown[];
    for (let c = 0; c < width; c++)
      if (samples[c] === "" && !isBlank(row[c])) {
        samples[c] = cut(cellText(row[c], formatDate), SAMPLE_CHARS);
        left--;
      }
  }
  return samples;
}

function cut(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

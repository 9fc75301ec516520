/**
 * How a sheet's headers may map to an object's fields, and which row and object they suggest. Stand-ins
 * with the names and signatures that src/core/mapping.ts gives (proposeMapping, mappingFromProposal,
 * missingRequired, guessObject, guessHeaderRow): once it is merged, the add-on imports those instead and
 * this file goes.
 */
import { METADATA_PREFIX, type ObjectName } from "../core/catalogue";
import type { ColumnMapping } from "../core/headers";
import type { ObjectSpec } from "../core/spec";
import { closest, foldHeader } from "../core/suggest";

export type ProposalHow = "exact" | "renamed" | "alias" | "suggested" | "saved" | "unknown";

export interface ProposedColumn {
  /** 1-based. */
  column: number;
  header: string;
  field: string | null;
  how: ProposalHow;
}

/** How sure a reading is: a field two columns claim goes to the surer one. */
const RANK: Record<ProposalHow, number> = {
  saved: 0,
  exact: 1,
  renamed: 2,
  alias: 3,
  suggested: 4,
  unknown: 5,
};

/**
 * Each header read as a field: saved for this sheet, the field's own name, folded to it, an alias, the
 * closest name, or nothing. A field is proposed for one column only (the surest, then the leftmost).
 */
export function proposeMapping(
  spec: ObjectSpec,
  headers: readonly unknown[],
  saved?: ColumnMapping | null,
): ProposedColumn[] {
  const savedByHeader = new Map<string, string | null>();
  for (const [header, field] of Object.entries(saved ?? {})) savedByHeader.set(header.trim(), field);
  const proposed = headers.map((raw, index): ProposedColumn => {
    const header = headerText(raw);
    const column = index + 1;
    if (savedByHeader.has(header))
      return { column, header, field: savedByHeader.get(header) ?? null, how: "saved" };
    const read = readHeader(spec, header);
    return { column, header, ...(read ?? { field: null, how: "unknown" as const }) };
  });
  const best = new Map<string, ProposedColumn>();
  for (const p of proposed) {
    if (p.field === null) continue;
    const held = best.get(p.field);
    if (!held || RANK[p.how] < RANK[held.how]) best.set(p.field, p);
  }
  return proposed.map((p) =>
    p.field === null || best.get(p.field) === p ? p : { ...p, field: null, how: "unknown" },
  );
}

/** The proposal as a mapping: every named header with its field (null: ignored). */
export function mappingFromProposal(proposed: readonly ProposedColumn[]): ColumnMapping {
  const mapping: Record<string, string | null> = {};
  for (const p of proposed) if (p.header !== "" && !(p.header in mapping)) mapping[p.header] = p.field;
  return mapping;
}

/** Required fields none of `fields` is; a one-of group with none of its fields is named as "a or b". */
export function missingRequired(spec: ObjectSpec, fields: Iterable<string>): string[] {
  const present = new Set(fields);
  const missing: string[] = [];
  for (const f of spec.fields) if (f.required && !present.has(f.name)) missing.push(f.name);
  for (const group of spec.oneOfGroups)
    if (!group.fields.some((f) => present.has(f))) missing.push(group.fields.join(" or "));
  return missing;
}

/** The object whose fields the headers name best (own names count double aliases); null when none. */
export function guessObject(headers: readonly unknown[], specs: readonly ObjectSpec[]): ObjectName | null {
  let best: { object: ObjectName; score: number; missing: number } | null = null;
  for (const spec of specs) {
    const seen = new Set<string>();
    let score = 0;
    for (const raw of headers) {
      const read = readHeader(spec, headerText(raw));
      if (!read || read.how === "suggested" || seen.has(read.field)) continue;
      seen.add(read.field);
      score += read.how === "alias" ? 1 : 2;
    }
    if (score === 0) continue;
    const missing = missingRequired(spec, seen).length;
    if (!best || score > best.score || (score === best.score && missing < best.missing))
      best = { object: spec.object, score, missing };
  }
  return best?.object ?? null;
}

/** Rows looked at for the header row: a title and a blank line or two sit above it, not pages. */
const HEADER_SEARCH_ROWS = 10;

/**
 * The 0-based index of the row that most likely holds the headers, among the first rows with anything:
 * the one naming most of the spec's fields; without a spec (or when no row names one), the first row
 * whose cells are all text and at least half as many as the widest such row's.
 */
export function guessHeaderRow(rows: readonly (readonly unknown[])[], spec: ObjectSpec | null): number {
  const candidates: { index: number; filled: number; allText: boolean; fields: number }[] = [];
  for (let i = 0; i < rows.length && candidates.length < HEADER_SEARCH_ROWS; i++) {
    const cells = (rows[i] ?? []).filter((c) => headerText(c) !== "");
    if (cells.length === 0) continue;
    const fields = new Set<string>();
    if (spec)
      for (const cell of cells) {
        const read = readHeader(spec, headerText(cell));
        if (read && read.how !== "suggested") fields.add(read.field);
      }
    candidates.push({
      index: i,
      filled: cells.length,
      allText: cells.every((c) => typeof c === "string"),
      fields: fields.size,
    });
  }
  if (candidates.length === 0) return 0;
  let best = candidates[0] as (typeof candidates)[number];
  for (const c of candidates) if (c.fields > best.fields) best = c;
  if (best.fields > 0) return best.index;
  const widest = Math.max(...candidates.filter((c) => c.allText).map((c) => c.filled), 0);
  const wide = candidates.find((c) => c.allText && c.filled * 2 >= widest && c.filled >= Math.min(2, widest));
  return (wide ?? (candidates[0] as (typeof candidates)[number])).index;
}

function headerText(raw: unknown): string {
  return raw === null || raw === undefined ? "" : String(raw).trim();
}

/** One header read against a spec as analyseHeaders would, plus a "did you mean"; null: not at all. */
function readHeader(
  spec: ObjectSpec,
  header: string,
): { field: string; how: Exclude<ProposalHow, "saved" | "unknown"> } | null {
  if (header === "") return null;
  if (spec.byName.has(header)) return { field: header, how: "exact" };
  if (spec.metadata && header.toLowerCase().startsWith(METADATA_PREFIX))
    return { field: header, how: "exact" };
  const folded = foldHeader(header);
  if (spec.byName.has(folded)) return { field: folded, how: "renamed" };
  const alias = spec.aliases[folded];
  if (alias && spec.byName.has(alias)) return { field: alias, how: "alias" };
  const meant = closest(folded, spec.byName.keys());
  return meant ? { field: meant, how: "suggested" } : null;
}

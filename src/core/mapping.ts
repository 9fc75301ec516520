/**
 * Map columns: which field each of a sheet's columns holds, proposed from a saved mapping, the
 * fields' names and aliases and "did you mean"; and guesses of the object and of the header row for a
 * sheet seen for the first time.
 */
import { METADATA_KEY_PATTERN, METADATA_PREFIX, OBJECTS, type ObjectName } from "./catalogue";
import { type ColumnMapping, headerText, isResultsHeader, mappingByHeader } from "./headers";
import type { ObjectSpec } from "./spec";
import { closest, foldHeader } from "./suggest";
import { isBlank } from "./values";

/** How a column's field was found, strongest first. */
export type MappedHow = "saved" | "exact" | "renamed" | "alias" | "suggested" | "unknown";

/** One sheet column and the field proposed for it (null: ignore the column). */
export interface ProposedColumn {
  /** 1-based. */
  readonly column: number;
  /** The header, trimmed. */
  readonly header: string;
  readonly field: string | null;
  readonly how: MappedHow;
}

const STRENGTH: readonly MappedHow[] = ["saved", "exact", "renamed", "alias", "suggested"];

/** Whether a field name is one of the object's, a transaction's metadata column included. */
function isField(spec: ObjectSpec, field: string): boolean {
  if (spec.byName.has(field)) return true;
  return (
    spec.metadata &&
    field.startsWith(METADATA_PREFIX) &&
    METADATA_KEY_PATTERN.test(field.slice(METADATA_PREFIX.length))
  );
}

/** The field a header names by its exact name, folded name or an alias; null when none. */
function namedField(spec: ObjectSpec, header: string): { field: string; how: MappedHow } | null {
  if (header === "") return null;
  if (isField(spec, header)) return { field: header, how: "exact" };
  if (spec.metadata && header.toLowerCase().startsWith(METADATA_PREFIX)) {
    const field = `${METADATA_PREFIX}${header.slice(METADATA_PREFIX.length).trim()}`;
    return isField(spec, field) ? { field, how: "renamed" } : null;
  }
  const folded = foldHeader(header);
  if (spec.byName.has(folded)) return { field: folded, how: "renamed" };
  const alias = spec.aliases[folded];
  if (alias !== undefined && spec.byName.has(alias)) return { field: alias, how: "alias" };
  return null;
}

/**
 * Proposes a field for each column: the saved mapping first (for the headers it names), then the
 * field's exact name, its name folded ("Partner Key"), an alias ("Email"), a near spelling. A field
 * goes to one column only, the strongest claim winning (then the leftmost); other columns get null.
 */
export function proposeMapping(
  spec: ObjectSpec,
  headers: readonly unknown[],
  saved?: ColumnMapping | null,
): ProposedColumn[] {
  const savedByHeader = mappingByHeader(saved);

  const candidates = headers.map((raw, index) => {
    const header = headerText(raw);
    const column = index + 1;
    const kept = savedByHeader.get(header);
    // The add-on's own results columns are no field's, whatever their name resembles.
    if (isResultsHeader(header) && !(typeof kept === "string" && isField(spec, kept)))
      return { column, header, field: null, how: "unknown" as MappedHow };
    // A saved field the object no longer has (a custom field removed) is proposed afresh.
    if (savedByHeader.has(header) && (kept === null || isField(spec, kept ?? "")))
      return { column, header, field: kept ?? null, how: "saved" as MappedHow };
    const named = namedField(spec, header);
    if (named) return { column, header, ...named };
    const meant = header === "" ? undefined : closest(foldHeader(header), spec.byName.keys());
    return meant
      ? { column, header, field: meant, how: "suggested" as MappedHow }
      : { column, header, field: null, how: "unknown" as MappedHow };
  });

  const claimed = new Set<string>();
  const losers = new Set<number>();
  for (const how of STRENGTH)
    for (const c of candidates) {
      if (c.how !== how || c.field === null) continue;
      if (claimed.has(c.field)) losers.add(c.column);
      else claimed.add(c.field);
    }
  return candidates.map((c) =>
    losers.has(c.column) ? { column: c.column, header: c.header, field: null, how: "unknown" } : c,
  );
}

/** The mapping a proposal (as the person left it) makes: each header to its field, or null to ignore it. */
export function mappingFromProposal(proposed: readonly ProposedColumn[]): ColumnMapping {
  const mapping: Record<string, string | null> = {};
  for (const p of proposed) {
    // One header text names all its columns: the first decides; a blank header can only be ignored.
    if (p.header in mapping || (p.header === "" && p.field !== null)) continue;
    mapping[p.header] = p.field;
  }
  return mapping;
}

/** Required fields not among `fields`, and each one-of group none of whose fields is ("partner_email or partner_key"). */
export function missingRequired(spec: ObjectSpec, fields: Iterable<string>): string[] {
  const present = new Set(fields);
  const missing = spec.fields.filter((f) => f.required && !present.has(f.name)).map((f) => f.name);
  for (const group of spec.oneOfGroups)
    if (!group.fields.some((f) => present.has(f))) missing.push(group.fields.join(" or "));
  return missing;
}

/** How many of a spec's fields a row of headers names (exact, folded or alias). */
function fieldsNamed(spec: ObjectSpec, headers: readonly unknown[]): number {
  const named = new Set<string>();
  for (const raw of headers) {
    const found = namedField(spec, headerText(raw));
    if (found) named.add(found.field);
  }
  return named.size;
}

/** The object whose fields the headers name most; null when they name none. Ties go to the first in OBJECTS. */
export function guessObject(headers: readonly unknown[], specs: readonly ObjectSpec[]): ObjectName | null {
  let best: ObjectName | null = null;
  let bestCount = 0;
  const ordered = [...specs].sort((a, b) => OBJECTS.indexOf(a.object) - OBJECTS.indexOf(b.object));
  for (const spec of ordered) {
    const count = fieldsNamed(spec, headers);
    if (count > bestCount) {
      best = spec.object;
      bestCount = count;
    }
  }
  return best;
}

/** How many rows from the top may hold the headers (a title, a blank line, a note above them). */
const HEADER_ROW_SEARCH = 10;

/**
 * The 0-based index of the row that most likely holds the headers: among the first 10 rows with
 * anything in them, the one naming most of the spec's fields; when none names any (or no spec), the
 * first with the most non-blank cells (a title above the headers has fewer). 0 for an empty sheet.
 */
export function guessHeaderRow(rows: readonly (readonly unknown[])[], spec: ObjectSpec | null): number {
  let byFields = -1;
  let mostFields = 0;
  let byCells = -1;
  let mostCells = 0;
  let seen = 0;
  for (let i = 0; i < rows.length && seen < HEADER_ROW_SEARCH; i++) {
    const row = rows[i] ?? [];
    let cells = 0;
    for (const cell of row) if (!isBlank(cell)) cells++;
    if (cells === 0) continue;
    seen++;
    if (cells > mostCells) {
      byCells = i;
      mostCells = cells;
    }
    const named = spec ? fieldsNamed(spec, row) : 0;
    if (named > mostFields) {
      byFields = i;
      mostFields = named;
    }
  }
  if (byFields >= 0) return byFields;
  return Math.max(byCells, 0);
}

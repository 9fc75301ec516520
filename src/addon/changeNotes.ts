/**
 * What an import changes in the records it updates (a dry run: would change), shown where the person
 * looks: the note of each changed cell says the stored value and the new one, and the sidebar counts the
 * records per field. Written into the same Marks as the skipped rows, so the sheet is still painted with
 * one setBackgrounds and one setNotes, and cleared like any other highlight.
 */
import type { ObjectName } from "../core/catalogue";
import type { Issue } from "../core/issues";
import { quote } from "../core/values";
import type { FieldChangeCount } from "./contract";
import type { Marks } from "./highlights";

/** A field a row changes on the record it updates: `from` stored, `to` what the row sets. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** A row's result as far as its changes go. */
export interface ChangedResult {
  row: number;
  outcome: "created" | "updated" | "skipped";
  issues: readonly Issue[];
  changes?: readonly FieldChange[];
}

/** Fields counted in the import's state at most: far more than a sidebar shows, and a few hundred bytes. */
const MAX_COUNTED_FIELDS = 40;

/**
 * For a dry run, marks each cell that would change (the field's column, `columns` by field name; a
 * field without a column marks the row's first cell, naming the field) and the rows' `email_changed`
 * warnings; returns the records changed (or that would change) per field, most first.
 */
export function markChanges(
  marks: Marks,
  object: ObjectName,
  results: readonly ChangedResult[],
  columns: Readonly<Record<string, number>>,
  dryRun: boolean,
): FieldChangeCount[] {
  const counts = new Map<string, number>();
  for (const result of results) {
    if (result.outcome === "skipped") continue;
    // Painted for a dry run, where the person decides on them; after the import the sheet's Import status
    // and the report say what changed, and thousands of shaded cells would only stand in the way.
    if (dryRun)
      for (const issue of result.issues) if (issue.code === "email_changed") marks.add(issue, "service");
    for (const change of result.changes ?? []) {
      counts.set(change.field, (counts.get(change.field) ?? 0) + 1);
      if (!dryRun) continue;
      const column = columns[change.field];
      const line = changeLine(change, dryRun, column === undefined);
      marks.put(result.row, column ?? 1, "change", "service", [line]);
    }
  }
  return [...counts]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .slice(0, MAX_COUNTED_FIELDS)
    .map(([field, records]) => ({ field, words: fieldWords(object, field), records }));
}

/**
 * `Would change: stored "a@x" → new "b@y"` (an import: `Changed: was … → now …`); `named` puts the
 * field's name first, for a line that is not in the field's own cell.
 */
export function changeLine(change: FieldChange, dryRun: boolean, named = false): string {
  const from = valueText(change.from);
  const to = valueText(change.to);
  const said = dryRun ? `would change: stored ${from} → new ${to}` : `changed: was ${from} → now ${to}`;
  return named ? `${change.field} ${said}` : `${said.charAt(0).toUpperCase()}${said.slice(1)}`;
}

/** Each change of a row as the report's messages say it: `partner_email would change: stored … → new …`. */
export function changeLines(changes: readonly FieldChange[] | undefined, dryRun: boolean): string[] {
  return (changes ?? []).map((change) => changeLine(change, dryRun, true));
}

/** A stored or new value in a note: quoted text, a list of tags, or (blank). */
function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "(blank)";
  if (Array.isArray(value)) return value.length === 0 ? "(no tags)" : quote(value.join(", "));
  if (typeof value === "object") return quote(JSON.stringify(value));
  return quote(value);
}

/** A field as a sentence says it: `partner_email` of a partner is its "email", `shipping_address_city` "shipping address city". */
export function fieldWords(object: ObjectName, field: string): string {
  const own = object === "partners" && field.startsWith("partner_") ? field.slice("partner_".length) : field;
  return own.replace(/_/g, " ");
}

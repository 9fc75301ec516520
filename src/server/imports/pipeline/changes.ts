import type { CheckedRow, ObjectSpec } from "../../../core";
import type { Queryable } from "../../db/database";
import type { FieldChange, RowResult, StoredAs } from "../types";

/** One 'updated' line of import_changes, with the record's key and its partners' keys. */
interface UpdatedLine {
  key: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  partner_before: string | null;
  partner_after: string | null;
}

/** A column's value before the chunk's first change to a record and after its last. */
interface ColumnChange {
  from: unknown;
  to: unknown;
}

/**
 * The id of the newest line of import_changes, read after the chunk took its import's lock: the
 * chunk's own lines come after it. Chunks of one import take turns (that lock), so every line an
 * earlier chunk of the import wrote is committed by then, and at or below it; lines past it under the
 * import's id are this chunk's.
 */
export const NEWEST_CHANGE = "(SELECT COALESCE(max(id), 0) FROM import_changes)::text";

/**
 * Gives each updated row the fields it changed (dry run: would change), stored → new, from what the
 * data tables' triggers recorded for this chunk: one statement, whatever the number of rows. Fields a
 * row left blank or set to their stored value changed nothing, so they are not there.
 *
 * Two rows of a chunk that reach one record (a partner by key in one, by email in another) are one
 * update of it, their values merged: each changed field is listed on the last of those rows that sets
 * it (whose value stands), or else on the last of them.
 */
export async function addChanges(
  tx: Queryable,
  { importId, programId, since }: { importId: string; programId: number; since: string },
  stored: StoredAs,
  spec: ObjectSpec,
  rows: readonly CheckedRow[],
  results: readonly RowResult[],
): Promise<void> {
  const updated = results.filter((r) => r.outcome === "updated" && r.object_key !== null);
  if (!updated.length) return;
  const { table, keyColumn } = stored;
  const { rows: lines } = await tx.query<UpdatedLine>(
    `SELECT t.${keyColumn} AS key, c.before, c.after,
       (SELECT p.key FROM partners p WHERE p.id = (c.before ->> 'partner_id')::bigint) AS partner_before,
       (SELECT p.key FROM partners p WHERE p.id = (c.after ->> 'partner_id')::bigint) AS partner_after
     FROM ${table} t
     JOIN import_changes c ON c.table_name = '${table}' AND c.record_id = t.id
     WHERE t.program_id = $1 AND t.${keyColumn} = ANY($2::text[])
       AND c.import_id = $3 AND c.action = 'updated' AND c.id > $4::bigint
     ORDER BY c.id`,
    [programId, [...new Set(updated.map((r) => r.object_key as string))], importId, since],
  );

  const byRecord = new Map<string, Map<string, ColumnChange>>();
  for (const line of lines) {
    const columns = byRecord.get(line.key) ?? new Map<string, ColumnChange>();
    byRecord.set(line.key, columns);
    for (const column of Object.keys(line.after)) {
      const [from, to] =
        column === "partner_id"
          ? [line.partner_before, line.partner_after]
          : [line.before[column], line.after[column]];
      const earlier = columns.get(column);
      columns.set(column, { from: earlier ? earlier.from : from, to });
    }
  }

  const order = new Map(spec.fields.map((f, i) => [f.name, i]));
  const records = new Map(rows.map((r) => [r.row, r.record]));
  const rowsOf = new Map<string, RowResult[]>();
  for (const r of updated) {
    r.changes = [];
    rowsOf.set(r.object_key as string, [...(rowsOf.get(r.object_key as string) ?? []), r]);
  }
  for (const [key, reached] of rowsOf) {
    const changes = fieldChanges(byRecord.get(key), stored).sort(
      (a, b) => (order.get(a.field) ?? order.size) - (order.get(b.field) ?? order.size),
    );
    const last = reached[reached.length - 1] as RowResult;
    for (const change of changes) {
      const setters = reached.filter((r) => records.get(r.row)?.[change.field] !== undefined);
      const setter = setters[setters.length - 1] ?? last;
      setter.changes?.push(change);
    }
  }
}

/** A record's changed columns as the import's fields; custom fields each by its own name. */
function fieldChanges(
  columns: ReadonlyMap<string, ColumnChange> | undefined,
  stored: StoredAs,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [column, { from, to }] of columns ?? []) {
    if (column === "fields") {
      const before = (from ?? {}) as Record<string, unknown>;
      const after = (to ?? {}) as Record<string, unknown>;
      for (const name of new Set([...Object.keys(before), ...Object.keys(after)]))
        if (!same(before[name], after[name]))
          changes.push({ field: name, from: before[name] ?? null, to: after[name] ?? null });
      continue;
    }
    const field = stored.fieldOf[column];
    if (field !== undefined && !same(from, to)) changes.push({ field, from: from ?? null, to: to ?? null });
  }
  return changes;
}

/** Values read from JSON, compared as JSON (a record changed and changed back changed nothing). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

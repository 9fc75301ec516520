import type { Queryable } from "../../db/database";

export interface ImportKey {
  field: string;
  value: string;
  row: number;
}

/**
 * Records keys of this import's rows (a unique field's value, or a row's fingerprint); returns, per row,
 * the keys that an earlier row of the import had already.
 */
export async function rememberKeys(tx: Queryable, importId: string, keys: readonly ImportKey[]) {
  const dupes = new Map<number, ImportKey[]>();
  if (!keys.length) return dupes;
  const { rows: taken } = await tx.query<{ field: string; value: string; row: number; new_row: number }>(
    `WITH k AS (SELECT * FROM unnest($2::text[], $3::text[], $4::int[]) AS k(field, value, row)),
     inserted AS (
       INSERT INTO import_keys (import_id, field, value, row) SELECT $1, field, value, row FROM k
       ON CONFLICT DO NOTHING RETURNING field, value)
     SELECT k.field, k.value, ik.row, k.row AS new_row FROM k
     JOIN import_keys ik ON ik.import_id = $1 AND ik.field = k.field AND ik.value = k.value
     WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.field = k.field AND i.value = k.value)`,
    [importId, keys.map((k) => k.field), keys.map((k) => k.value), keys.map((k) => k.row)],
  );
  for (const t of taken) {
    if (t.row === t.new_row) continue;
    const list = dupes.get(t.new_row) ?? [];
    list.push({ field: t.field, value: t.value, row: t.row });
    dupes.set(t.new_row, list);
  }
  return dupes;
}

/** The rows of this import that recorded these keys of a field already: value → row. */
export async function recordedKeys(
  tx: Queryable,
  importId: string,
  field: string,
  values: readonly string[],
): Promise<Map<string, number>> {
  if (!values.length) return new Map();
  const { rows } = await tx.query<{ value: string; row: number }>(
    "SELECT value, row FROM import_keys WHERE import_id = $1 AND field = $2 AND value = ANY($3::text[])",
    [importId, field, values],
  );
  return new Map(rows.map((r) => [r.value, r.row]));
}

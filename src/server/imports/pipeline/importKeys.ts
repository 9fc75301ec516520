import type { CheckedRow } from "../../../core";
import type { Queryable } from "../../db/database";
import type { ImportRow } from "./resource";

/** Records the unique keys of these rows for the import; returns, per row, the keys an earlier row had. */
export async function rememberKeys(
  tx: Queryable,
  imp: ImportRow,
  fields: string[],
  rows: readonly CheckedRow[],
) {
  const keys = rows.flatMap((r) =>
    fields.flatMap((field) => {
      const value = r.record[field];
      return typeof value === "string" ? [{ field, value, row: r.row }] : [];
    }),
  );
  const dupes = new Map<number, { field: string; value: string; row: number }[]>();
  if (!keys.length) return dupes;
  const { rows: taken } = await tx.query<{ field: string; value: string; row: number; new_row: number }>(
    `WITH k AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS k(field text, value text, row int)),
     inserted AS (
       INSERT INTO import_keys (import_id, field, value, row) SELECT $1, field, value, row FROM k
       ON CONFLICT DO NOTHING RETURNING field, value)
     SELECT k.field, k.value, ik.row, k.row AS new_row FROM k
     JOIN import_keys ik ON ik.import_id = $1 AND ik.field = k.field AND ik.value = k.value
     WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.field = k.field AND i.value = k.value)`,
    [imp.id, JSON.stringify(keys)],
  );
  for (const t of taken) {
    if (t.row === t.new_row) continue;
    const list = dupes.get(t.new_row) ?? [];
    list.push({ field: t.field, value: t.value, row: t.row });
    dupes.set(t.new_row, list);
  }
  return dupes;
}

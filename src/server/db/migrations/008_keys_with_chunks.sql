-- An import's keys (a unique field's value, a row's fingerprint) move from a table of their own, one row
-- per key written by every chunk, to the chunk that took them: each chunk stores the keys its rows took
-- first, as three parallel arrays, and the service holds an import's keys in memory between its chunks
-- (pipeline/importKeys.ts). Writing a key cost more than storing the row it came from.
ALTER TABLE import_chunks
  ADD COLUMN key_fields text[] NOT NULL DEFAULT '{}',
  ADD COLUMN key_values text[] NOT NULL DEFAULT '{}',
  ADD COLUMN key_rows integer[] NOT NULL DEFAULT '{}';

-- The keys stored so far go to the chunk that held their row. A row sent again in a later chunk (skipped
-- there as row_already_sent) is in two chunks' row numbers: its key goes to the first, where it was applied.
UPDATE import_chunks c
SET key_fields = k.fields, key_values = k.vals, key_rows = k.rows_of
FROM (
  SELECT owner.import_id, owner.seq,
    array_agg(ik.field ORDER BY ik.row, ik.field) AS fields,
    array_agg(ik.value ORDER BY ik.row, ik.field) AS vals,
    array_agg(ik.row ORDER BY ik.row, ik.field) AS rows_of
  FROM import_keys ik
  CROSS JOIN LATERAL (
    SELECT ch.import_id, ch.seq FROM import_chunks ch
    WHERE ch.import_id = ik.import_id AND ik.row = ANY(ch.row_numbers)
    ORDER BY ch.created_at, ch.seq
    LIMIT 1
  ) AS owner
  GROUP BY owner.import_id, owner.seq
) AS k
WHERE c.import_id = k.import_id AND c.seq = k.seq;

DROP TRIGGER imports_forget_keys ON imports;
DROP FUNCTION forget_import_keys();
DROP TABLE import_keys;

-- The records one insert creates are one 'created' line of import_changes, their ids in record_ids, not a
-- line each: the lines cost as much again as a third of the insert. Lines stored before keep their one
-- record_id, and are read as they are (see undo.ts); an 'updated' line still holds one record.
ALTER TABLE import_changes ALTER COLUMN record_id DROP NOT NULL;
ALTER TABLE import_changes ADD COLUMN record_ids bigint[];
ALTER TABLE import_changes ADD CONSTRAINT import_changes_records
  CHECK (CASE WHEN record_ids IS NULL THEN record_id IS NOT NULL
    ELSE record_id IS NULL AND action = 'created' AND cardinality(record_ids) > 0 END);

CREATE OR REPLACE FUNCTION record_import_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  imp uuid := nullif(current_setting('importer.import_id', true), '')::uuid;
BEGIN
  IF imp IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    -- An insert that made nothing (every key taken) leaves no line.
    INSERT INTO import_changes (import_id, table_name, record_ids, action)
    SELECT imp, TG_TABLE_NAME, array_agg(n.id ORDER BY n.id), 'created' FROM new_rows n
    HAVING count(*) > 0;
  ELSE
    INSERT INTO import_changes (import_id, table_name, record_id, action, before, after)
    SELECT imp, TG_TABLE_NAME, o.id, 'updated', d.before, d.after
    FROM old_rows o
    JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (
      SELECT jsonb_object_agg(b.key, b.value) AS before, jsonb_object_agg(b.key, a.value) AS after
      FROM jsonb_each(to_jsonb(o)) AS b
      JOIN jsonb_each(to_jsonb(n)) AS a ON a.key = b.key
      WHERE b.key <> 'updated_at' AND b.value IS DISTINCT FROM a.value
    ) AS d
    WHERE d.before IS NOT NULL;
  END IF;
  RETURN NULL;
END;
$$;

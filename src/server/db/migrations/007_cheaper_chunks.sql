-- The statements every chunk runs, made cheaper.

-- An import's keys are written only by its chunks, under the import's row lock, and roll back with their
-- chunk: the foreign key's check of each key cost more than storing it. An import deleted still takes
-- its keys with it, by this trigger instead.
ALTER TABLE import_keys DROP CONSTRAINT import_keys_import_id_fkey;

CREATE FUNCTION forget_import_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM import_keys k USING old_rows o WHERE k.import_id = o.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER imports_forget_keys AFTER DELETE ON imports REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION forget_import_keys();

-- One session analyses a table at a time, and none waits for it: a session that finds another analysing
-- the table (or the table's lock taken, by autovacuum say) leaves it to that one, and goes on.
CREATE OR REPLACE FUNCTION analyse_table(name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('analyse_table'), to_regclass(name)::oid::int) THEN
    RETURN;
  END IF;
  PERFORM set_config('lock_timeout', '10ms', true);
  BEGIN
    EXECUTE format('ANALYZE %I', name);
  EXCEPTION WHEN lock_not_available THEN
    NULL;
  END;
END;
$$;

-- What an update changed: each row made into jsonb once, old and new, and their values compared key by
-- key (it was the new row made into jsonb again for each of its columns).
CREATE OR REPLACE FUNCTION record_import_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  imp uuid := nullif(current_setting('importer.import_id', true), '')::uuid;
BEGIN
  IF imp IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO import_changes (import_id, table_name, record_id, action)
    SELECT imp, TG_TABLE_NAME, n.id, 'created' FROM new_rows n;
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

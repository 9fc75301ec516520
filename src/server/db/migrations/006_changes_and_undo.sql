-- What each import changed, so that a dry run can say what would change and an import can be undone.
-- Written by statement triggers on the program's data tables, for the import named by the transaction's
-- setting importer.import_id (set by the chunk that applies rows; nothing else sets it, so other writes
-- are not recorded). A created record has one 'created' line; each UPDATE of a record adds an 'updated'
-- line with only the columns it changed: their values before and after (updated_at left out).
CREATE TABLE import_changes (
  id bigserial PRIMARY KEY,
  import_id uuid NOT NULL,
  table_name text NOT NULL,
  record_id bigint NOT NULL,
  action text NOT NULL CHECK (action IN ('created', 'updated')),
  before jsonb,
  after jsonb,
  -- Set when an undo took this change back: a later undo of an earlier import no longer counts it.
  undone_at timestamptz
);
CREATE INDEX import_changes_import ON import_changes (import_id, table_name, record_id);
CREATE INDEX import_changes_record ON import_changes (table_name, record_id, id);

CREATE FUNCTION record_import_changes() RETURNS trigger LANGUAGE plpgsql AS $$
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
      SELECT jsonb_object_agg(b.key, b.value) AS before, jsonb_object_agg(b.key, to_jsonb(n) -> b.key) AS after
      FROM jsonb_each(to_jsonb(o)) AS b
      WHERE b.key <> 'updated_at' AND b.value IS DISTINCT FROM to_jsonb(n) -> b.key
    ) AS d
    WHERE d.before IS NOT NULL;
  END IF;
  RETURN NULL;
END;
$$;

-- The same two triggers on each data table.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partners', 'customers', 'transactions', 'rewards', 'leads', 'deals'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_import_changes()', t || '_created', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_import_changes()', t || '_updated', t);
  END LOOP;
END;
$$;

-- An import can be undone; one that re-imports the rows another skipped names it (retry_of).
ALTER TABLE imports DROP CONSTRAINT imports_status_check;
ALTER TABLE imports ADD CONSTRAINT imports_status_check
  CHECK (status IN ('processing', 'completed', 'cancelled', 'failed', 'undone'));
ALTER TABLE imports ADD COLUMN retry_of uuid REFERENCES imports (id);
-- The undo's answer: when, by whom, what it removed and restored, and what it refused, with why.
ALTER TABLE imports ADD COLUMN undo jsonb;

-- An invite being sent is claimed first (claimed_at): two senders never send it twice, an undo counts it
-- as sent, and a claim older than the lease (a sender that stopped mid-send) is given up and retried.
ALTER TABLE outbox ADD COLUMN claimed_at timestamptz;

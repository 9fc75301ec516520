-- An upload's rows are staged before its import is started, each chunk in a short statement of its
-- own (on PGlite, one long transaction would keep every other request waiting): staged rows no longer
-- need their import to exist. Rows of an upload that never started are removed (see staging.ts).
ALTER TABLE import_staging DROP CONSTRAINT import_staging_import_id_fkey;
ALTER TABLE import_staging ADD COLUMN staged_at timestamptz NOT NULL DEFAULT now();

-- An issue that many rows of a chunk share in one column, said once (pipeline/columnIssues.ts): kept
-- with the chunk's results so the chunk sent again gets the same answer.
ALTER TABLE import_chunks ADD COLUMN column_issues jsonb NOT NULL DEFAULT '[]';

-- Repeats: a record an import creates keeps a fingerprint of what it is and the import's row that made
-- it, so a row that matches it in a later import is caught (already_imported) and named.
ALTER TABLE rewards ADD COLUMN key text;
ALTER TABLE rewards ADD COLUMN fingerprint text;
ALTER TABLE rewards ADD COLUMN import_row integer;
ALTER TABLE rewards ADD CONSTRAINT rewards_key UNIQUE (program_id, key);
CREATE INDEX rewards_fingerprint ON rewards (program_id, fingerprint) WHERE fingerprint IS NOT NULL;

ALTER TABLE transactions ADD COLUMN fingerprint text;
ALTER TABLE transactions ADD COLUMN import_row integer;
CREATE INDEX transactions_fingerprint ON transactions (program_id, fingerprint) WHERE fingerprint IS NOT NULL;

ALTER TABLE leads ADD COLUMN import_id uuid;
ALTER TABLE leads ADD COLUMN fingerprint text;
ALTER TABLE leads ADD COLUMN import_row integer;
CREATE INDEX leads_fingerprint ON leads (program_id, fingerprint) WHERE fingerprint IS NOT NULL;

-- Rows that matched an earlier import (or another row of the same one).
ALTER TABLE imports ADD COLUMN repeats integer NOT NULL DEFAULT 0;

-- Idempotency-Key: the first request made under a key, by its hash, and the import it started.
CREATE TABLE idempotency_keys (
  program_id bigint NOT NULL REFERENCES programs (id),
  key text NOT NULL,
  request_hash text NOT NULL,
  import_id uuid NOT NULL REFERENCES imports (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, key)
);

-- What each chunk held: a chunk sent again with other rows is refused, and a row number is applied once.
ALTER TABLE import_chunks ADD COLUMN rows_hash text;
ALTER TABLE import_chunks ADD COLUMN last_row integer;
ALTER TABLE import_chunks ADD COLUMN row_numbers integer[];

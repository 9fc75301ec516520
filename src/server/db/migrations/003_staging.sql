-- A CSV upload's rows, staged in chunks before the upload is answered; a worker applies them chunk by
-- chunk (seq is the chunk's seq in import_chunks) and they are removed when the import ends.
CREATE TABLE import_staging (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  rows jsonb NOT NULL,
  PRIMARY KEY (import_id, seq)
);

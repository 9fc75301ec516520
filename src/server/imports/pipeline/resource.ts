import type { ObjectName } from "../../../core";
import type { Database, Queryable } from "../../db/database";
import { notFound } from "../../errors";
import type { ImportOptions } from "../types";

/** Where an import's rows come from: the kind, and the sheet's or file's name. */
export interface ImportSource {
  kind: "sheet" | "file" | "api";
  name?: string;
}

export interface StartImport {
  object: string;
  options?: Partial<ImportOptions>;
  headers: unknown[];
  total_rows?: number | null;
  source?: ImportSource;
  client_token?: string | null;
  /** An import of rows another import skipped (the sidebar's Import skipped rows): that import's id. */
  retry_of?: string | null;
}

export interface ImportRow {
  id: string;
  program_id: number;
  user_id: number;
  object: ObjectName;
  options: ImportOptions;
  headers: unknown[];
  total_rows: number | null;
  source: ImportSource;
  client_token: string | null;
  status: "processing" | "completed" | "cancelled" | "failed" | "undone";
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  repeats: number;
  issued_usd_cents: number;
  error: string | null;
  retry_of: string | null;
  /** What an undo did (UndoSummary), once the import is undone. */
  undo: unknown | null;
  created_at: Date;
  completed_at: Date | null;
  user_email?: string;
  chunks?: number;
}

/** The import as the API shows it. */
export function importResource(i: ImportRow) {
  return {
    id: i.id,
    object: i.object,
    status: i.status,
    options: i.options,
    source: i.source,
    total_rows: i.total_rows,
    counts: { rows: i.rows, created: i.created, updated: i.updated, skipped: i.skipped, repeats: i.repeats },
    ...(i.object === "rewards" ? { issued_usd_cents: i.issued_usd_cents } : {}),
    chunks_received: i.chunks ?? 0,
    user: i.user_email ?? null,
    error: i.error,
    retry_of: i.retry_of ?? null,
    undo: i.undo ?? null,
    created_at: i.created_at,
    completed_at: i.completed_at,
  };
}
export type ImportResource = ReturnType<typeof importResource>;

export const SELECT_IMPORT = `SELECT i.*, u.email AS user_email,
  (SELECT count(*)::int FROM import_chunks c WHERE c.import_id = i.id) AS chunks
  FROM imports i JOIN users u ON u.id = i.user_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The object an import of the program imports (404 when there is none): what a chunk needs before its turn. */
export async function importObject(db: Database, programId: number, id: string): Promise<ObjectName> {
  if (!UUID.test(id)) throw notFound(`The import ${id}`);
  // An import's program and object never change, and an import is never deleted: each chunk of it
  // after the first reads them here, not from the database.
  const known = objects.get(db) ?? new Map<string, ObjectName>();
  objects.set(db, known);
  const cached = known.get(`${programId}/${id}`);
  if (cached) return cached;
  const { rows } = await db.query<{ object: ObjectName }>(
    "SELECT object FROM imports WHERE id = $1 AND program_id = $2",
    [id, programId],
  );
  const found = rows[0];
  if (!found) throw notFound(`The import ${id}`);
  known.set(`${programId}/${id}`, found.object);
  // A bound: the oldest let go first (read again if they send more).
  for (const key of known.keys()) {
    if (known.size <= MAX_KNOWN_OBJECTS) break;
    known.delete(key);
  }
  return found.object;
}

/** Per database, each import's object, by program and import id (importObject). */
const objects = new WeakMap<Database, Map<string, ObjectName>>();
const MAX_KNOWN_OBJECTS = 10_000;

export async function getImport(db: Queryable, programId: number, id: string): Promise<ImportRow> {
  // An id that is not a uuid names no import: never a statement that fails on the cast.
  if (!UUID.test(id)) throw notFound(`The import ${id}`);
  const { rows } = await db.query<ImportRow>(`${SELECT_IMPORT} WHERE i.id = $1 AND i.program_id = $2`, [
    id,
    programId,
  ]);
  const found = rows[0];
  if (!found) throw notFound(`The import ${id}`);
  return found;
}

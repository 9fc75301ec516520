import type { Queryable } from "./db/database";

export type AuditAction =
  | "import.started"
  | "import.completed"
  | "import.cancelled"
  | "import.failed"
  | "import.denied"
  | "import.undone"
  | "key.created"
  | "key.revoked";

export interface AuditEntry {
  programId: number;
  actor: string;
  action: AuditAction;
  object?: string | null;
  importId?: string | null;
  options?: unknown;
  source?: unknown;
  counts?: unknown;
  detail?: unknown;
  ip?: string | null;
}

/** The most an entry keeps of its object's name, and of each of its JSON values. */
const MAX_OBJECT_CHARS = 100;
const MAX_JSON_CHARS = 4096;
/**
 * Options are kept whole up to this: an import's column mapping is part of what it did (at most 250
 * entries of a 500-character header and a 100-character field, well under this as JSON).
 */
const MAX_OPTIONS_JSON_CHARS = 1024 * 1024;

/**
 * Adds an entry to the append-only audit log (the database refuses to change or remove one). Each
 * value has its own column, whatever it holds, and is capped: a value too long to keep is stored as
 * a note of its size.
 */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (program_id, actor, action, object, import_id, options, source, counts, detail, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      entry.programId,
      entry.actor,
      entry.action,
      entry.object?.slice(0, MAX_OBJECT_CHARS) ?? null,
      entry.importId ?? null,
      cappedJson(entry.options, MAX_OPTIONS_JSON_CHARS),
      cappedJson(entry.source),
      cappedJson(entry.counts),
      cappedJson(entry.detail),
      entry.ip ?? null,
    ],
  );
}

function cappedJson(value: unknown, most = MAX_JSON_CHARS): string | null {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value);
  return json.length <= most ? json : JSON.stringify({ truncated: true, chars: json.length });
}

/**
 * Which options a request asked for, without what it gave them: a flag as it was, any other value as
 * its type. Only names an option could have are kept, a few of them.
 */
export function optionsShape(options: object): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(options)
      .filter(([name, value]) => /^[a-z][a-z0-9_]{0,39}$/.test(name) && value !== undefined)
      .slice(0, 20)
      .map(([name, value]) => [
        name,
        typeof value === "boolean" ? value : value === null ? "null" : typeof value,
      ]),
  );
}

import type { Queryable } from "./db/database";

export type AuditAction =
  | "import.started"
  | "import.completed"
  | "import.cancelled"
  | "import.failed"
  | "import.denied"
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

/** Adds an entry to the append-only audit log (the database refuses to change or remove one). */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  await db.query(
    `INSERT INTO audit_log (program_id, actor, action, object, import_id, options, source, counts, detail, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      entry.programId,
      entry.actor,
      entry.action,
      entry.object ?? null,
      entry.importId ?? null,
      json(entry.options),
      json(entry.source),
      json(entry.counts),
      json(entry.detail),
      entry.ip ?? null,
    ],
  );
}

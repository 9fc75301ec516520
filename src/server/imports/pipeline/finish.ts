import { appendAudit } from "../../audit";
import type { Caller } from "../../caller";
import type { Database } from "../../db/database";
import { ApiError } from "../../errors";
import { getImport, type ImportResource, type ImportRow, importResource } from "./resource";

/** Ends an import: completed (or cancelled). Ending it again answers as before. */
export async function finishImport(
  db: Database,
  caller: Caller,
  importId: string,
  to: "completed" | "cancelled",
  ip: string | null,
): Promise<ImportResource> {
  return db.transaction(async (tx) => {
    await getImport(tx, caller.program.id, importId);
    const { rows } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [importId]);
    const imp = rows[0] as ImportRow;
    if (imp.status === to) return importResource(await getImport(tx, caller.program.id, importId));
    if (imp.status !== "processing")
      throw new ApiError(409, "import_closed", `The import is already ${imp.status}; it cannot be ${to}.`);
    await tx.query("UPDATE imports SET status = $2, completed_at = now() WHERE id = $1", [importId, to]);
    const done = await getImport(tx, caller.program.id, importId);
    await appendAudit(tx, {
      programId: caller.program.id,
      actor: caller.email,
      action: to === "completed" ? "import.completed" : "import.cancelled",
      object: imp.object,
      importId,
      options: imp.options,
      source: imp.source,
      counts: importResource(done).counts,
      ip,
    });
    return importResource(done);
  });
}

/** Marks an import failed (a CSV import that broke while running in the background). */
export async function failImport(
  db: Database,
  caller: Caller,
  importId: string,
  reason: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<ImportRow>(
      "UPDATE imports SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status = 'processing' RETURNING *",
      [importId, reason],
    );
    const imp = rows[0];
    if (!imp) return;
    await appendAudit(tx, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.failed",
      object: imp.object,
      importId,
      options: imp.options,
      source: imp.source,
      counts: { rows: imp.rows, created: imp.created, updated: imp.updated, skipped: imp.skipped },
      detail: { reason },
    });
  });
}

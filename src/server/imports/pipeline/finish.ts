import { appendAudit } from "../../audit";
import type { Caller } from "../../caller";
import type { Database } from "../../db/database";
import { forgetGrowth } from "../../db/statistics";
import { ApiError } from "../../errors";
import { forgetKeys } from "./importKeys";
import { getImport, type ImportResource, type ImportRow, importResource } from "./resource";

/**
 * Ends an import: completed (or cancelled). Ending it again answers as before. An import that received
 * fewer rows than it announced completes only when the caller says it is partial.
 */
export async function finishImport(
  db: Database,
  caller: Caller,
  importId: string,
  to: "completed" | "cancelled",
  ip: string | null,
  { partial = false }: { partial?: boolean } = {},
): Promise<ImportResource> {
  const ended = await db.transaction(async (tx) => {
    await getImport(tx, caller.program.id, importId);
    const { rows } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [importId]);
    const imp = rows[0] as ImportRow;
    if (imp.status === to) return importResource(await getImport(tx, caller.program.id, importId));
    if (imp.status !== "processing")
      throw new ApiError(409, "import_closed", `The import is already ${imp.status}; it cannot be ${to}.`);
    const missing = imp.total_rows === null ? 0 : imp.total_rows - imp.rows;
    if (to === "completed" && missing > 0 && !partial)
      throw new ApiError(
        409,
        "rows_missing",
        `The import announced ${imp.total_rows} rows and received ${imp.rows}: ${missing} ${missing === 1 ? "is" : "are"} missing. Send the missing rows, or complete it with {"partial": true} to end it as it is.`,
        { total_rows: imp.total_rows, received: imp.rows, missing },
      );
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
      ...(to === "completed" && missing > 0 ? { detail: { partial: true, missing } } : {}),
      ip,
    });
    return importResource(done);
  });
  // It takes no more rows: its keys held for its next chunks are let go.
  forgetKeys(db, importId);
  forgetGrowth(db, importId);
  return ended;
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

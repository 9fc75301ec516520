import { randomBytes } from "node:crypto";
import { appendAudit } from "./audit";
import type { Database } from "./db/database";
import { ApiError } from "./errors";
import { hashKey } from "./programs";

/** Makes a key for a program's user; only its hash is kept, so it is shown this once. */
export async function createKey(db: Database, programKey: string, email: string): Promise<string> {
  const key = `cik_${randomBytes(24).toString("base64url")}`;
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ program_id: number; user_id: number }>(
      `SELECT p.id AS program_id, u.id AS user_id FROM programs p JOIN users u ON u.program_id = p.id
       WHERE p.key = $1 AND u.email = $2`,
      [programKey, email.toLowerCase()],
    );
    const found = rows[0];
    if (!found) throw new ApiError(404, "not_found", `There is no user ${email} in program ${programKey}`);
    await tx.query("INSERT INTO api_keys (program_id, user_id, key_hash, prefix) VALUES ($1, $2, $3, $4)", [
      found.program_id,
      found.user_id,
      hashKey(key),
      key.slice(0, 8),
    ]);
    await appendAudit(tx, {
      programId: found.program_id,
      actor: "admin command",
      action: "key.created",
      detail: { user: email.toLowerCase(), prefix: key.slice(0, 8) },
    });
  });
  return key;
}

/** Ends a key (given whole), or every key of a user. Returns how many keys it ended. */
export async function revokeKey(
  db: Database,
  which: { programKey: string; key?: string; email?: string },
): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; program_id: number; prefix: string; email: string }>(
      `UPDATE api_keys k SET revoked_at = now() FROM users u, programs p
       WHERE k.user_id = u.id AND k.program_id = p.id AND p.key = $1 AND k.revoked_at IS NULL
         AND ($2::text IS NULL OR k.key_hash = $2) AND ($3::text IS NULL OR u.email = $3)
       RETURNING k.id, k.program_id, k.prefix, u.email`,
      [which.programKey, which.key ? hashKey(which.key) : null, which.email?.toLowerCase() ?? null],
    );
    for (const r of rows)
      await appendAudit(tx, {
        programId: r.program_id,
        actor: "admin command",
        action: "key.revoked",
        detail: { user: r.email, prefix: r.prefix },
      });
    return rows.length;
  });
}

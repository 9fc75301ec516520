import { createHash } from "node:crypto";
import { type ProgramCatalogue, type ProgramConfig, programConfigSchema } from "../core/program";
import type { Database, Queryable } from "./db/database";
import { ApiError } from "./errors";

export interface ProgramRow {
  id: number;
  key: string;
  name: string;
  currency: string;
  catalogue: Omit<ProgramCatalogue, "program">;
}

/** Reads and checks a program config; the message names each problem's place in the file. */
export function parseProgramConfig(input: unknown): ProgramConfig {
  const parsed = programConfigSchema.safeParse(input);
  if (!parsed.success)
    throw new ApiError(
      400,
      "invalid_config",
      `The program config is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Applies a config: the program, its catalogue and its users are made as it says. Applying it twice changes nothing. */
export async function applyProgramConfig(
  db: Database,
  config: ProgramConfig,
): Promise<{ programId: number }> {
  return db.transaction(async (tx) => {
    const { program, users, ...catalogue } = config;
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO programs (key, name, currency, catalogue) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, currency = EXCLUDED.currency,
         catalogue = EXCLUDED.catalogue, updated_at = now()
       WHERE (programs.name, programs.currency, programs.catalogue) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.currency, EXCLUDED.catalogue)
       RETURNING id`,
      [program.key, program.name, program.currency, JSON.stringify(catalogue)],
    );
    const programId =
      rows[0]?.id ??
      (await tx.query<{ id: number }>("SELECT id FROM programs WHERE key = $1", [program.key])).rows[0]?.id;
    if (programId === undefined) throw new Error(`program ${program.key} vanished while being applied`);
    const list = users.map((u) => ({
      email: u.email.toLowerCase(),
      role: u.role,
      permissions: u.role === "custom" ? u.permissions : [],
      partner_key: u.role === "partner" ? u.partner_key : null,
      key_hash: u.api_key ? hashKey(u.api_key) : null,
      prefix: u.api_key ? u.api_key.slice(0, 8) : null,
    }));
    if (list.length) {
      await tx.query(
        `INSERT INTO users (program_id, email, role, permissions, partner_key)
         SELECT $1, u.email, u.role, u.permissions, u.partner_key
         FROM jsonb_to_recordset($2::jsonb) AS u(email text, role text, permissions text[], partner_key text)
         ON CONFLICT (program_id, email) DO UPDATE SET role = EXCLUDED.role, permissions = EXCLUDED.permissions,
           partner_key = EXCLUDED.partner_key`,
        [programId, JSON.stringify(list)],
      );
      await tx.query(
        `INSERT INTO api_keys (program_id, user_id, key_hash, prefix)
         SELECT $1, users.id, u.key_hash, u.prefix
         FROM jsonb_to_recordset($2::jsonb) AS u(email text, key_hash text, prefix text)
         JOIN users ON users.program_id = $1 AND users.email = u.email
         WHERE u.key_hash IS NOT NULL
         ON CONFLICT (key_hash) DO NOTHING`,
        [programId, JSON.stringify(list)],
      );
    }
    return { programId };
  });
}

/** A program's catalogue data, as `src/core` reads it. */
export async function loadProgram(
  db: Queryable,
  programId: number,
): Promise<ProgramCatalogue & { id: number }> {
  const { rows } = await db.query<ProgramRow>(
    "SELECT id, key, name, currency, catalogue FROM programs WHERE id = $1",
    [programId],
  );
  const row = rows[0];
  if (!row) throw new ApiError(404, "not_found", "The program was not found");
  return {
    id: row.id,
    program: { key: row.key, name: row.name, currency: row.currency },
    groups: row.catalogue.groups ?? [],
    tiers: row.catalogue.tiers ?? [],
    partner_fields: row.catalogue.partner_fields ?? [],
    ...(row.catalogue.currency_rates ? { currency_rates: row.catalogue.currency_rates } : {}),
  };
}

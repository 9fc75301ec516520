import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { installQueues } from "../imports/worker";
import type { Database } from "./database";
import { grantService } from "./roles";

const MIGRATIONS = join(__dirname, "migrations");
/** Held while migrating: two services starting at once against one database apply each step once. */
const MIGRATION_LOCK = 727301;

export interface MigrateOptions {
  /**
   * The role the service runs as, when it is not the one migrating (DATABASE_OWNER_URL): it is
   * granted what the service needs, and no more (grantService).
   */
  serviceRole?: string;
}

/**
 * Applies the numbered `.sql` files not yet applied, each in its own transaction, in order; then
 * makes pg-boss's schema and queues, and grants the service's role its rights. Returns the files
 * applied.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  await db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const files = readdirSync(MIGRATIONS)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, "");
    const done = await db.transaction(async (tx) => {
      if (db.kind === "postgres") await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const { rows } = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [version]);
      if (rows.length) return false;
      for (const statement of splitStatements(readFileSync(join(MIGRATIONS, file), "utf8")))
        await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
      return true;
    });
    if (done) applied.push(version);
  }
  const boss = await installQueues(db);
  const { serviceRole } = options;
  if (serviceRole)
    await db.transaction(async (tx) => {
      // Grants made at once on one table by two services would collide.
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await grantService(tx, serviceRole, boss);
    });
  return applied;
}

/** Splits a migration into statements at `;` line ends, keeping `$$ … $$` function bodies whole. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let inBody = false;
  for (const line of sql.split("\n")) {
    if (/^\s*--/.test(line) && !inBody) continue;
    current += `${line}\n`;
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*$/.test(line)) {
      statements.push(current.trim());
      current = "";
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

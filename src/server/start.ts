import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { type Database, openDatabase, type Queryable } from "./db/database";
import { migrate } from "./db/migrate";
import { smtpMailer } from "./outbox";
import { applyProgramConfig, parseProgramConfig } from "./programs";
import type { Settings } from "./settings";

/** Opens the database (PostgreSQL or PGlite), migrates it, and applies IMPORTER_CONFIG when set. */
export async function openStore(settings: Settings): Promise<Database> {
  const dir = settings.IMPORTER_DATA_DIR;
  if (settings.DATABASE_URL || dir === "memory")
    return prepare(
      await openDatabase(
        settings.DATABASE_URL
          ? { url: settings.DATABASE_URL, poolMax: settings.DATABASE_POOL_MAX }
          : { dataDir: dir },
      ),
      settings,
    );
  const release = lockDataDir(dir);
  const db = await openDatabase({ dataDir: dir }).catch((error) => {
    release();
    throw error;
  });
  const close = async () => {
    try {
      await db.close();
    } finally {
      release();
    }
  };
  return prepare({ ...db, close }, settings);
}

/** Migrates and configures a database just opened; closes it if that fails. */
async function prepare(db: Database, settings: Settings): Promise<Database> {
  try {
    if (settings.DATABASE_OWNER_URL) await migrateAsOwner(db, settings.DATABASE_OWNER_URL);
    else await migrate(db);
    if (settings.IMPORTER_CONFIG) await applyConfigFile(db, settings.IMPORTER_CONFIG);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Migrates through the owning role, which grants the service's role (`db`'s) what it needs. Both
 * must see the same schema: the tables the owner makes are the ones the service uses.
 */
async function migrateAsOwner(db: Database, ownerUrl: string): Promise<void> {
  const owner = await openDatabase({ url: ownerUrl });
  try {
    const [service, owning] = await Promise.all([placeOf(db), placeOf(owner)]);
    if (service.schema !== owning.schema)
      throw new Error(
        `DATABASE_URL works in schema ${service.schema ?? "(none)"} and DATABASE_OWNER_URL in ${owning.schema ?? "(none)"}: give both roles the same search_path`,
      );
    await migrate(owner, service.role === owning.role ? {} : { serviceRole: service.role });
  } finally {
    await owner.close();
  }
}

/** The role a connection works as, and the schema it makes and finds tables in. */
async function placeOf(db: Queryable): Promise<{ role: string; schema: string | null }> {
  const { rows } = await db.query<{ role: string; schema: string | null }>(
    "SELECT current_user AS role, current_schema() AS schema",
  );
  return rows[0] as { role: string; schema: string | null };
}

/**
 * PGlite's folder is one process's at a time: a second one (an admin command while the service runs)
 * would neither be seen by the first nor leave the files whole. Returns what lets it go.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, "importer.pid");
  const mine = String(process.pid);
  const release = () => {
    try {
      if (readFileSync(lock, "utf8") === mine) rmSync(lock, { force: true });
    } catch {}
  };
  let holder = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, mine, { flag: "wx", mode: 0o600 });
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    try {
      holder = Number(readFileSync(lock, "utf8"));
    } catch {
      continue; // let go of just now
    }
    if (holder && holder !== process.pid && isRunning(holder)) break;
    rmSync(lock, { force: true }); // left by a process that is gone
  }
  throw new Error(
    `The data directory ${dir} is in use by process ${holder} (the service, or an admin command). ` +
      "Stop it first, or run both on PostgreSQL (DATABASE_URL), which they can share. " +
      `If no such process is running, delete ${lock}.`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function applyConfigFile(db: Database, path: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the program config ${path}: ${(error as Error).message}`);
  }
  return applyProgramConfig(db, parseProgramConfig(raw));
}

/**
 * Starts the service, logging to stdout (a test that starts it in its own process turns that off);
 * returns it listening, with the database it owns.
 */
export async function startService(
  settings: Settings,
  { logger = true }: { logger?: boolean } = {},
): Promise<{ app: FastifyInstance; db: Database; url: string }> {
  const db = await openStore(settings);
  const app = await buildApp({
    db,
    mailer: settings.SMTP_URL ? smtpMailer(settings.SMTP_URL) : null,
    logger,
  });
  app.addHook("onClose", () => db.close());
  const address = await app.listen({ port: settings.PORT, host: settings.HOST });
  return { app, db, url: address };
}

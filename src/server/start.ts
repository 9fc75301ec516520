import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { type Database, openDatabase } from "./db/database";
import { migrate } from "./db/migrate";
import { smtpMailer } from "./outbox";
import { applyProgramConfig, parseProgramConfig } from "./programs";
import type { Settings } from "./settings";

/** Opens the database (PostgreSQL or PGlite), migrates it, and applies IMPORTER_CONFIG when set. */
export async function openStore(settings: Settings): Promise<Database> {
  const db = await openDatabase(
    settings.DATABASE_URL ? { url: settings.DATABASE_URL } : { dataDir: settings.IMPORTER_DATA_DIR },
  );
  await migrate(db);
  if (settings.IMPORTER_CONFIG) await applyConfigFile(db, settings.IMPORTER_CONFIG);
  return db;
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

/** Starts the service; returns it listening, with the database it owns. */
export async function startService(
  settings: Settings,
): Promise<{ app: FastifyInstance; db: Database; url: string }> {
  const db = await openStore(settings);
  const app = await buildApp({ db, mailer: settings.SMTP_URL ? smtpMailer(settings.SMTP_URL) : null });
  app.addHook("onClose", () => db.close());
  const address = await app.listen({ port: settings.PORT, host: settings.HOST });
  return { app, db, url: address };
}

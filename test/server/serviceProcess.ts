import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceProcess, spawnService } from "../../src/emulator/serviceProcess";
import { type Database, openDatabase, quoteIdent } from "../../src/server/db/database";

export type { ServiceProcess };

import { acmeConfig, type Engine, globexConfig } from "./harness";

/**
 * Where the services of one test keep their data: a PGlite folder in a temp directory, or a schema
 * of its own on the PostgreSQL server at DATABASE_URL. Both outlive the processes, so a restarted
 * service finds what the killed one left.
 */
export interface ServiceStore {
  engine: Engine;
  env(name?: string): Record<string, string>;
  /** Opens the store from the test, to check what was stored (PGlite: only while no service runs). */
  open(): Promise<Database>;
  remove(): Promise<void>;
}

export async function serviceStore(engine: Engine): Promise<ServiceStore> {
  const dir = mkdtempSync(join(tmpdir(), "importer-durable-"));
  const config = join(dir, "program.json");
  writeFileSync(config, JSON.stringify({ ...acmeConfig }));
  const globex = join(dir, "globex.json");
  writeFileSync(globex, JSON.stringify(globexConfig));
  if (engine === "pglite") {
    const data = join(dir, "data");
    return {
      engine,
      env: () => ({ IMPORTER_DATA_DIR: data, IMPORTER_CONFIG: config }),
      open: () => openDatabase({ dataDir: data }),
      async remove() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.DATABASE_URL as string;
  const schema = await postgresSchema("t");
  return {
    engine,
    env(name = "importer") {
      const url = new URL(schema.url);
      url.searchParams.set("application_name", name);
      return { DATABASE_URL: url.toString(), IMPORTER_CONFIG: config };
    },
    open: () => openDatabase({ url: base, schema: schema.name }),
    async remove() {
      await schema.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh schema (`prefix_…`) on the PostgreSQL server at DATABASE_URL, the address that works in it,
 * and a way to drop it with pg-boss's schema beside it.
 */
export async function postgresSchema(
  prefix: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("The PostgreSQL suites need DATABASE_URL");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await (await openDatabase({ url: base, schema: name })).close(); // creates the schema
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    async drop() {
      const db = await openDatabase({ url: base });
      try {
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${name}_pgboss`)} CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/** Starts `npm run server`'s entry on a free port, with none of this process's settings but `env`. */
export function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  return spawnService(env, { inherit: false, timeoutMs: 120_000 });
}

/** Ends a service process, however it is doing, and waits for it to be gone. */
export async function killService(service: ServiceProcess, signal: NodeJS.Signals = "SIGKILL") {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill(signal);
  return service.exited;
}

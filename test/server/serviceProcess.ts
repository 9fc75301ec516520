import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase, quoteIdent } from "../../src/server/db/database";
import { acmeConfig, type Engine, globexConfig } from "./harness";

const ROOT = join(__dirname, "..", "..");

/** A service running as `npm run server` does, in a process of its own that a test may kill. */
export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exited: Promise<number | null>;
  output(): string;
}

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
  const schema = `t_${randomBytes(6).toString("hex")}`;
  await (await openDatabase({ url: base, schema })).close(); // creates the schema
  return {
    engine,
    env(name = "importer") {
      const url = new URL(base);
      url.searchParams.set("options", `-c search_path=${schema}`);
      url.searchParams.set("application_name", name);
      return { DATABASE_URL: url.toString(), IMPORTER_CONFIG: config };
    },
    open: () => openDatabase({ url: base, schema }),
    async remove() {
      const db = await openDatabase({ url: base });
      try {
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_pgboss`)} CASCADE`);
      } finally {
        await db.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `npm run server`'s entry (src/server/main.ts) on a free port; resolves once it listens. */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  // tsx as a loader in the one process (its CLI would run the service in a child of its own, which
  // a kill -9 of the CLI would leave running).
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /service on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on("data", check);
    exited.then((code) => reject(new Error(`The service exited (${code}) before listening:\n${output}`)));
  });
  return { url, child, exited, output: () => output };
}

/** Ends a service process, however it is doing, and waits for it to be gone. */
export async function killService(service: ServiceProcess, signal: NodeJS.Signals = "SIGKILL") {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill(signal);
  return service.exited;
}

import { randomBytes } from "node:crypto";
import type { FastifyInstance, InjectOptions } from "fastify";
import { programConfigSchema } from "../../src/core/program";
import { type AppOptions, buildApp } from "../../src/server/app";
import { type Database, openDatabase, type Queryable, quoteIdent } from "../../src/server/db/database";
import { migrate } from "../../src/server/db/migrate";
import type { Mail, Mailer } from "../../src/server/outbox";
import { applyProgramConfig } from "../../src/server/programs";
import { acmeProgram } from "../fixtures/program";

export const KEYS = {
  admin: "acme-admin-key-0001",
  technical: "acme-technical-key-0001",
  importer: "acme-importer-key-0001",
  teammate: "acme-teammate-key-0001",
  partner: "acme-partner-key-0001",
  other: "globex-admin-key-0001",
} as const;

/** The fixture program with one user of each kind, and a second program to prove they stay apart. */
export const acmeConfig = programConfigSchema.parse({
  ...acmeProgram,
  users: [
    { email: "admin@acme.test", role: "admin", api_key: KEYS.admin },
    { email: "tech@acme.test", role: "technical", api_key: KEYS.technical },
    { email: "ops@acme.test", role: "custom", permissions: ["importer"], api_key: KEYS.importer },
    { email: "sam@acme.test", role: "custom", permissions: ["reports"], api_key: KEYS.teammate },
    { email: "pat@agency.test", role: "partner", partner_key: "agency", api_key: KEYS.partner },
  ],
});
export const globexConfig = programConfigSchema.parse({
  program: { key: "globex", name: "Globex Partners", currency: "EUR" },
  users: [{ email: "admin@globex.test", role: "admin", api_key: KEYS.other }],
});

export type Engine = "pglite" | "postgres";

/** The engines a suite runs on: PGlite always; PostgreSQL when DATABASE_URL is set (always, in CI). */
export function engines(): Engine[] {
  if (process.env.CI === "true" && !process.env.DATABASE_URL)
    throw new Error("CI=true but DATABASE_URL is not set: the PostgreSQL suites would be skipped");
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestService {
  app: FastifyInstance;
  db: Database;
  mail: Mail[];
  call(
    method: InjectOptions["method"],
    url: string,
    options?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A service on a fresh database (PGlite in memory, or a schema of its own on PostgreSQL), configured.
 * Its rate limits and timeout are off unless `limits` are given, and it logs nothing unless told.
 */
export async function startTestService(
  engine: Engine,
  { limits = false, logger = false }: Pick<AppOptions, "limits" | "logger"> = {},
): Promise<TestService> {
  const schema = engine === "postgres" ? `t_${randomBytes(6).toString("hex")}` : undefined;
  const db = await openDatabase(
    engine === "postgres" ? { url: process.env.DATABASE_URL as string, schema } : { dataDir: "memory" },
  );
  await migrate(db);
  await applyProgramConfig(db, acmeConfig);
  await applyProgramConfig(db, globexConfig);
  const mail: Mail[] = [];
  const mailer: Mailer = { send: async (m) => void mail.push(m) };
  const app = await buildApp({ db, mailer, limits, logger });
  return {
    app,
    db,
    mail,
    async call(method, url, options = {}) {
      const key = options.key === undefined ? KEYS.admin : options.key;
      const headers: Record<string, string> = {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...options.headers,
      };
      const body = options.body;
      const response = await app.inject({
        method,
        url,
        headers,
        ...(body === undefined
          ? {}
          : typeof body === "string"
            ? { payload: body }
            : { payload: body as object }),
      });
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(response.body);
      } catch {}
      return { status: response.statusCode, body: parsed, text: response.body, headers: response.headers };
    },
    async close() {
      await app.close();
      // The job queue keeps a schema of its own beside the service's (worker.ts bossSchema).
      if (schema)
        for (const name of [schema, `${schema}_pgboss`])
          await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
      await db.close();
    },
  };
}

/** Starts an import and sends its rows in chunks; returns the import id and every chunk's response. */
export async function importRows(
  s: TestService,
  object: string,
  headers: unknown[],
  rows: unknown[][],
  options: Record<string, unknown> = {},
  chunkSize = 500,
) {
  const started = await s.call("POST", "/v1/imports", {
    body: { object, options, headers, total_rows: rows.length },
  });
  if (started.status !== 201)
    return { started, id: null as string | null, results: [] as any[], completed: null as any };
  const id = started.body.id as string;
  const results: any[] = [];
  for (let seq = 0; seq * chunkSize < rows.length; seq++) {
    const chunk = rows
      .slice(seq * chunkSize, (seq + 1) * chunkSize)
      .map((cells, i) => ({ row: seq * chunkSize + i + 2, cells }));
    const r = await s.call("PUT", `/v1/imports/${id}/chunks/${seq}`, { body: { rows: chunk } });
    if (r.status !== 200) throw new Error(`chunk ${seq}: ${r.status} ${r.text}`);
    results.push(...r.body.results);
  }
  const completed = await s.call("POST", `/v1/imports/${id}/complete`);
  return { started, id, results, completed };
}

/**
 * Uploads a CSV as multipart, as `curl -F file=@data.csv` does; with form fields (`-F name=value`)
 * before the file, as curl sends them when they come first on its command line, or after it.
 */
export function multipart(
  csv: string,
  filename = "data.csv",
  { before = [], after = [] }: { before?: [string, string][]; after?: [string, string][] } = {},
) {
  const boundary = `----ci${randomBytes(8).toString("hex")}`;
  const field = ([name, value]: [string, string]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = `${before.map(field).join("")}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n${after.map(field).join("")}--${boundary}--\r\n`;
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** Counts every statement run through the service's database, in or out of a transaction, from now on. */
export function countStatements(s: TestService): { statements: string[]; stop(): void } {
  const db = s.db;
  const { query, transaction } = db;
  const statements: string[] = [];
  const counted = (q: Queryable["query"]) =>
    ((sql: string, params?: readonly unknown[]) => {
      statements.push(sql);
      return q(sql, params);
    }) as Queryable["query"];
  db.query = counted(query.bind(db));
  db.transaction = <T>(work: (tx: Queryable) => Promise<T>) =>
    transaction.call(db, (tx) => work({ query: counted(tx.query.bind(tx)) })) as Promise<T>;
  return {
    statements,
    stop() {
      db.query = query;
      db.transaction = transaction;
    },
  };
}

import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { type ProgramConfig, programConfigSchema } from "../src/core/program";
import { buildApp } from "../src/server/app";
import { type Database, openDatabase, type Queryable, quoteIdent } from "../src/server/db/database";
import { migrate } from "../src/server/db/migrate";
import { applyProgramConfig } from "../src/server/programs";
import { type Figure, measureOnce } from "./measure";
import { type BenchSheet, sheetOf } from "./rows";
import { benchUpload } from "./upload";

const ROWS = 100_000;
const CUSTOMERS = 50_000;
const CHUNK_SIZES = [500, 2000] as const;
const BASELINE_BATCH = 500;

type Engine = "pglite" | "postgres";
const COUNTS = ["rows", "created", "updated", "skipped"] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

const n = (x: number) => x.toLocaleString("en-US");
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

/** A program of our own for the bench: one group, no required partner fields, one admin with a key. */
function benchConfig(key: string): ProgramConfig {
  return programConfigSchema.parse({
    program: { key, name: `Bench ${key}`, currency: "USD" },
    groups: [{ key: "default", name: "Default", default: true }],
    tiers: [{ key: "gold", name: "Gold" }],
    partner_fields: [{ key: "region", type: "text", required: false }],
    currency_rates: { as_of: "2026-11-01", usd_per_unit: { CAD: 0.72, EUR: 1.08 } },
    users: [{ email: "admin@bench.test", role: "admin", api_key: apiKey(key) }],
  });
}
const apiKey = (program: string) => `bench-${program}-admin-key-0001`;

/**
 * `npm run bench -- server`: 100,000 partners, then 100,000 transactions (for 50,000 customers made
 * beforehand with one INSERT … SELECT), imported through the chunk API of the real service (built
 * in-process, called with `app.inject`), in chunks of 500 and of 2,000 rows. Beside each: a plain
 * multi-row INSERT of the same rows, 500 a statement, on the same engine, into a program of its own.
 * On PGlite in memory, and on PostgreSQL too when DATABASE_URL is set (in a schema dropped afterwards).
 * Then, on each engine, the CSV upload path (bench/upload.ts): rows/s and the service's peak memory.
 */
export async function benchServer(): Promise<Figure[]> {
  const engines: Engine[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const partners = sheetOf("partners", ROWS, ROWS + 1);
  const transactions = sheetOf("transactions", ROWS, ROWS + 1);
  const figures: Figure[] = [];
  for (const engine of engines) {
    const ours = await benchEngine(engine, partners, transactions);
    figures.push(...ours);
    // The CSV upload path beside the chunk API's partners in chunks of 2,000, measured just before.
    const chunkApi = ours.find((f) => f.name.includes("partners") && f.name.endsWith("chunks of 2,000"));
    figures.push(...(await benchUpload(engine, chunkApi?.value ?? Number.NaN)));
  }
  return figures;
}

async function benchEngine(
  engine: Engine,
  partners: BenchSheet,
  transactions: BenchSheet,
): Promise<Figure[]> {
  const schema = engine === "postgres" ? `bench_${randomBytes(6).toString("hex")}` : undefined;
  const db = await openDatabase(
    engine === "postgres" ? { url: process.env.DATABASE_URL as string, schema } : { dataDir: "memory" },
  );
  const clock = new SqlClock();
  const figures: Figure[] = [];
  let app: FastifyInstance | null = null;
  try {
    await migrate(db);
    // Each run, ours or the baseline's, has a program of its own, so none meets another's keys.
    const programs = new Map<string, number>();
    for (const size of CHUNK_SIZES)
      for (const key of [`api-${size}`, `baseline-${size}`])
        programs.set(key, (await applyProgramConfig(db, benchConfig(key))).programId);
    const programOf = (key: string) => programs.get(key) as number;
    app = await buildApp({ db: clock.wrap(db) });
    const service = app;
    // The service answers a failure with a generic 500; keep the cause for the bench's error message.
    service.addHook("onError", async (_request, _reply, error) => {
      lastError = error;
    });

    // The baseline right before each run of ours, so both see the machine and the tables alike.
    const measureObject = async (object: "partners" | "transactions", sheet: BenchSheet, size: number) => {
      const into = programOf(`baseline-${size}`);
      const baseline =
        object === "partners"
          ? await baselinePartners(db, into, sheet)
          : await baselineTransactions(db, into, sheet);
      clock.reset();
      const run = await importThroughApi(service, apiKey(`api-${size}`), object, sheet, size);
      const sql = clock.total();
      const stored = await countRows(db, object, programOf(`api-${size}`));
      progress(
        `${engine}: ${object}, chunks of ${n(size)}: ${run.seconds.toFixed(1)} s (SQL ${sql.toFixed(1)} s), ` +
          `baseline ${baseline.toFixed(1)} s; the service's costliest statements:\n    ${clock.top(3)}`,
      );
      figures.push({
        name: `server (${engine}): import ${n(ROWS)} ${object} (${sheet.headers.length} columns), chunks of ${n(size)}`,
        unit: "rows/s",
        value: ROWS / run.seconds,
        baseline: ROWS / baseline,
        baselineName: `multi-row INSERT, ${BASELINE_BATCH} rows a statement`,
        higherIsBetter: true,
        note:
          `${run.seconds.toFixed(1)} s (${Math.round((100 * sql) / run.seconds)}% in SQL) vs ${baseline.toFixed(1)} s; ` +
          `${run.chunks} chunks; created ${n(run.counts.created)}, updated ${n(run.counts.updated)}, ` +
          `skipped ${n(run.counts.skipped)}; ${n(stored)} ${object} stored` +
          (run.firstSkip ? `; first skip: ${run.firstSkip}` : ""),
      });
    };

    for (const size of CHUNK_SIZES) await measureObject("partners", partners, size);

    // Customers for the transactions: set-up, not timed.
    for (const programId of programs.values()) await makeCustomers(db, programId);
    const probe = await probeApplier(service, apiKey(`api-${CHUNK_SIZES[0]}`), "transactions", transactions);
    if (probe) {
      progress(`${engine}: transactions not measured: the applier answers "${probe}"`);
      return figures;
    }
    for (const size of CHUNK_SIZES) await measureObject("transactions", transactions, size);
    return figures;
  } finally {
    await app?.close();
    if (schema) await db.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    await db.close();
  }
}

interface ApiRun {
  seconds: number;
  chunks: number;
  counts: Counts;
  /** The first message of a skipped row, if any: what went wrong, at a glance. */
  firstSkip: string | null;
}

/** What the bench reads of the service's answers. */
interface ImportAnswer {
  id: string;
  counts: Counts;
}
interface ChunkAnswer {
  counts: Counts;
  results: { row: number; outcome: "created" | "updated" | "skipped"; issues: { message: string }[] }[];
}

let lastError: Error | null = null;

async function call<T>(
  app: FastifyInstance,
  key: string,
  method: "POST" | "PUT",
  url: string,
  payload?: string,
): Promise<T> {
  const response = await app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(payload === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body.slice(0, 500)}`, {
      cause: response.statusCode >= 500 ? lastError : undefined,
    });
  return response.json() as T;
}

/** The chunk bodies, as the add-on sends them; made before the clock starts, as the client's work. */
function chunkBodies(sheet: BenchSheet, size: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < sheet.rows.length; start += size)
    bodies.push(
      JSON.stringify({
        rows: sheet.rows.slice(start, start + size).map((cells, i) => ({ row: start + i + 2, cells })),
      }),
    );
  return bodies;
}

/** Start, every chunk, complete: timed as one. */
async function importThroughApi(
  app: FastifyInstance,
  key: string,
  object: string,
  sheet: BenchSheet,
  size: number,
): Promise<ApiRun> {
  const bodies = chunkBodies(sheet, size);
  const counts: Counts = { rows: 0, created: 0, updated: 0, skipped: 0 };
  let firstSkip: string | null = null;
  let summary: Counts | null = null;
  const seconds = await measureOnce(async () => {
    const started = await call<ImportAnswer>(
      app,
      key,
      "POST",
      "/v1/imports",
      JSON.stringify({
        object,
        headers: sheet.headers,
        total_rows: sheet.rows.length,
        source: { kind: "api" },
      }),
    );
    for (let seq = 0; seq < bodies.length; seq++) {
      const chunk = await call<ChunkAnswer>(
        app,
        key,
        "PUT",
        `/v1/imports/${started.id}/chunks/${seq}`,
        bodies[seq],
      );
      for (const k of COUNTS) counts[k] += chunk.counts[k];
      if (!firstSkip) {
        const skip = chunk.results.find((r) => r.outcome === "skipped");
        if (skip) firstSkip = `row ${skip.row}: ${skip.issues[0]?.message ?? "(no message)"}`;
      }
    }
    summary = (await call<ImportAnswer>(app, key, "POST", `/v1/imports/${started.id}/complete`)).counts;
  });
  const stored = summary as Counts | null;
  if (!stored || COUNTS.some((k) => stored[k] !== counts[k]))
    throw new Error(
      `the import's counts ${JSON.stringify(summary)} differ from its chunks' ${JSON.stringify(counts)}`,
    );
  return { seconds, chunks: bodies.length, counts, firstSkip };
}

/** One row through a dry run: null when the object's applier works, else the message it skips rows with. */
async function probeApplier(
  app: FastifyInstance,
  key: string,
  object: string,
  sheet: BenchSheet,
): Promise<string | null> {
  const started = await call<ImportAnswer>(
    app,
    key,
    "POST",
    "/v1/imports",
    JSON.stringify({ object, options: { dry_run: true }, headers: sheet.headers, total_rows: 1 }),
  );
  const chunk = await call<ChunkAnswer>(
    app,
    key,
    "PUT",
    `/v1/imports/${started.id}/chunks/0`,
    JSON.stringify({ rows: [{ row: 2, cells: sheet.rows[0] }] }),
  );
  await call<ImportAnswer>(app, key, "POST", `/v1/imports/${started.id}/cancel`);
  const result = chunk.results[0];
  return result?.outcome === "created" ? null : (result?.issues[0]?.message ?? "no result");
}

async function countRows(db: Database, table: string, programId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${quoteIdent(table)} WHERE program_id = $1`,
    [programId],
  );
  return rows[0]?.n ?? 0;
}

async function makeCustomers(db: Database, programId: number): Promise<void> {
  await db.query(
    `INSERT INTO customers (program_id, key, email, name)
     SELECT $1, 'cus_' || i, 'customer' || i || '@example.com', 'Customer ' || i
     FROM generate_series(0, $2::int - 1) AS i`,
    [programId, CUSTOMERS],
  );
}

/**
 * Multi-row INSERTs of prepared values, `BASELINE_BATCH` rows a statement, each statement its own
 * transaction (as each chunk is): the database's own cost of storing the rows, timed alone.
 */
async function insertBatches(
  db: Database,
  table: string,
  columns: readonly string[],
  values: readonly unknown[][],
): Promise<number> {
  const statements: { sql: string; params: unknown[] }[] = [];
  for (let start = 0; start < values.length; start += BASELINE_BATCH) {
    const batch = values.slice(start, start + BASELINE_BATCH);
    const tuples = batch.map(
      (_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
    );
    statements.push({
      sql: `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`,
      params: batch.flat(),
    });
  }
  return measureOnce(async () => {
    for (const s of statements) await db.query(s.sql, s.params);
  });
}

async function baselinePartners(db: Database, programId: number, sheet: BenchSheet): Promise<number> {
  const at = (h: string) => sheet.headers.indexOf(h);
  const [email, key, first, last, joined, tags, city, postal] = [
    "partner_email",
    "partner_key",
    "first_name",
    "last_name",
    "partner_joined_date",
    "tags",
    "shipping_address_city",
    "shipping_address_postal",
  ].map(at) as number[];
  const text = (v: unknown) => (v === "" || v === undefined ? null : String(v));
  const values = sheet.rows.map((r) => [
    programId,
    r[key as number],
    r[email as number],
    text(r[first as number]),
    text(r[last as number]),
    text(r[joined as number]),
    String(r[tags as number])
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    text(r[city as number]),
    text(r[postal as number]),
  ]);
  return insertBatches(
    db,
    "partners",
    [
      "program_id",
      "key",
      "email",
      "first_name",
      "last_name",
      "joined_date",
      "tags",
      "shipping_address_city",
      "shipping_address_postal",
    ],
    values,
  );
}

async function baselineTransactions(db: Database, programId: number, sheet: BenchSheet): Promise<number> {
  // The customers' ids are looked up before the clock starts: the baseline stores rows, nothing more.
  const { rows: customers } = await db.query<{ id: number; key: string }>(
    "SELECT id, key FROM customers WHERE program_id = $1",
    [programId],
  );
  const idOf = new Map(customers.map((c) => [c.key, c.id]));
  const at = (h: string) => sheet.headers.indexOf(h);
  const [customer, amount, currency, key, created, agreement] = [
    "customer_key",
    "amount",
    "currency",
    "key",
    "created_at",
    "metadata.agreement",
  ].map(at) as number[];
  const values = sheet.rows.map((r) => {
    const id = idOf.get(String(r[customer as number]));
    if (id === undefined) throw new Error(`no customer ${String(r[customer as number])} for the baseline`);
    return [
      programId,
      r[key as number],
      id,
      Number(r[amount as number]),
      r[currency as number] || "USD",
      r[created as number],
      JSON.stringify({ agreement: r[agreement as number] }),
    ];
  });
  return insertBatches(
    db,
    "transactions",
    ["program_id", "key", "customer_id", "amount", "currency", "happened_on", "metadata"],
    values,
  );
}

/** Adds up the time the service's SQL statements take, by statement: where an import's time goes. */
class SqlClock {
  private readonly spent = new Map<string, { calls: number; seconds: number }>();

  wrap(db: Database): Database {
    const timed =
      (q: Queryable): Queryable["query"] =>
      async (sql, params) => {
        const start = process.hrtime.bigint();
        try {
          return await q.query(sql, params);
        } finally {
          const name = sql.replace(/\s+/g, " ").trim().slice(0, 70);
          const entry = this.spent.get(name) ?? { calls: 0, seconds: 0 };
          entry.calls++;
          entry.seconds += Number(process.hrtime.bigint() - start) / 1e9;
          this.spent.set(name, entry);
        }
      };
    return {
      kind: db.kind,
      query: timed(db),
      transaction: (work) => db.transaction((tx) => work({ query: timed(tx) })),
      exec: (sql) => db.exec(sql),
      executeSql: (sql, values) => db.executeSql(sql, values),
      reserve: () => db.reserve(),
      close: () => db.close(),
    };
  }

  reset(): void {
    this.spent.clear();
  }

  total(): number {
    let seconds = 0;
    for (const e of this.spent.values()) seconds += e.seconds;
    return seconds;
  }

  top(count: number): string {
    return [...this.spent.entries()]
      .sort((a, b) => b[1].seconds - a[1].seconds)
      .slice(0, count)
      .map(([sql, e]) => `${e.seconds.toFixed(1)} s in ${n(e.calls)} × ${sql}…`)
      .join("\n    ");
  }
}

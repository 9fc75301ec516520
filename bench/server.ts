import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PGlite } from "@electric-sql/pglite";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type ProgramConfig, programConfigSchema } from "../src/core/program";
import { buildApp } from "../src/server/app";
import {
  createPglite,
  type Database,
  openDatabase,
  type Queryable,
  quoteIdent,
  wrapPglite,
} from "../src/server/db/database";
import { migrate } from "../src/server/db/migrate";
import { applyProgramConfig } from "../src/server/programs";
import type { Figure } from "./measure";
import { type BenchSheet, sheetOf } from "./rows";
import { benchUpload } from "./upload";

/** Rows each path takes, for each object. */
const ROWS = 100_000;
const CUSTOMERS = 50_000;
/** As the add-on sends them: chunks of 1,000 rows, several chunks a request. */
const CHUNK_ROWS = 1000;
const CHUNKS_PER_REQUEST = 5;
/** Rows of the concurrency runs, in all, split between the imports. */
const CONCURRENT_ROWS = 40_000;
const CONCURRENCY = [1, 4, 8] as const;
/** Partners stored before the chunks timed "at a million". */
const STORED = 1_000_000;
/** Chunks timed one at a time, on the empty table and at a million. */
const TIMED_CHUNKS = 20;

type Engine = "pglite" | "postgres";
type BenchObject = "partners" | "transactions";
const ENGINE_NAME: Record<Engine, string> = { pglite: "PGlite", postgres: "PostgreSQL" };
const COUNTS = ["rows", "created", "updated", "skipped"] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

const n = (x: number) => x.toLocaleString("en-US");
const progress = (line: string) => process.stderr.write(`  ${line}\n`);
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A program of our own for each run: one group, a custom partner field, one admin with a key. */
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
 * `npm run bench -- server`, on PGlite (in a temp folder, as `npm start` keeps it) and, when DATABASE_URL
 * is set, on PostgreSQL (in a schema dropped afterwards). On each engine, in one run:
 * - 100,000 partners, then 100,000 transactions (for 50,000 customers made beforehand), through the
 *   chunk API of the real service listening on a port, sent over HTTP as the add-on sends them
 *   (chunks of 1,000 rows, 5 a request, one request after another, answers holding the rows with
 *   issues only); beside each, the same rows by `COPY` into the same table (the ceiling: the
 *   database's own cost of storing them).
 * - 1, 4 and 8 imports at once (40,000 partners in all; each level run twice, 1, 4, 8, 8, 4, 1):
 *   total rows/s, and the sessions seen waiting on a lock, on ANALYZE above all.
 * - The time of one chunk of 1,000 partners on an empty table, and with a million partners stored.
 * - The CSV upload path (bench/upload.ts), against the same COPY.
 * The service here runs in the bench's process, so the client's work (sending, reading answers)
 * counts against it: a conservative figure.
 */
export async function benchServer(): Promise<Figure[]> {
  const engines: Engine[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const sheets: Record<BenchObject, BenchSheet> = {
    partners: sheetOf("partners", ROWS, ROWS + 1),
    transactions: sheetOf("transactions", ROWS, ROWS + 1),
  };
  const figures: Figure[] = [];
  for (const engine of engines) {
    const { figures: ours, copy } = await benchEngine(engine, sheets);
    figures.push(...ours);
    figures.push(...(await benchUpload(engine, copy)));
  }
  return figures;
}

/** The engine's database, with a way to COPY into it beside the service's own connections. */
interface Bench {
  db: Database;
  copy(sql: string, csv: string): Promise<void>;
  /** Samples of sessions waiting on a lock: [all waits, waits where ANALYZE takes part]. */
  lockWaits(): Promise<[number, number]>;
  close(): Promise<void>;
}

async function openBench(engine: Engine): Promise<Bench> {
  if (engine === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "importer-bench-"));
    const raw: PGlite = await createPglite(join(dir, "data"));
    return {
      db: wrapPglite(raw),
      async copy(sql, csv) {
        await raw.query(`${sql} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
      },
      // One session: nothing waits on a lock.
      lockWaits: async () => [0, 0],
      async close() {
        await raw.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.DATABASE_URL as string;
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const db = await openDatabase({ url, schema });
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  return {
    db,
    async copy(sql, csv) {
      await pipeline(Readable.from([csv]), client.query(copyFrom(`${sql} FROM STDIN WITH (FORMAT csv)`)));
    },
    async lockWaits() {
      const { rows } = await client.query<{ all: number; analyse: number }>(
        `SELECT count(*)::int AS all,
           count(*) FILTER (WHERE w.query ILIKE '%analy%' OR b.query ILIKE '%analy%')::int AS analyse
         FROM pg_stat_activity w
         CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid)
         JOIN pg_stat_activity b ON b.pid = bp.pid
         WHERE w.wait_event_type = 'Lock' AND w.datname = current_database()`,
      );
      return [rows[0]?.all ?? 0, rows[0]?.analyse ?? 0];
    },
    async close() {
      await client.end();
      // The service's job queue keeps a schema of its own beside ours.
      for (const name of [schema, `${schema}_pgboss`])
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
      await db.close();
    },
  };
}

async function benchEngine(
  engine: Engine,
  sheets: Record<BenchObject, BenchSheet>,
): Promise<{ figures: Figure[]; copy: Record<BenchObject, number> }> {
  const name = ENGINE_NAME[engine];
  const bench = await openBench(engine);
  const { db } = bench;
  const figures: Figure[] = [];
  let app: FastifyInstance | null = null;
  try {
    await migrate(db);
    const programs = new Map<string, number>();
    const program = async (key: string) => {
      const id = programs.get(key) ?? (await applyProgramConfig(db, benchConfig(key))).programId;
      programs.set(key, id);
      return id;
    };
    // The rate limits are off: this measures how fast the service stores rows, not how fast it lets one
    // client send them.
    const clock = new SqlClock();
    app = await buildApp({ db: clock.wrap(db), limits: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const client = (key: string) => new Client(base, apiKey(key));

    // One chunk at a time on the empty table (before anything else is stored), after a dry run of the
    // same size has warmed the service up (a dry run stores nothing).
    await program("empty");
    await timeChunks(client("empty"), "warm-up", true);
    const empty = await timeChunks(client("empty"), "empty");

    // Partners: COPY, then the chunk API, each into a program of its own.
    const copyPartners = await copyRows(bench, "partners", await program("copy-partners"), sheets.partners);
    await program("api-partners");
    clock.reset();
    const partners = await importOverHttp(client("api-partners"), "partners", sheets.partners);
    figures.push(pathFigure(name, "partners", sheets.partners, partners, copyPartners, clock));

    // Transactions, for customers made beforehand (set-up, not timed).
    for (const key of ["copy-transactions", "api-transactions"]) await makeCustomers(db, await program(key));
    const copyTransactions = await copyRows(
      bench,
      "transactions",
      await program("copy-transactions"),
      sheets.transactions,
    );
    clock.reset();
    const transactions = await importOverHttp(
      client("api-transactions"),
      "transactions",
      sheets.transactions,
    );
    figures.push(
      pathFigure(name, "transactions", sheets.transactions, transactions, copyTransactions, clock),
    );

    // Several imports at once, each of its own rows, into one program: each level twice, in the order
    // 1, 4, 8, 8, 4, 1, so that a machine getting busier or quieter over the runs does not favour one
    // level; a level's rate is its rows over its time in both runs.
    const concurrent: { imports: number; seconds: number; waits: [number, number]; samples: number }[] =
      CONCURRENCY.map((imports) => ({ imports, seconds: 0, waits: [0, 0], samples: 0 }));
    for (const [round, imports] of [...CONCURRENCY, ...[...CONCURRENCY].reverse()].entries()) {
      const key = `concurrent-${imports}-${round}`;
      await program(key);
      const share = CONCURRENT_ROWS / imports;
      const parts = Array.from({ length: imports }, (_, i) =>
        sheetOf("partners", share, share + 1, 100 + imports * 10 + i),
      );
      // Each import's rows are its own: partner keys and emails made unique to it.
      parts.forEach((part, i) => {
        for (const row of part.rows) {
          row[0] = `c${i}.${row[0]}`;
          row[1] = `c${i}.${row[1]}`;
        }
      });
      const sampler = sampleLockWaits(bench);
      const started = process.hrtime.bigint();
      const runs = await Promise.all(parts.map((part) => importOverHttp(client(key), "partners", part)));
      const run = seconds(started);
      const waits = await sampler.stop();
      const created = runs.reduce((sum, r) => sum + r.counts.created, 0);
      if (created !== CONCURRENT_ROWS)
        throw new Error(`${imports} imports at once created ${created} partners of ${CONCURRENT_ROWS}`);
      const level = concurrent.find((c) => c.imports === imports) as (typeof concurrent)[number];
      level.seconds += run;
      level.waits = [level.waits[0] + waits.totals[0], level.waits[1] + waits.totals[1]];
      level.samples += waits.samples;
      progress(
        `${name}: ${imports} imports at once: ${run.toFixed(1)} s; lock waits seen in ${waits.totals[0]} of ${waits.samples} samples, on ANALYZE in ${waits.totals[1]}`,
      );
    }
    const one = concurrent[0] as (typeof concurrent)[number];
    // Each level ran twice: its rows over its time in both runs.
    const rate = (c: (typeof concurrent)[number]) => (2 * CONCURRENT_ROWS) / c.seconds;
    for (const c of concurrent.slice(1))
      figures.push({
        name: `server (${name}): ${c.imports} imports of partners at once, ${n(CONCURRENT_ROWS / c.imports)} rows each, total`,
        unit: "rows/s",
        value: rate(c),
        baseline: rate(one),
        baselineName: `1 import of ${n(CONCURRENT_ROWS)} rows (each level run twice)`,
        higherIsBetter: true,
        note:
          engine === "pglite"
            ? "PGlite has one session: the imports take turns"
            : `sessions waiting on a lock in ${c.waits[0]} of ${c.samples} samples, waiting on ANALYZE in ${c.waits[1]} (1 import: ${one.waits[0]}, ${one.waits[1]})`,
      });

    // A million partners stored (in a program of their own), then one chunk at a time again.
    await fillPartners(db, await program("stored"), STORED);
    await program("full");
    const full = await timeChunks(client("full"), "full");
    figures.push({
      name: `server (${name}): one chunk of ${n(CHUNK_ROWS)} partners with ${n(STORED)} partners stored (median of ${TIMED_CHUNKS})`,
      unit: "ms",
      value: full.median * 1000,
      baseline: empty.median * 1000,
      baselineName: "the same on an empty table",
      higherIsBetter: false,
      note: `${(full.median / empty.median).toFixed(2)}× the empty table's time (goal: at most 1.5×); slowest ${(full.slowest * 1000).toFixed(0)} ms (empty: ${(empty.slowest * 1000).toFixed(0)} ms)`,
    });
    return { figures, copy: { partners: ROWS / copyPartners, transactions: ROWS / copyTransactions } };
  } finally {
    await app?.close();
    await bench.close();
  }
}

/** The line of one engine, object and path: rows/s, beside COPY's. */
function pathFigure(
  engine: string,
  object: BenchObject,
  sheet: BenchSheet,
  run: ApiRun,
  copy: number,
  clock: SqlClock,
): Figure {
  progress(
    `${engine}: ${object} over HTTP: ${run.seconds.toFixed(1)} s (SQL ${clock.total().toFixed(1)} s); COPY: ${copy.toFixed(1)} s; ` +
      `the service's costliest statements:\n    ${clock.top(5)}`,
  );
  return {
    name: `server (${engine}): ${n(ROWS)} ${object} (${sheet.headers.length} columns) through the chunk API over HTTP`,
    unit: "rows/s",
    value: ROWS / run.seconds,
    baseline: ROWS / copy,
    baselineName: "COPY of the same rows into the same table",
    higherIsBetter: true,
    note:
      `${run.seconds.toFixed(1)} s vs ${copy.toFixed(1)} s; ${run.requests} requests of ${CHUNKS_PER_REQUEST} chunks of ${n(CHUNK_ROWS)} rows; ` +
      `created ${n(run.counts.created)}, updated ${n(run.counts.updated)}, skipped ${n(run.counts.skipped)}` +
      (run.firstSkip ? `; first skip: ${run.firstSkip}` : ""),
  };
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

/** The service's API with one key, over HTTP (keep-alive). */
class Client {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  async call<T>(method: "POST" | "PUT", path: string, body?: string): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body,
    });
    const text = await response.text();
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }
}

interface ApiRun {
  seconds: number;
  requests: number;
  counts: Counts;
  /** The first message of a skipped row, if any: what went wrong, at a glance. */
  firstSkip: string | null;
}

/** The request bodies, as the add-on sends them; made before the clock starts, as the client's work. */
function requestBodies(sheet: BenchSheet): string[] {
  const bodies: string[] = [];
  const perRequest = CHUNK_ROWS * CHUNKS_PER_REQUEST;
  for (let start = 0; start < sheet.rows.length; start += perRequest) {
    const chunks = [];
    for (let at = start; at < Math.min(start + perRequest, sheet.rows.length); at += CHUNK_ROWS)
      chunks.push({
        seq: at / CHUNK_ROWS,
        rows: sheet.rows.slice(at, at + CHUNK_ROWS).map((cells, i) => ({ row: at + i + 2, cells })),
      });
    bodies.push(JSON.stringify({ chunks }));
  }
  return bodies;
}

/** Start, every request of chunks, complete: timed as one. */
async function importOverHttp(client: Client, object: BenchObject, sheet: BenchSheet): Promise<ApiRun> {
  const bodies = requestBodies(sheet);
  const counts: Counts = { rows: 0, created: 0, updated: 0, skipped: 0 };
  let firstSkip: string | null = null;
  const started = process.hrtime.bigint();
  const { id } = await client.call<ImportAnswer>(
    "POST",
    "/v1/imports",
    JSON.stringify({
      object,
      headers: sheet.headers,
      total_rows: sheet.rows.length,
      source: { kind: "api" },
    }),
  );
  for (const body of bodies) {
    // As the add-on asks: the rows with issues only (it reads the full report at the end).
    const answer = await client.call<{ chunks: ChunkAnswer[] }>(
      "POST",
      `/v1/imports/${id}/chunks?results=issues`,
      body,
    );
    for (const chunk of answer.chunks) {
      for (const k of COUNTS) counts[k] += chunk.counts[k];
      if (!firstSkip) {
        const skip = chunk.results.find((r) => r.outcome === "skipped");
        if (skip) firstSkip = `row ${skip.row}: ${skip.issues[0]?.message ?? "(no message)"}`;
      }
    }
  }
  const summary = (await client.call<ImportAnswer>("POST", `/v1/imports/${id}/complete`)).counts;
  const took = seconds(started);
  if (COUNTS.some((k) => summary[k] !== counts[k]))
    throw new Error(
      `the import's counts ${JSON.stringify(summary)} differ from its chunks' ${JSON.stringify(counts)}`,
    );
  return { seconds: took, requests: bodies.length, counts, firstSkip };
}

/** One import of TIMED_CHUNKS chunks of new partners, each chunk alone in its request and timed. */
async function timeChunks(
  client: Client,
  prefix: string,
  dryRun = false,
): Promise<{ median: number; slowest: number }> {
  const sheet = sheetOf("partners", TIMED_CHUNKS * CHUNK_ROWS, Number.MAX_SAFE_INTEGER, 99);
  for (const row of sheet.rows) {
    row[0] = `${prefix}.${row[0]}`;
    row[1] = `${prefix}.${row[1]}`;
  }
  const { id } = await client.call<ImportAnswer>(
    "POST",
    "/v1/imports",
    JSON.stringify({
      object: "partners",
      options: { dry_run: dryRun },
      headers: sheet.headers,
      total_rows: sheet.rows.length,
    }),
  );
  const times: number[] = [];
  for (let seq = 0; seq < TIMED_CHUNKS; seq++) {
    const at = seq * CHUNK_ROWS;
    const body = JSON.stringify({
      rows: sheet.rows.slice(at, at + CHUNK_ROWS).map((cells, i) => ({ row: at + i + 2, cells })),
    });
    const started = process.hrtime.bigint();
    const chunk = await client.call<ChunkAnswer>("PUT", `/v1/imports/${id}/chunks/${seq}`, body);
    times.push(seconds(started));
    if (chunk.counts.created !== CHUNK_ROWS)
      throw new Error(`chunk ${seq} created ${chunk.counts.created} partners of ${CHUNK_ROWS}`);
  }
  await client.call("POST", `/v1/imports/${id}/complete`);
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] as number, slowest: times.at(-1) as number };
}

/** Samples lock waits every 25 ms until stopped. */
function sampleLockWaits(bench: Bench) {
  let stopped = false;
  const totals: [number, number] = [0, 0];
  let samples = 0;
  const sampling = (async () => {
    while (!stopped) {
      const [all, analyse] = await bench.lockWaits();
      samples++;
      if (all) totals[0]++;
      if (analyse) totals[1]++;
      await sleep(25);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await sampling;
      return { totals, samples };
    },
  };
}

/** A CSV field as COPY reads it. */
const csvField = (v: unknown) => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) || s === "" ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Seconds a COPY of the sheet's rows into the object's table takes: the values as the service stores
 * them, prepared beforehand (the customers' ids looked up before the clock starts).
 */
async function copyRows(
  bench: Bench,
  object: BenchObject,
  programId: number,
  sheet: BenchSheet,
): Promise<number> {
  const at = (h: string) => sheet.headers.indexOf(h);
  const text = (v: unknown) => (v === "" || v === undefined ? null : String(v));
  let columns: string[];
  let values: unknown[][];
  if (object === "partners") {
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
    columns = [
      "program_id",
      "key",
      "email",
      "first_name",
      "last_name",
      "joined_date",
      "group_key",
      "tags",
      "shipping_address_city",
      "shipping_address_postal",
    ];
    values = sheet.rows.map((r) => [
      programId,
      r[key as number],
      r[email as number],
      text(r[first as number]),
      text(r[last as number]),
      text(r[joined as number]),
      "default",
      `{${String(r[tags as number])
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
        .join(",")}}`,
      text(r[city as number]),
      text(r[postal as number]),
    ]);
  } else {
    const { rows: customers } = await bench.db.query<{ id: number; key: string }>(
      "SELECT id, key FROM customers WHERE program_id = $1",
      [programId],
    );
    const idOf = new Map(customers.map((c) => [c.key, c.id]));
    const [customer, amount, currency, key, created, agreement] = [
      "customer_key",
      "amount",
      "currency",
      "key",
      "created_at",
      "metadata.agreement",
    ].map(at) as number[];
    columns = ["program_id", "key", "customer_id", "amount", "currency", "happened_on", "metadata"];
    values = sheet.rows.map((r) => {
      const id = idOf.get(String(r[customer as number]));
      if (id === undefined) throw new Error(`no customer ${String(r[customer as number])} for the COPY`);
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
  }
  const csv = values.map((row) => row.map(csvField).join(",")).join("\n");
  const started = process.hrtime.bigint();
  await bench.copy(`COPY ${object} (${columns.join(", ")})`, csv);
  return seconds(started);
}

async function makeCustomers(db: Database, programId: number): Promise<void> {
  await db.query(
    `INSERT INTO customers (program_id, key, email, name)
     SELECT $1, 'cus_' || i, 'customer' || i || '@example.com', 'Customer ' || i
     FROM generate_series(0, $2::int - 1) AS i`,
    [programId, CUSTOMERS],
  );
}

/** Partners stored until the table holds `total`, in batches (set-up, not timed). */
async function fillPartners(db: Database, programId: number, total: number): Promise<void> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM partners");
  const missing = total - (rows[0]?.n ?? 0);
  const started = process.hrtime.bigint();
  for (let from = 0; from < missing; from += 100_000)
    await db.query(
      `INSERT INTO partners (program_id, key, email, first_name, group_key)
       SELECT $1, 'stored-' || i, 'stored' || i || '@example.com', 'Stored', 'default'
       FROM generate_series($2::int, $3::int - 1) AS i`,
      [programId, from, Math.min(from + 100_000, missing)],
    );
  progress(`${n(Math.max(missing, 0))} partners stored in ${seconds(started).toFixed(1)} s (set-up)`);
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

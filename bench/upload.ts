import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnService } from "../src/emulator/serviceProcess";
import { openDatabase, quoteIdent } from "../src/server/db/database";
import type { Figure } from "./measure";
import { type BenchSheet, sheetOf } from "./rows";

const PARTNERS = 200_000;
const CUSTOMERS = 50_000;
const TRANSACTIONS = 100_000;
/** How often the health of the service is asked while an upload runs. */
const PROBE_MS = 100;
const KEY = "bench-upload-admin-key-0001";
const n = (x: number) => x.toLocaleString("en-US");
const progress = (line: string) => process.stderr.write(`  ${line}\n`);
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A CSV cell as a spreadsheet would write it. */
const cell = (v: unknown) => {
  const s = String(v ?? "");
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The service's resident memory now and at its peak (Linux's VmRSS and VmHWM), in MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Seconds one GET takes to be answered. */
async function timedGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = process.hrtime.bigint();
  const answer = await fetch(url, { headers });
  await answer.arrayBuffer();
  if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Asks for `url` one request after another, a pause between them, until stopped: the slowest answer,
 * and how many there were. A service that holds its event loop (health) or its only database session
 * (a read of the history) shows here as a slow answer.
 */
function probe(url: string, headers: Record<string, string> = {}) {
  let slowest = 0;
  let answers = 0;
  let stopped = false;
  const probing = (async () => {
    while (!stopped) {
      slowest = Math.max(slowest, await timedGet(url, headers));
      answers++;
      await sleep(PROBE_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await probing;
      return { slowest, answers };
    },
  };
}

/** The slowest of a few answers of the idle service. */
async function idleSlowest(url: string, headers: Record<string, string> = {}): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < 20; i++) slowest = Math.max(slowest, await timedGet(url, headers));
  return slowest;
}

/** A sheet as the CSV file a spreadsheet would write. */
const csvOf = (sheet: BenchSheet) =>
  `${[sheet.headers, ...sheet.rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;

/** POSTs a CSV file and waits until the worker has applied it: seconds to the 202, and to the end. */
async function upload(url: string, object: string, csv: string) {
  const started = process.hrtime.bigint();
  const answer = await fetch(`${url}/v1/import/${object}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "text/csv" },
    body: csv,
  });
  const body = (await answer.json()) as { id: string; status: string };
  if (answer.status !== 202) throw new Error(`upload: ${answer.status} ${JSON.stringify(body)}`);
  const staged = Number(process.hrtime.bigint() - started) / 1e9;
  let done: { status: string; counts: { rows: number; created: number; skipped: number } };
  for (;;) {
    const r = await fetch(`${url}/v1/imports/${body.id}`, { headers: { authorization: `Bearer ${KEY}` } });
    done = (await r.json()) as typeof done;
    if (done.status !== "processing") break;
    await sleep(100);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (done.status !== "completed") throw new Error(`the upload of ${object} ended ${done.status}`);
  return { staged, seconds, counts: done.counts };
}

/**
 * The CSV upload path, as a user meets it: the service in a process of its own (`npm run server`'s
 * entry, PGlite in a temp folder or a PostgreSQL schema of its own), files POSTed as text/csv, each
 * timed from the first byte sent until the worker has completed the import (polled): 200,000 partners,
 * then 100,000 transactions (for 50,000 customers uploaded before, untimed). Beside each: COPY of the
 * same rows into the same table, measured by the caller. Then the service's resident memory at its peak,
 * against its memory when idle after start; and the slowest `/v1/health` answer and history read while
 * the partners are read and applied, against the slowest of a few asked of the idle service.
 */
export async function benchUpload(
  engine: "pglite" | "postgres",
  copyRowsPerSecond: { partners: number; transactions: number },
) {
  const name = engine === "pglite" ? "PGlite" : "PostgreSQL";
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), "importer-bench-"));
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const config = join(dir, "program.json");
  writeFileSync(
    config,
    JSON.stringify({
      program: { key: "upload", name: "Bench upload", currency: "USD" },
      groups: [{ key: "default", name: "Default", default: true }],
      users: [{ email: "admin@bench.test", role: "admin", api_key: KEY }],
    }),
  );
  let env: Record<string, string> = { IMPORTER_DATA_DIR: join(dir, "data"), IMPORTER_CONFIG: config };
  if (engine === "postgres") {
    const base = process.env.DATABASE_URL as string;
    await (await openDatabase({ url: base, schema })).close();
    const url = new URL(base);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env = { DATABASE_URL: url.toString(), IMPORTER_CONFIG: config };
  }
  const partners = csvOf(sheetOf("partners", PARTNERS, PARTNERS + 1));
  const service = await spawnService(env, { inherit: false, timeoutMs: 120_000 });
  try {
    const idle = memoryOf(service.child.pid as number);
    const history = [`${service.url}/v1/imports?limit=1`, { authorization: `Bearer ${KEY}` }] as const;
    const idleHealth = await idleSlowest(`${service.url}/v1/health`);
    const idleRead = await idleSlowest(...history);
    const health = probe(`${service.url}/v1/health`);
    const read = probe(...history);
    const done = await upload(service.url, "partners", partners);
    const memory = memoryOf(service.child.pid as number);
    const probed = await health.stop();
    const reads = await read.stop();
    progress(
      `${name}: CSV upload of ${n(PARTNERS)} partners: answered (staged) in ${done.staged.toFixed(1)} s, ` +
        `completed in ${done.seconds.toFixed(1)} s; peak RSS ${memory.peak.toFixed(0)} MB (idle ${idle.rss.toFixed(0)} MB); ` +
        `slowest health ${ms(probed.slowest)} of ${probed.answers} (idle ${ms(idleHealth)}), ` +
        `slowest read ${ms(reads.slowest)} of ${reads.answers} (idle ${ms(idleRead)})`,
    );
    figures.push(uploadFigure(name, "partners", PARTNERS, partners, done, copyRowsPerSecond.partners));

    await upload(service.url, "customers", csvOf(sheetOf("customers", CUSTOMERS, CUSTOMERS + 1)));
    const transactions = csvOf(sheetOf("transactions", TRANSACTIONS, TRANSACTIONS + 1));
    const applied = await upload(service.url, "transactions", transactions);
    progress(
      `${name}: CSV upload of ${n(TRANSACTIONS)} transactions: completed in ${applied.seconds.toFixed(1)} s`,
    );
    figures.push(
      uploadFigure(name, "transactions", TRANSACTIONS, transactions, applied, copyRowsPerSecond.transactions),
    );

    figures.push(
      {
        name: `server (${name}): the service's peak memory over CSV uploads of ${n(PARTNERS)} partners and ${n(TRANSACTIONS)} transactions`,
        unit: "MB",
        value: memoryOf(service.child.pid as number).peak,
        baseline: idle.rss,
        baselineName: "the same process idle, after start",
        higherIsBetter: false,
        note: `${n(Math.round(memory.peak))} MB after the partners' ${(partners.length / 1e6).toFixed(0)} MB file`,
      },
      {
        name: `server (${name}): the slowest /v1/health answer while a CSV upload of ${n(PARTNERS)} partners is read and applied`,
        unit: "ms",
        value: probed.slowest * 1000,
        baseline: idleHealth * 1000,
        baselineName: "the slowest of 20 asked of the idle service",
        higherIsBetter: false,
        note: `${probed.answers} answers, one every ${PROBE_MS} ms after the last`,
      },
      {
        name: `server (${name}): the slowest read of the import history (GET /v1/imports) over the same upload`,
        unit: "ms",
        value: reads.slowest * 1000,
        baseline: idleRead * 1000,
        baselineName: "the slowest of 20 asked of the idle service",
        higherIsBetter: false,
        note: `${reads.answers} answers, one every ${PROBE_MS} ms after the last`,
      },
    );
  } finally {
    await service.stop();
    if (engine === "postgres") {
      const db = await openDatabase({ url: process.env.DATABASE_URL as string });
      await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_pgboss`)} CASCADE`);
      await db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function uploadFigure(
  engine: string,
  object: string,
  rows: number,
  csv: string,
  done: { staged: number; seconds: number; counts: { created: number; skipped: number } },
  copyRowsPerSecond: number,
): Figure {
  return {
    name: `server (${engine}): ${n(rows)} ${object} through the CSV upload (${(csv.length / 1e6).toFixed(0)} MB), staged then applied by the worker`,
    unit: "rows/s",
    value: rows / done.seconds,
    baseline: copyRowsPerSecond,
    baselineName: "COPY of the same rows into the same table, measured above",
    higherIsBetter: true,
    note: `${done.seconds.toFixed(1)} s, answered 202 after ${done.staged.toFixed(1)} s; created ${n(done.counts.created)}, skipped ${n(done.counts.skipped)}`,
  };
}

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnService } from "../src/emulator/serviceProcess";
import { openDatabase, quoteIdent } from "../src/server/db/database";
import type { Figure } from "./measure";
import { sheetOf } from "./rows";

const SIZES = [200_000] as const;
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

/**
 * The CSV upload path, as a user meets it: the service in a process of its own (`npm run server`'s
 * entry, PGlite in a temp folder or a PostgreSQL schema of its own), a file of partners POSTed as
 * text/csv, timed from the first byte sent until the worker has completed the import (polled).
 * Beside each: the service's resident memory at its peak, against its memory when idle after start;
 * and the slowest `/v1/health` answer while the upload is read and applied, against the slowest of a
 * few asked of the idle service.
 */
export async function benchUpload(engine: "pglite" | "postgres", chunkApiRowsPerSecond: number) {
  const figures: Figure[] = [];
  for (const size of SIZES) {
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
    const sheet = sheetOf("partners", size, size + 1);
    const csv = `${[sheet.headers, ...sheet.rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;
    const service = await spawnService(env, { inherit: false, timeoutMs: 120_000 });
    try {
      const idle = memoryOf(service.child.pid as number);
      const history = [`${service.url}/v1/imports?limit=1`, { authorization: `Bearer ${KEY}` }] as const;
      const idleHealth = await idleSlowest(`${service.url}/v1/health`);
      const idleRead = await idleSlowest(...history);
      const health = probe(`${service.url}/v1/health`);
      const read = probe(...history);
      const started = process.hrtime.bigint();
      const answer = await fetch(`${service.url}/v1/import/partners`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "text/csv" },
        body: csv,
      });
      const body = (await answer.json()) as { id: string; status: string };
      if (answer.status !== 202) throw new Error(`upload: ${answer.status} ${JSON.stringify(body)}`);
      const staged = Number(process.hrtime.bigint() - started) / 1e9;
      let done: { status: string; counts: { rows: number; created: number; skipped: number } };
      for (;;) {
        const r = await fetch(`${service.url}/v1/imports/${body.id}`, {
          headers: { authorization: `Bearer ${KEY}` },
        });
        done = (await r.json()) as typeof done;
        if (done.status !== "processing") break;
        await sleep(100);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const memory = memoryOf(service.child.pid as number);
      const probed = await health.stop();
      const reads = await read.stop();
      progress(
        `${engine}: CSV upload of ${n(size)} partners: answered (staged) in ${staged.toFixed(1)} s, ` +
          `${done.status} in ${seconds.toFixed(1)} s; peak RSS ${memory.peak.toFixed(0)} MB (idle ${idle.rss.toFixed(0)} MB); ` +
          `slowest health ${ms(probed.slowest)} of ${probed.answers} (idle ${ms(idleHealth)}), ` +
          `slowest read ${ms(reads.slowest)} of ${reads.answers} (idle ${ms(idleRead)})`,
      );
      if (done.status !== "completed") throw new Error(`the upload ended ${done.status}`);
      figures.push(
        {
          name: `server (${engine}): CSV upload of ${n(size)} partners (${(csv.length / 1e6).toFixed(0)} MB), staged then applied by the worker`,
          unit: "rows/s",
          value: size / seconds,
          baseline: chunkApiRowsPerSecond,
          baselineName: "the chunk API (chunks of 2,000), measured above",
          higherIsBetter: true,
          note: `${seconds.toFixed(1)} s, answered 202 after ${staged.toFixed(1)} s; created ${n(done.counts.created)}, skipped ${n(done.counts.skipped)}`,
        },
        {
          name: `server (${engine}): the service's peak memory over a CSV upload of ${n(size)} partners`,
          unit: "MB",
          value: memory.peak,
          baseline: idle.rss,
          baselineName: "the same process idle, after start",
          higherIsBetter: false,
        },
        {
          name: `server (${engine}): the slowest /v1/health answer while a CSV upload of ${n(size)} partners is read and applied`,
          unit: "ms",
          value: probed.slowest * 1000,
          baseline: idleHealth * 1000,
          baselineName: "the slowest of 20 asked of the idle service",
          higherIsBetter: false,
          note: `${probed.answers} answers, one every ${PROBE_MS} ms after the last`,
        },
        {
          name: `server (${engine}): the slowest read of the import history (GET /v1/imports) over the same upload`,
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
  }
  return figures;
}

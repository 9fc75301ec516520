import { randomUUID } from "node:crypto";
import { dropOrphanStaging } from "../../src/server/imports/staging";
import { engines, KEYS } from "./harness";
import {
  killService,
  type ServiceProcess,
  type ServiceStore,
  serviceStore,
  startServiceProcess,
} from "./serviceProcess";

const ROWS = 30_000;
const CSV = [
  "partner_email,partner_key,first_name,territory",
  ...Array.from(
    { length: ROWS },
    (_, i) => `p${i}@example.com,p${i},First ${i},${i % 2 ? "North" : "South"}`,
  ),
  "",
].join("\n");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headers = { authorization: `Bearer ${KEYS.admin}` };

/** Uploads the file as a client that retries after a lost answer would: under one Idempotency-Key. */
async function upload(service: ServiceProcess, key: string): Promise<{ status: number; body: any } | null> {
  try {
    const r = await fetch(`${service.url}/v1/import/partners`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/csv", "idempotency-key": key },
      body: CSV,
    });
    return { status: r.status, body: await r.json() };
  } catch {
    return null; // the service was killed while answering
  }
}

async function getImport(service: ServiceProcess, id: string) {
  const r = await fetch(`${service.url}/v1/imports/${id}`, { headers });
  return r.json() as Promise<any>;
}

/** Polls the import until it has ended; the service carries it on by itself, nothing here nudges it. */
async function ended(service: ServiceProcess, id: string, until = (imp: any) => imp.status !== "processing") {
  for (;;) {
    const imp = await getImport(service, id);
    if (until(imp)) return imp;
    await sleep(200);
  }
}

/** What the store holds after the import: every row applied once, with its values; nothing left staged. */
async function expectEveryRowOnce(store: ServiceStore) {
  const db = await store.open();
  try {
    const partners = await db.query<{ n: number; keys: number; right: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys,
         count(*) FILTER (WHERE first_name = 'First ' || substr(key, 2) AND email = key || '@example.com'
           AND fields->>'territory' = CASE WHEN substr(key, 2)::int % 2 = 1 THEN 'North' ELSE 'South' END)::int AS right
       FROM partners`,
    );
    expect(partners.rows[0]).toEqual({ n: ROWS, keys: ROWS, right: ROWS });
    const imports = await db.query(
      "SELECT status, total_rows, rows, created, updated, skipped, error FROM imports",
    );
    expect(imports.rows).toEqual([
      {
        status: "completed",
        total_rows: ROWS,
        rows: ROWS,
        created: ROWS,
        updated: 0,
        skipped: 0,
        error: null,
      },
    ]);
    const chunks = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM import_chunks");
    expect(chunks.rows[0]?.n).toBe(ROWS / 1000);
    // The import's own staged rows went when it ended.
    const staged = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM import_staging s WHERE EXISTS (SELECT 1 FROM imports i WHERE i.id = s.import_id)",
    );
    expect(staged.rows[0]?.n).toBe(0);
    // An upload killed after staging but before its import started leaves rows no import owns: the
    // worker's sweep removes them once they are old enough not to be another replica's upload in hand.
    await dropOrphanStaging(db, "0 seconds");
    const left = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM import_staging");
    expect(left.rows[0]?.n).toBe(0);
  } finally {
    await db.close();
  }
}

describe.each(engines())("uploads that survive (%s)", (engine) => {
  let store: ServiceStore;
  const running: ServiceProcess[] = [];
  const start = async (name?: string) => {
    const service = await startServiceProcess(store.env(name));
    running.push(service);
    return service;
  };
  beforeEach(async () => {
    store = await serviceStore(engine);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => killService(s)));
    await store.remove();
  });

  it("kill -9 at random points of a 30,000-row upload, five times: after each restart it goes on, and every row is applied once", async () => {
    const key = randomUUID();
    let service = await start();
    let id: string | null = null;
    const answers: string[] = [];
    // Any 2xx names the import: 202 while it runs, 201 when applied at once, and 200 when the key
    // replays an import that an answer lost with a killed process had started (and may have finished).
    const send = (to: ServiceProcess) =>
      upload(to, key).then((r) => {
        answers.push(r ? `${r.status} ${JSON.stringify(r.body).slice(0, 200)}` : "no answer");
        if (r && r.status >= 200 && r.status < 300) id = r.body.id;
      });
    let sending = send(service);
    for (let kill = 0; kill < 5; kill++) {
      await sleep(Math.random() * 3000);
      await killService(service, "SIGKILL");
      await sending;
      service = await start();
      // An answer lost with the process: the client sends the same file under the same key.
      sending = id ? Promise.resolve() : send(service);
    }
    await sending;
    if (!id) await send(service);
    expect({ id, answers }).toEqual({ id: expect.any(String), answers: expect.any(Array) });
    const imp = await ended(service, id as unknown as string);
    expect(imp).toMatchObject({ status: "completed", total_rows: ROWS, error: null });
    expect(imp.counts).toMatchObject({ rows: ROWS, created: ROWS, updated: 0, skipped: 0 });
    await killService(service, "SIGTERM");
    await expectEveryRowOnce(store);
  }, 240_000);

  it("SIGTERM finishes the chunk in hand and leaves the rest; the next start carries on", async () => {
    let service = await start();
    const r = await upload(service, randomUUID());
    expect(r?.status).toBe(202);
    const id = r?.body.id as string;
    expect(r?.body).toMatchObject({ status: "processing", total_rows: ROWS });
    await ended(service, id, (imp) => imp.counts.rows > 0);
    expect(await killService(service, "SIGTERM")).toBe(0);

    // What the stopped service left: whole chunks only, the rest staged, its job waiting (not active).
    const db = await store.open();
    try {
      const imp = (await db.query<any>("SELECT status, rows FROM imports")).rows[0];
      const chunks = (await db.query<any>("SELECT count(*)::int AS n FROM import_chunks")).rows[0].n;
      expect(imp.status).toBe("processing");
      expect(imp.rows).toBe(chunks * 1000);
      expect(imp.rows).toBeLessThan(ROWS);
      const staged = (await db.query<any>("SELECT count(*)::int AS n FROM import_staging")).rows[0].n;
      expect(staged).toBe(ROWS / 1000);
      const schema = (await db.query<any>("SELECT current_schema() AS s")).rows[0].s;
      const jobs = await db.query<{ state: string }>(
        `SELECT state FROM ${schema === "public" ? "pgboss" : `${schema}_pgboss`}.job
         WHERE name = 'csv-upload' AND state IN ('created', 'retry', 'active')`,
      );
      expect(jobs.rows).toEqual([{ state: "created" }]);
    } finally {
      await db.close();
    }

    service = await start();
    const imp = await ended(service, id);
    expect(imp).toMatchObject({ status: "completed", counts: { rows: ROWS, created: ROWS, updated: 0 } });
    await killService(service, "SIGTERM");
    await expectEveryRowOnce(store);
  }, 180_000);

  if (engine === "postgres")
    it("two services: kill -9 the one working an upload, and the other finishes it", async () => {
      const first = await start("importer-a");
      const second = await start("importer-b");
      const r = await upload(first, randomUUID());
      expect(r?.status).toBe(202);
      const id = r?.body.id as string;
      await ended(first, id, (imp) => imp.counts.rows > 0);
      // The one working holds its job's advisory lock: find it by its connection's name.
      const db = await store.open();
      let working: string | undefined;
      try {
        for (let tries = 0; !working && tries < 100; tries++) {
          const { rows } = await db.query<{ application_name: string }>(
            `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.classid = 727302 AND l.granted`,
          );
          working = rows[0]?.application_name;
          if (!working) await sleep(50);
        }
      } finally {
        await db.close();
      }
      expect(["importer-a", "importer-b"]).toContain(working);
      const [dead, alive] = working === "importer-a" ? [first, second] : [second, first];
      await killService(dead, "SIGKILL");
      const imp = await ended(alive, id);
      expect(imp).toMatchObject({ status: "completed", counts: { rows: ROWS, created: ROWS, updated: 0 } });
      await killService(alive, "SIGTERM");
      await expectEveryRowOnce(store);
    }, 180_000);
});

import { refreshStatistics } from "../../src/server/db/statistics";
import { engines, importRows, startTestService, type TestService } from "./harness";

const H = ["partner_email", "partner_key", "territory"];
const partners = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => [`${prefix}${i}@example.com`, `${prefix}${i}`, "North"]);

describe.each(engines())("the planner's statistics (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  async function analyses(table: string): Promise<number> {
    const { rows } = await s.db.query<{ reltuples: number }>(
      "SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)",
      [table],
    );
    return rows[0]?.reltuples ?? -1;
  }

  it("analyses a table that has grown, and not again until it grows more", async () => {
    await storePartners(s, "globex", 2000);
    expect(await refreshStatistics(s.db, ["partners"])).toEqual(["partners"]);
    expect(await analyses("partners")).toBeGreaterThanOrEqual(2000);
    expect(await refreshStatistics(s.db, ["partners"])).toEqual([]);
  });

  /** The planner's estimate of a program's partners. */
  async function estimate(program: string): Promise<number> {
    const { rows: ids } = await s.db.query<{ id: string }>("SELECT id FROM programs WHERE key = $1", [
      program,
    ]);
    // The id written out, as a chunk's lookup has it: the planner estimates for that value.
    const { rows } = await s.db.query<{ plan: string | { Plan: { "Plan Rows": number } }[] }>(
      `EXPLAIN (FORMAT JSON) SELECT * FROM partners WHERE program_id = ${Number(ids[0]?.id)}`,
    );
    const plan = rows[0] ? Object.values(rows[0])[0] : null;
    const parsed = typeof plan === "string" ? JSON.parse(plan) : plan;
    return parsed[0].Plan["Plan Rows"];
  }

  it("follows a program that grows inside a table far larger than it, which the table's own growth misses", async () => {
    // Programs other than acme, as on a service that serves many: acme is not in the statistics.
    await s.db.query("INSERT INTO programs (key, name) VALUES ('initech', 'Initech')");
    await storePartners(s, "globex", 10_000);
    await storePartners(s, "initech", 10_000);
    await refreshStatistics(s.db, ["partners"]);
    expect(await estimate("acme")).toBeLessThan(100);

    const { completed } = await importRows(s, "partners", H, partners(4000, "g"), {}, 1000);
    expect(completed.body.counts.created).toBe(4000);
    // 24,000 partners: not twice the 20,000 last analysed, so the table alone is not stale.
    expect(await refreshStatistics(s.db, ["partners"])).toEqual([]);
    // On PostgreSQL the table is analysed beside the chunks: wait for it.
    for (let i = 0; i < 300 && (await estimate("acme")) < 2000; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await estimate("acme")).toBeGreaterThanOrEqual(2000);
  });

  it("does not follow a dry run, which stores nothing", async () => {
    await storePartners(s, "globex", 20_000);
    await refreshStatistics(s.db, ["partners"]);
    const before = await analyses("partners");
    await importRows(s, "partners", H, partners(2000, "d"), { dry_run: true }, 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await analyses("partners")).toBe(before);
  });
});

/** Partners stored straight into the table (no import, so nothing follows their growth). */
async function storePartners(s: TestService, program: string, n: number): Promise<void> {
  await s.db.query(
    `INSERT INTO partners (program_id, key, email)
     SELECT (SELECT id FROM programs WHERE key = $1), $1 || '-' || g, $1 || g || '@example.com'
     FROM generate_series(1, $2::int) AS g`,
    [program, n],
  );
}

const onPostgres = engines().includes("postgres") ? describe : describe.skip;

onPostgres("ANALYZE never waits (postgres)", () => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService("postgres");
    await storePartners(s, "globex", 2000);
  });
  afterEach(() => s.close());

  /** Holds `sql` in an open transaction of another session while `work` runs. */
  async function holding<T>(sql: string, work: () => Promise<T>): Promise<T> {
    const other = await s.db.reserve();
    try {
      await other.query("BEGIN");
      await other.query(sql);
      return await work();
    } finally {
      await other.query("ROLLBACK");
      other.release();
    }
  }

  it("leaves a table that another session is analysing to it, and a chunk goes on", async () => {
    const before = await s.db.query<{ reltuples: number }>(
      "SELECT reltuples FROM pg_class WHERE oid = 'partners'::regclass",
    );
    // The lock analyse_table takes while it analyses the table.
    await holding(
      "SELECT pg_advisory_xact_lock(hashtext('analyse_table'), 'partners'::regclass::oid::int)",
      async () => {
        expect(await refreshStatistics(s.db, ["partners"])).toEqual(["partners"]);
        const r = await importRows(s, "partners", H, partners(5, "x"));
        expect(r.completed.body.counts.created).toBe(5);
      },
    );
    const after = await s.db.query<{ reltuples: number }>(
      "SELECT reltuples FROM pg_class WHERE oid = 'partners'::regclass",
    );
    // Not analysed by this session: the other one was doing it.
    expect(after.rows[0]?.reltuples).toBe(before.rows[0]?.reltuples);
  });

  it("does not wait for the table's lock when autovacuum (or anyone) holds it", async () => {
    // The lock ANALYZE itself takes, and that autovacuum holds while it runs.
    await holding("LOCK TABLE partners IN SHARE UPDATE EXCLUSIVE MODE", async () => {
      expect(await refreshStatistics(s.db, ["partners"])).toEqual(["partners"]);
    });
    // Once the lock is let go, the next chunk analyses it.
    expect(await refreshStatistics(s.db, ["partners"])).toEqual(["partners"]);
    expect(await refreshStatistics(s.db, ["partners"])).toEqual([]);
  });
});

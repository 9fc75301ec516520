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
    const { completed } = await importRows(s, "partners", H, partners(2000, "a"), {}, 2000);
    expect(completed.body.counts.created).toBe(2000);
    expect(await refreshStatistics(s.db, ["partners"])).toEqual(["partners"]);
    expect(await analyses("partners")).toBeGreaterThanOrEqual(2000);
    expect(await refreshStatistics(s.db, ["partners"])).toEqual([]);
  });
});

const onPostgres = engines().includes("postgres") ? describe : describe.skip;

onPostgres("ANALYZE never waits (postgres)", () => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService("postgres");
    await importRows(s, "partners", H, partners(2000, "w"), {}, 2000);
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

import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/server/app";
import type { Database } from "../../src/server/db/database";
import { type ImportKeys, takeKeys } from "../../src/server/imports/pipeline/importKeys";
import { engines, KEYS, startTestService, type TestService } from "./harness";

// An import's keys (a partner's key and email, a row's fingerprint) are checked in memory between its
// chunks, each chunk storing the keys it took with its own row: a key an earlier chunk took is a
// duplicate_in_file wherever that chunk was applied, and a chunk that fails leaves no key behind.

const HEADERS = ["partner_email", "partner_key", "territory"];
const cells = (key: string, email = `${key}@example.com`) => [email, key, "North"];

/** The same database as another Database object: a second replica, with a memory of its own. */
function sameDatabase(db: Database): Database {
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    transaction: (work) => db.transaction(work),
    exec: (sql) => db.exec(sql),
    executeSql: (sql, values) => db.executeSql(sql, values),
    reserve: () => db.reserve(),
    // The first replica's close closes the database.
    close: async () => {},
  };
}

async function put(app: FastifyInstance, id: string, seq: number, rows: { row: number; cells: unknown[] }[]) {
  const response = await app.inject({
    method: "PUT",
    url: `/v1/imports/${id}/chunks/${seq}`,
    headers: { authorization: `Bearer ${KEYS.admin}` },
    payload: { rows },
  });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

const codes = (result: { issues: { code: string }[] }) => result.issues.map((i) => i.code);

describe.each(engines())("an import's keys across its chunks (%s)", (engine) => {
  let s: TestService;
  let replica: FastifyInstance;
  beforeEach(async () => {
    s = await startTestService(engine);
    replica = await buildApp({ db: sameDatabase(s.db), mailer: { send: async () => {} }, limits: false });
  });
  afterEach(async () => {
    await replica.close();
    await s.close();
  });

  async function start(): Promise<string> {
    const started = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: HEADERS } });
    expect(started.status).toBe(201);
    return started.body.id as string;
  }

  it("finds a key that a chunk applied by another replica took, and one this replica took", async () => {
    const id = await start();
    const first = await put(s.app, id, 0, [{ row: 2, cells: cells("k1") }]);
    expect(first.body.results[0].outcome).toBe("created");

    // The replica has held no key of this import: it reads chunk 0's.
    const second = await put(replica, id, 1, [
      { row: 3, cells: cells("k1", "other@example.com") },
      { row: 4, cells: cells("k2") },
    ]);
    expect(second.status).toBe(200);
    expect(second.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["skipped", "created"]);
    expect(codes(second.body.results[0])).toEqual(["duplicate_in_file"]);
    expect(second.body.results[0].issues[0].message).toContain("row 2");

    // The first replica holds chunk 0's keys only: it reads chunk 1's before it checks.
    const third = await put(s.app, id, 2, [
      { row: 5, cells: cells("k3", "k2@example.com") },
      { row: 6, cells: cells("k4", "k1@example.com") },
      { row: 7, cells: cells("k5") },
    ]);
    expect(third.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      "skipped",
      "skipped",
      "created",
    ]);
    expect(third.body.results[0].issues[0].message).toContain("row 4");
    expect(third.body.results[1].issues[0].message).toContain("row 2");

    // Each chunk stored the keys it took first, and only those: a row skipped as a duplicate still takes
    // its other keys (row 3's email, row 5's key).
    const { rows } = await s.db.query<{ seq: number; key_values: string[]; key_rows: number[] }>(
      "SELECT seq, key_values, key_rows FROM import_chunks WHERE import_id = $1 ORDER BY seq",
      [id],
    );
    expect(rows.map((r) => [r.seq, r.key_values, r.key_rows])).toEqual([
      [0, ["k1@example.com", "k1"], [2, 2]],
      [1, ["other@example.com", "k2@example.com", "k2"], [3, 4, 4]],
      [2, ["k3", "k4", "k5@example.com", "k5"], [5, 6, 7, 7]],
    ]);
  });

  it("keeps no key of a chunk that failed", async () => {
    const id = await start();
    // A chunk whose insert fails after its keys were checked: its transaction is rolled back.
    await s.db.exec(`
      CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.email = 'boom@example.com' THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_boom BEFORE INSERT ON partners FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
    const failed = await put(s.app, id, 0, [
      { row: 2, cells: cells("k1") },
      { row: 3, cells: cells("boom") },
    ]);
    expect(failed.status).toBe(500);
    await s.db.exec("DROP TRIGGER refuse_boom ON partners");

    // k1 was never stored: a later row with it is the import's first.
    const again = await put(s.app, id, 1, [{ row: 10, cells: cells("k1") }]);
    expect(again.body.results[0].outcome).toBe("created");
    const retried = await put(s.app, id, 0, [
      { row: 2, cells: cells("k1") },
      { row: 3, cells: cells("boom") },
    ]);
    expect(retried.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["skipped", "created"]);
    expect(retried.body.results[0].issues[0].message).toContain("row 10");
  });

  it("reads the keys again in a service that holds none (a restart)", async () => {
    const id = await start();
    await put(s.app, id, 0, [{ row: 2, cells: cells("k1") }]);
    // A new service on the same database (a restart): nothing held.
    const restarted = await buildApp({
      db: sameDatabase(s.db),
      mailer: { send: async () => {} },
      limits: false,
    });
    try {
      const next = await put(restarted, id, 1, [{ row: 3, cells: cells("k1") }]);
      expect(codes(next.body.results[0])).toEqual(["duplicate_in_file", "duplicate_in_file"]);
    } finally {
      await restarted.close();
    }
    expect((await s.call("POST", `/v1/imports/${id}/complete`, { body: { partial: true } })).status).toBe(
      200,
    );
  });
});

describe("takeKeys", () => {
  const none = { firstRow: () => undefined } as unknown as ImportKeys;

  it("takes each key at its first row, and names that row for the later ones", () => {
    const { taken, dupes } = takeKeys(none, [
      { field: "key", value: "a", row: 2 },
      { field: "email", value: "a", row: 2 },
      { field: "key", value: "a", row: 3 },
      { field: "key", value: "b", row: 4 },
      { field: "key", value: "a", row: 2 },
    ]);
    expect(taken).toEqual([
      { field: "key", value: "a", row: 2 },
      { field: "email", value: "a", row: 2 },
      { field: "key", value: "b", row: 4 },
    ]);
    expect([...dupes]).toEqual([[3, [{ field: "key", value: "a", row: 2 }]]]);
  });
});

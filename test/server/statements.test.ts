import type { Queryable } from "../../src/server/db/database";
import { engines, importRows, startTestService, type TestService } from "./harness";

/** Counts every statement run through the service's database, in or out of a transaction, from now on. */
function countStatements(s: TestService): { statements: string[]; stop(): void } {
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

describe.each(engines())("SQL statements a chunk runs (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = ["partner_email", "partner_key", "first_name", "tags", "territory"];

  /** Sends one chunk of `size` partners, half of them already stored (updates), half new (creates). */
  async function statementsForChunk(size: number, prefix: string) {
    const stored = Array.from({ length: size / 2 }, (_, i) => [
      `${prefix}${i}@example.com`,
      `${prefix}${i}`,
      "",
      "",
      "North",
    ]);
    await importRows(s, "partners", H, stored, {}, 1000);
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: H, total_rows: size },
    });
    const rows = Array.from({ length: size }, (_, i) => ({
      row: i + 2,
      cells:
        i < size / 2
          ? ["", `${prefix}${i}`, `Name ${i}`, "gold", ""]
          : [`${prefix}${i}@example.com`, `${prefix}${i}`, "", "new", "South"],
    }));
    const counter = countStatements(s);
    try {
      const r = await s.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, { body: { rows } });
      expect(r.status).toBe(200);
      expect(r.body.counts).toEqual({
        rows: size,
        created: size / 2,
        updated: size / 2,
        skipped: 0,
        repeats: 0,
      });
    } finally {
      counter.stop();
    }
    return counter.statements;
  }

  it("does not grow with the chunk's rows: 10 rows and 1000 rows run the same few statements", async () => {
    const small = await statementsForChunk(10, "s");
    const large = await statementsForChunk(1000, "l");
    // The counter sees the statements inside the chunk's transaction, where the rows are written.
    // The insert draws its ids in a CTE first (WITH … INSERT INTO partners).
    const writes = large.filter((sql) =>
      /^\s*(WITH\b[\s\S]*?\)\s*)?(INSERT INTO|UPDATE) partners\b/.test(sql),
    );
    expect(writes).toHaveLength(2);
    expect(small.length).toBeLessThanOrEqual(16);
    expect(large.length).toBe(small.length);
  });
});

import type { Queryable } from "../../src/server/db/database";
import { engines, importRows, startTestService, type TestService } from "./harness";

/**
 * Chunks of several imports that create the same new keys at the same moment, raced for certain: the
 * test holds a SHARE lock on the table, which lets every chunk read (and find its keys missing) but
 * stops its first write, and lets go once every chunk waits on it. PGlite is one session whose
 * transactions take turns, so chunks can never race there: this suite runs on PostgreSQL only.
 */
const onPostgres = engines().includes("postgres") ? describe : describe.skip;

interface Import {
  object: string;
  headers: string[];
  rows: unknown[][];
  options?: Record<string, unknown>;
}

interface Result {
  row: number;
  outcome: "created" | "updated" | "skipped";
  object_key: string | null;
  issues: { code: string; message: string }[];
}

interface Answer {
  status: number;
  results: Result[];
  text: string;
}

onPostgres("concurrent creates (postgres)", () => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService("postgres");
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["rex@example.com", "rex", "South"]],
    );
  });
  afterEach(() => s.close());

  /** Sends one chunk of each import at once, with `table` locked until every chunk waits to write it. */
  async function race(table: string, imports: Import[]): Promise<Answer[]> {
    const ids: string[] = [];
    for (const imp of imports) {
      const started = await s.call("POST", "/v1/imports", {
        body: {
          object: imp.object,
          options: imp.options ?? {},
          headers: imp.headers,
          total_rows: imp.rows.length,
        },
      });
      expect(started.status).toBe(201);
      ids.push(started.body.id);
    }
    const lock = await s.db.reserve();
    try {
      await lock.query("BEGIN");
      await lock.query(`LOCK TABLE ${table} IN SHARE MODE`);
      const answers = imports.map((imp, i) =>
        s.call("PUT", `/v1/imports/${ids[i]}/chunks/0`, {
          body: { rows: imp.rows.map((cells, r) => ({ row: r + 2, cells })) },
        }),
      );
      await waitersOn(lock, imports.length);
      await lock.query("COMMIT");
      return (await Promise.all(answers)).map((a) => ({
        status: a.status,
        results: a.body?.results ?? [],
        text: a.text,
      }));
    } finally {
      lock.release();
    }
  }

  /** Resolves once `count` transactions wait for `holder`'s, directly or behind one that waits for it. */
  async function waitersOn(holder: Queryable, count: number) {
    const { rows: me } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    for (;;) {
      const { rows } = await s.db.query<{ n: number }>(
        `WITH RECURSIVE waiting(pid) AS (
           SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))
           UNION
           SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))
         )
         SELECT count(*)::int AS n FROM waiting`,
        [me[0]?.pid],
      );
      if ((rows[0]?.n ?? 0) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Every chunk answered 200, each key created once and updated by the others, and stored once. */
  async function expectOneCreatePerKey(answers: Answer[], table: string, keyColumn: string, keys: string[]) {
    expect(answers.map((a) => a.status === 200 || a.text)).toEqual(answers.map(() => true));
    const all = answers.flatMap((a) => a.results);
    for (const key of keys) {
      const outcomes = all.filter((r) => r.object_key === key).map((r) => r.outcome);
      expect(outcomes.sort()).toEqual(["created", ...answers.slice(1).map(() => "updated")]);
    }
    const { rows } = await s.db.query<{ key: string; n: number }>(
      `SELECT ${keyColumn} AS key, count(*)::int AS n FROM ${table} WHERE ${keyColumn} = ANY($1::text[])
       GROUP BY ${keyColumn} ORDER BY ${keyColumn}`,
      [keys],
    );
    expect(rows).toEqual([...keys].sort().map((key) => ({ key, n: 1 })));
  }

  /**
   * The same rows, in opposite orders: imports that took (or updated) their keys in row order would
   * deadlock on hundreds of them, so the keys are taken in a fixed order.
   */
  const shuffled = (rows: unknown[][], i: number) => (i % 2 ? [...rows].reverse() : rows);
  const numbers = Array.from({ length: 300 }, (_, n) => n + 1);
  const keys = (prefix: string) => numbers.map((n) => `${prefix}${n}`);

  it("partners: in any order, one import creates each new key, the others update it; tags only added", async () => {
    const rows = numbers.map((n) => [`new${n}@example.com`, `new${n}`, "North", `t${n}`]);
    const answers = await race(
      "partners",
      [0, 1, 2, 3].map((i) => ({
        object: "partners",
        headers: ["partner_email", "partner_key", "territory", "tags"],
        rows: shuffled(rows, i).map((r) => [...r.slice(0, 3), `${r[3]}, from${i}`]),
      })),
    );
    await expectOneCreatePerKey(answers, "partners", "key", keys("new"));
    const { rows: tags } = await s.db.query<{ tags: string[] }>(
      "SELECT tags FROM partners WHERE key = 'new1'",
    );
    expect([...(tags[0]?.tags ?? [])].sort()).toEqual(["from0", "from1", "from2", "from3", "t1"]);
  }, 120_000);

  it("partners: keys another import takes at the same moment are updated, the rest still created, each with one invite", async () => {
    const headers = ["partner_email", "partner_key", "territory"];
    const row = (n: number) => [`new${n}@example.com`, `new${n}`, "North"];
    const answers = await race("partners", [
      { object: "partners", headers, rows: numbers.slice(0, 200).map(row), options: { send_invites: true } },
      { object: "partners", headers, rows: numbers.slice(100).map(row), options: { send_invites: true } },
    ]);
    expect(answers.map((a) => a.status === 200 || a.text)).toEqual([true, true]);
    const all = answers.flatMap((a) => a.results);
    for (const n of numbers) {
      const outcomes = all.filter((r) => r.object_key === `new${n}`).map((r) => r.outcome);
      expect(outcomes.sort()).toEqual(n > 100 && n <= 200 ? ["created", "updated"] : ["created"]);
    }
    const { rows } = await s.db.query<{ partners: number; invites: number; invited: number }>(
      `SELECT (SELECT count(*)::int FROM partners WHERE key LIKE 'new%') AS partners,
         count(*)::int AS invites, count(DISTINCT payload->>'partner_key')::int AS invited
       FROM outbox WHERE kind = 'partner_invite'`,
    );
    expect(rows).toEqual([{ partners: 300, invites: 300, invited: 300 }]);
  }, 120_000);

  it("partners: a new email another import takes under another key is matched by email", async () => {
    const headers = ["partner_email", "partner_key", "territory"];
    const answers = await race("partners", [
      { object: "partners", headers, rows: [["same@example.com", "first", "North"]] },
      { object: "partners", headers, rows: [["same@example.com", "second", "South"]] },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const [a, b] = answers.map((x) => x.results[0] as Result);
    const [created, updated] = a?.outcome === "created" ? [a, b] : [b, a];
    expect(created?.outcome).toBe("created");
    expect(updated).toMatchObject({ outcome: "updated", object_key: created?.object_key });
    expect(updated?.issues.map((i) => i.code)).toEqual(["ignored_value"]);
    expect(updated?.issues[0]?.message).toContain(`matched ${created?.object_key} by partner_email`);
    const { rows } = await s.db.query("SELECT key FROM partners WHERE email = 'same@example.com'");
    expect(rows).toEqual([{ key: created?.object_key }]);
  }, 120_000);

  it("partners: a new email that another import gives a new partner meanwhile skips the update as partner_conflict", async () => {
    const headers = ["partner_email", "partner_key", "territory"];
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers, total_rows: 1 },
    });
    // The other import: a new partner with the email, not yet committed when the update is made.
    const other = await s.db.reserve();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO partners (program_id, key, email)
         SELECT program_id, 'taker', 'taken@example.com' FROM partners WHERE key = 'rex'`,
      );
      const answer = s.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, {
        body: { rows: [{ row: 2, cells: ["taken@example.com", "rex", "North"] }] },
      });
      await waitersOn(other, 1);
      await other.query("COMMIT");
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body.results[0].outcome).toBe("skipped");
      expect(body.results[0].issues.map((i: { code: string }) => i.code)).toEqual(["partner_conflict"]);
    } finally {
      other.release();
    }
    const { rows } = await s.db.query("SELECT key, email FROM partners ORDER BY key");
    expect(rows).toEqual([
      { key: "rex", email: "rex@example.com" },
      { key: "taker", email: "taken@example.com" },
    ]);
  }, 120_000);

  it("customers: in any order, one import creates each new key, the others update it", async () => {
    const rows = numbers.map((n) => [`c${n}@example.com`, `cus_${n}`, "rex"]);
    const answers = await race(
      "customers",
      [0, 1, 2, 3].map((i) => ({
        object: "customers",
        headers: ["email", "customer_key", "partner_key"],
        rows: shuffled(rows, i),
      })),
    );
    await expectOneCreatePerKey(answers, "customers", "key", keys("cus_"));
  }, 120_000);

  it("customers: a new email that imports create at once, with a key or without, is created once and matched by the others", async () => {
    const answers = await race(
      "customers",
      [0, 1, 2, 3].map((i) => ({
        object: "customers",
        headers: ["email", "customer_key"],
        rows: shuffled(
          numbers.map((n) => [`same${n}@example.com`, i % 2 ? `cus_${i}_${n}` : ""]),
          i,
        ),
      })),
    );
    expect(answers.map((a) => a.status === 200 || a.text)).toEqual([true, true, true, true]);
    const outcomes = answers.flatMap((a) => a.results.map((r) => r.outcome));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(numbers.length);
    expect(outcomes.filter((o) => o === "updated")).toHaveLength(3 * numbers.length);
    const { rows } = await s.db.query<{ customers: number; emails: number }>(
      "SELECT count(*)::int AS customers, count(DISTINCT email)::int AS emails FROM customers",
    );
    expect(rows).toEqual([{ customers: numbers.length, emails: numbers.length }]);
  }, 120_000);

  it("deals: in any order, one import creates each new external_key, the others update it", async () => {
    const rows = numbers.map((n) => [`D${n}`, 1000 * n, "2026-12-01", "Working", "rex"]);
    const answers = await race(
      "deals",
      [0, 1, 2, 3].map((i) => ({
        object: "deals",
        headers: ["external_key", "amount", "close_date", "stage", "partner_key"],
        rows: shuffled(rows, i),
        options: { group_key: "resellers" },
      })),
    );
    await expectOneCreatePerKey(answers, "deals", "external_key", keys("D"));
  }, 120_000);

  it("leads: in any order, one import creates each new external_key, the others update it", async () => {
    const rows = numbers.map((n) => ["rex", `lead${n}@example.com`, "Joe", "Kirby", `L${n}`, 10 * n]);
    const answers = await race(
      "leads",
      [0, 1, 2, 3].map((i) => ({
        object: "leads",
        headers: ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"],
        rows: shuffled(rows, i),
        options: { group_key: "referral" },
      })),
    );
    await expectOneCreatePerKey(answers, "leads", "external_key", keys("L"));
  }, 120_000);

  it("transactions: a key another import stores at the same moment is skipped as stored; the rest are created", async () => {
    await importRows(s, "customers", ["email", "customer_key"], [["cus@example.com", "cus_a"]]);
    const headers = ["customer_key", "amount", "key"];
    const row = (n: number) => ["cus_a", 100 * n, `txn_${n}`];
    const answers = await race("transactions", [
      { object: "transactions", headers, rows: numbers.slice(0, 200).map(row) },
      { object: "transactions", headers, rows: numbers.slice(100).map(row) },
    ]);
    expectOneCreateOtherExists(answers, "txn_", "transaction_exists");
    const { rows } = await s.db.query<{ n: number; keys: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys FROM transactions",
    );
    expect(rows).toEqual([{ n: 300, keys: 300 }]);
  }, 120_000);

  it("rewards: a key another import stores at the same moment is skipped as stored; the rest are created", async () => {
    const headers = ["partner_key", "amount_in_cents", "body", "key"];
    const row = (n: number) => ["rex", n, "Bonus", `rwd_${n}`];
    const answers = await race("rewards", [
      { object: "rewards", headers, rows: numbers.slice(0, 200).map(row) },
      { object: "rewards", headers, rows: numbers.slice(100).map(row) },
    ]);
    expectOneCreateOtherExists(answers, "rwd_", "reward_exists");
    const { rows } = await s.db.query<{ n: number; keys: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys FROM rewards",
    );
    expect(rows).toEqual([{ n: 300, keys: 300 }]);
  }, 120_000);

  /**
   * Keys 1-200 in one import, 101-300 in the other: each key created once, and the other's row for one of
   * 101-200 skipped as stored (records never updated).
   */
  function expectOneCreateOtherExists(answers: Answer[], prefix: string, code: string) {
    expect(answers.map((a) => a.status === 200 || a.text)).toEqual([true, true]);
    const [first, second] = answers.map((a) => a.results);
    const outcomes = (results: Result[] | undefined, n: number) =>
      (results ?? []).filter((r) => r.object_key === `${prefix}${n}`).map((r) => r.outcome);
    for (const n of numbers) {
      const both = [...outcomes(first, n), ...outcomes(second, n)];
      expect(both.filter((o) => o === "created")).toHaveLength(1);
    }
    const skipped = answers.flatMap((a) => a.results).filter((r) => r.outcome === "skipped");
    expect(skipped).toHaveLength(100);
    expect(new Set(skipped.flatMap((r) => r.issues.map((i) => i.code)))).toEqual(new Set([code]));
  }
});

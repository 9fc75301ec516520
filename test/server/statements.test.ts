import { countStatements, engines, importRows, startTestService, type TestService } from "./harness";

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
    // The insert and the update each behind a savepoint (taken back when another import took a key).
    expect(small.length).toBeLessThanOrEqual(18);
    expect(large.length).toBe(small.length);
  });

  const KEY_OF: Record<string, string> = {
    partners: "t.key",
    customers: "t.key",
    transactions: "t.key",
    rewards: "COALESCE(t.key, 'reward-' || t.id)",
    leads: "COALESCE(t.external_key, 'lead-' || t.id)",
    deals: "t.external_key",
  };

  /** New records of each object, after what they refer to: each chunk creates every one of its rows. */
  const FIRST_IMPORTS: [string, string[], unknown[][], Record<string, unknown>][] = [
    ["partners", ["partner_email", "partner_key", "territory"], [["rex@example.com", "rex", "North"]], {}],
    ["customers", ["email", "customer_key", "partner_key"], [["c0@example.com", "cus_0", "rex"]], {}],
  ];
  const NEW_RECORDS: [string, string[], unknown[][], Record<string, unknown>][] = [
    [
      "partners",
      ["partner_email", "partner_key", "territory"],
      [1, 2, 3].map((n) => [`p${n}@example.com`, `ptnr${n}`, "North"]),
      { send_invites: true },
    ],
    [
      "customers",
      ["email", "customer_key"],
      [1, 2, 3].map((n) => [`c${n}@example.com`, n === 2 ? "" : `cus_${n}`]),
      {},
    ],
    [
      "transactions",
      ["customer_key", "amount", "key"],
      [1, 2, 3].map((n) => ["cus_0", 100 * n, n === 2 ? "" : `txn_${n}`]),
      {},
    ],
    [
      "rewards",
      ["partner_key", "amount_in_cents", "body", "key"],
      [1, 2, 3].map((n) => ["rex", n, "Bonus", n === 2 ? "" : `rwd_${n}`]),
      {},
    ],
    [
      "leads",
      ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"],
      [1, 2, 3].map((n) => ["rex", `l${n}@example.com`, "Joe", "Kirby", n === 2 ? "" : `L${n}`, 10]),
      { group_key: "referral" },
    ],
    [
      "deals",
      ["external_key", "amount", "close_date", "stage", "partner_key"],
      [1, 2, 3].map((n) => [`D${n}`, 1000 * n, "2026-12-01", "Working", "rex"]),
      { group_key: "resellers" },
    ],
  ];

  it("records no other import took are inserted once, without ON CONFLICT: that insert is for keys taken meanwhile", async () => {
    for (const [object, headers, rows, options] of FIRST_IMPORTS)
      await importRows(s, object, headers, rows, options);
    for (const [table, headers, rows, options] of NEW_RECORDS) {
      const started = await s.call("POST", "/v1/imports", {
        body: { object: table, options, headers, total_rows: rows.length },
      });
      const counter = countStatements(s);
      let results: { outcome: string; object_key: string }[];
      try {
        const r = await s.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, {
          body: { rows: rows.map((cells, i) => ({ row: i + 2, cells })) },
        });
        expect(r.status).toBe(200);
        results = r.body.results;
      } finally {
        counter.stop();
      }
      expect(results.map((r) => r.outcome)).toEqual(["created", "created", "created"]);
      const inserts = counter.statements.filter((sql) => new RegExp(`INSERT INTO ${table}\\b`).test(sql));
      const careful = inserts.filter((sql) => /ON CONFLICT/.test(sql));
      expect({ table, inserts: inserts.length, careful: careful.length }).toEqual({
        table,
        inserts: 1,
        careful: 0,
      });
      // Each row's result names the record it made, by key, or by id where it has none; ids in the rows'
      // order; and the insert's records are one change line.
      const { rows: stored } = await s.db.query<{ key: string }>(
        `SELECT ${KEY_OF[table]} AS key FROM ${table} t
         WHERE t.id = ANY((SELECT record_ids FROM import_changes WHERE import_id = $1)::bigint[]) ORDER BY t.id`,
        [started.body.id],
      );
      expect(stored.map((r) => r.key)).toEqual(results.map((r) => r.object_key));
    }
  });
});

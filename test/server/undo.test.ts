import { sendOutbox } from "../../src/server/outbox";
import { countStatements, engines, importRows, KEYS, startTestService, type TestService } from "./harness";

/**
 * Issue 13's undo, over HTTP: what an import created is removed, what it updated gets back the values
 * it had before the import (every column, exactly as stored), and what cannot be taken back is refused
 * with its reason and left as it is.
 */
interface UndoRefusalLike {
  record_key: string;
  code: string;
}

describe.each(engines())("undo an import (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const P = [
    "partner_email",
    "partner_key",
    "first_name",
    "last_name",
    "partner_joined_date",
    "tags",
    "territory",
    "region",
    "shipping_address_city",
    "tier_key",
  ];
  const partner = (email: string, key: string, values: Partial<Record<(typeof P)[number], string>> = {}) =>
    P.map((f) => (f === "partner_email" ? email : f === "partner_key" ? key : (values[f] ?? "")));

  const undo = (id: string, { dryRun = false, key }: { dryRun?: boolean; key?: string } = {}) =>
    s.call("POST", `/v1/imports/${id}/undo`, { key, body: dryRun ? { dry_run: true } : {} });

  /** Every partner as the database holds it, every column but updated_at. */
  const partnersTable = async () =>
    (await s.db.query<Record<string, unknown>>("SELECT * FROM partners ORDER BY id")).rows.map(
      ({ updated_at: _updated, ...p }) => p,
    );
  const count = async (table: string) =>
    (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;
  const auditOf = async (action: string) =>
    ((await s.call("GET", "/v1/audit-log?limit=500")).body.data as { action: string }[]).filter(
      (e) => e.action === action,
    );

  /** Ada and Bob as the first import leaves them, with custom fields, tags, a city and a joined date. */
  const firstImport = () =>
    importRows(s, "partners", P, [
      partner("ada@example.com", "ada", {
        first_name: "Ada",
        last_name: "Lovelace",
        partner_joined_date: "2024-01-15",
        tags: "vip, west",
        territory: "North",
        region: "EMEA",
        shipping_address_city: "London",
      }),
      partner("bob@example.com", "bob", { first_name: "Bob", territory: "South" }),
    ]);

  it("restores every column of every updated partner exactly as stored before, and removes the partners it created", async () => {
    await firstImport();
    const before = await partnersTable();
    const second = await importRows(s, "partners", P, [
      partner("ada.new@example.com", "ada", {
        first_name: "Augusta",
        last_name: "King",
        partner_joined_date: "2025-02-01",
        tags: "east, vip",
        territory: "South",
        region: "APAC",
        shipping_address_city: "Paris",
        tier_key: "gold",
      }),
      partner("", "bob", {
        last_name: "Builder",
        partner_joined_date: "2023-05-05",
        tags: "new",
        region: "NA",
      }),
      partner("cy@example.com", "cy", { first_name: "Cy", territory: "North" }),
    ]);
    expect(second.results.map((r) => r.outcome)).toEqual(["updated", "updated", "created"]);
    // Ada changed again under the same import, as a later chunk of it would: undo goes back before the first.
    await s.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('importer.import_id', $1, true)", [second.id]);
      await tx.query(
        "UPDATE partners SET first_name = 'Ada Again', tags = tags || '{later}' WHERE key = 'ada'",
      );
    });
    const changed = await partnersTable();
    expect(changed).not.toEqual(before);
    expect(changed.find((p) => p.key === "ada")).toMatchObject({
      email: "ada.new@example.com",
      tags: ["vip", "west", "east", "later"],
      fields: { territory: "South", region: "APAC" },
    });

    const undone = await undo(second.id as string);
    expect(undone.status).toBe(200);
    expect(undone.body.undo).toEqual({
      dry_run: false,
      at: expect.any(String),
      by: "admin@acme.test",
      removed: 1,
      restored: 2,
      refused: [],
      invites_sent: 0,
      invites_withdrawn: 0,
      message: "Removed 1 partner the import created and restored 2 partners it updated.",
    });
    expect(undone.body.import).toMatchObject({ id: second.id, status: "undone", undo: undone.body.undo });
    expect(await partnersTable()).toEqual(before);
    const got = await s.call("GET", `/v1/imports/${second.id}`);
    expect(got.body).toMatchObject({ status: "undone", undo: undone.body.undo });
    // The undo's own writes are no import's changes, and the import's are marked taken back.
    const { rows } = await s.db.query<{ import_id: string; undone: boolean }>(
      "SELECT DISTINCT import_id, undone_at IS NOT NULL AS undone FROM import_changes WHERE import_id = $1",
      [second.id],
    );
    expect(rows).toEqual([{ import_id: second.id, undone: true }]);
    // The first import's insert made Ada and Bob: one line; the second's two updates, one insert, one update.
    expect(await count("import_changes")).toBe(1 + 4);
  });

  it("a dry run changes nothing and answers what the undo then does", async () => {
    await firstImport();
    const second = await importRows(s, "partners", P, [
      partner("", "ada", { first_name: "Augusta" }),
      partner("cy@example.com", "cy", { territory: "North" }),
    ]);
    const stored = await partnersTable();
    const byQuery = await s.call("POST", `/v1/imports/${second.id}/undo?dry_run=true`);
    const byBody = await undo(second.id as string, { dryRun: true });
    for (const dry of [byQuery, byBody]) {
      expect(dry.status).toBe(200);
      expect(dry.body.undo).toMatchObject({ dry_run: true, removed: 1, restored: 1, refused: [] });
      expect(dry.body.undo.message).toBe(
        "Would remove 1 partner the import created and restore 1 partner it updated.",
      );
      expect(dry.body.import).toMatchObject({ status: "completed", undo: null });
    }
    expect(await partnersTable()).toEqual(stored);
    expect(await auditOf("import.undone")).toEqual([]);

    const real = await undo(second.id as string);
    const { at: _a, message: _m, dry_run: _d, ...counts } = real.body.undo;
    const { at: _a2, message: _m2, dry_run: _d2, ...dryCounts } = byBody.body.undo;
    expect(counts).toEqual(dryCounts);
    expect((await partnersTable()).map((p) => p.key)).toEqual(["ada", "bob"]);
  });

  it("removes the customers, transactions, rewards, leads and deals an import created, and restores a deal it updated", async () => {
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["rex@example.com", "rex", "North"]],
    );
    const customers = await importRows(
      s,
      "customers",
      ["email", "customer_key", "partner_key"],
      [
        ["a@example.com", "cus_a", "rex"],
        ["b@example.com", "cus_b", ""],
      ],
    );
    const transactions = await importRows(
      s,
      "transactions",
      ["customer_key", "amount", "key"],
      [
        ["cus_a", 1000, "txn_0001"],
        ["cus_b", 2000, "txn_0002"],
      ],
    );
    const rewards = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "body"],
      [["rex", 500, "Bonus"]],
    );
    const leads = await importRows(
      s,
      "leads",
      ["partner_key", "email", "first_name", "last_name", "company_size", "external_key"],
      [
        ["rex", "l1@example.com", "Lia", "Lee", 10, "L1"],
        ["rex", "l2@example.com", "Lou", "Lo", 20, ""],
      ],
      { group_key: "referral" },
    );
    const D = ["external_key", "amount", "close_date", "stage", "partner_key"];
    await importRows(s, "deals", D, [["D1", 10000, "2026-12-01", "Working", "rex"]], {
      group_key: "resellers",
    });
    const dealsBefore = await s.db.query("SELECT * FROM deals WHERE external_key = 'D1'");
    const deals = await importRows(
      s,
      "deals",
      D,
      [
        ["D1", 25000, "2026-12-15", "Negotiation", ""],
        ["D2", 500, "2027-01-01", "Working", ""],
      ],
      { group_key: "resellers" },
    );

    for (const [done, table, removed] of [
      [rewards, "rewards", 1],
      [transactions, "transactions", 2],
      [customers, "customers", 2],
      [leads, "leads", 2],
    ] as const) {
      const answer = await undo(done.id as string);
      expect(answer.status).toBe(200);
      expect(answer.body.undo).toMatchObject({ removed, restored: 0, refused: [] });
      expect(await count(table)).toBe(0);
    }
    const answer = await undo(deals.id as string);
    expect(answer.body.undo).toMatchObject({ removed: 1, restored: 1, refused: [] });
    expect((await s.db.query("SELECT * FROM deals")).rows.map(({ updated_at: _u, ...d }) => d)).toEqual(
      dealsBefore.rows.map(({ updated_at: _u, ...d }) => d),
    );
  });

  it("refuses a record another import changed since, naming it; once that import is undone, the record is restored", async () => {
    await firstImport();
    const before = await partnersTable();
    const a = await importRows(s, "partners", P, [
      partner("", "ada", { first_name: "A2" }),
      partner("", "bob", { first_name: "B2" }),
    ]);
    const b = await importRows(s, "partners", P, [partner("", "ada", { region: "APAC" })]);

    const dry = await undo(a.id as string, { dryRun: true });
    expect(dry.body.undo).toMatchObject({ restored: 1, removed: 0 });
    expect(dry.body.undo.refused).toEqual([
      { record_key: "ada", row: 2, code: "changed_since", reason: expect.stringContaining(`Import ${b.id}`) },
    ]);
    expect(dry.body.undo.refused[0].reason).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC, by admin@acme\.test/);

    const undoneB = await undo(b.id as string);
    expect(undoneB.body.undo).toMatchObject({ restored: 1, refused: [] });
    const undoneA = await undo(a.id as string);
    expect(undoneA.body.undo).toMatchObject({ restored: 2, removed: 0, refused: [] });
    expect(await partnersTable()).toEqual(before);
  });

  it("a refused record keeps its import's change, which still counts against an undo of an earlier import", async () => {
    const first = await firstImport();
    const a = await importRows(s, "partners", P, [partner("", "ada", { first_name: "A2" })]);
    await importRows(s, "partners", P, [partner("", "ada", { region: "APAC" })]);
    // a is undone, but Ada is refused (changed since): a's change to Ada stands.
    expect((await undo(a.id as string)).body.undo.refused).toHaveLength(1);
    const dry = await undo(first.id as string, { dryRun: true });
    expect(dry.body.undo.refused.map((r: { record_key: string }) => r.record_key)).toEqual(["ada"]);
    expect(dry.body.undo.refused[0].reason).toContain("changed this partner since");
  });

  /** The import's change lines: action, the records each holds (by key), taken back or not. */
  const linesOf = async (importId: string) =>
    (
      await s.db.query<{ action: string; keys: string[]; undone: boolean }>(
        `SELECT c.action, ARRAY(SELECT p.key FROM partners p
             WHERE p.id = ANY(COALESCE(c.record_ids, ARRAY[c.record_id])) ORDER BY p.key) AS keys,
           c.undone_at IS NOT NULL AS undone
         FROM import_changes c WHERE c.import_id = $1 ORDER BY c.id`,
        [importId],
      )
    ).rows;

  /** An import creating five partners in one chunk; another changes one, a third gives one a customer. */
  const fiveThenOthers = async () => {
    const keys = ["p1", "p2", "p3", "p4", "p5"];
    const a = await importRows(
      s,
      "partners",
      P,
      keys.map((k) => partner(`${k}@example.com`, k, { territory: "North" })),
    );
    expect(a.results.map((r) => r.outcome)).toEqual(keys.map(() => "created"));
    const b = await importRows(s, "partners", P, [partner("", "p2", { first_name: "Changed" })]);
    await importRows(
      s,
      "customers",
      ["email", "customer_key", "partner_key"],
      [["c@example.com", "c", "p4"]],
    );
    return { a, b };
  };

  it("an insert's created records are one change line; undone, the refused keep it and the others leave it", async () => {
    const { a, b } = await fiveThenOthers();
    const recorded = await linesOf(a.id as string);
    expect(recorded).toEqual([{ action: "created", keys: ["p1", "p2", "p3", "p4", "p5"], undone: false }]);

    const undone = await undo(a.id as string);
    expect(undone.body.undo).toMatchObject({ removed: 3, restored: 0 });
    expect(undone.body.undo.refused).toEqual([
      { record_key: "p2", row: 3, code: "changed_since", reason: expect.stringContaining(`Import ${b.id}`) },
      {
        record_key: "p4",
        row: 5,
        code: "depended_on",
        reason: "1 customer now depends on this partner, so it was kept.",
      },
    ]);
    const { rows: left } = await s.db.query("SELECT key FROM partners ORDER BY key");
    expect(left).toEqual([{ key: "p2" }, { key: "p4" }]);
    // The line keeps its place among the changes with the refused partners; the removed ones are taken back.
    const lines = await linesOf(a.id as string);
    expect(lines[0]).toEqual({ action: "created", keys: ["p2", "p4"], undone: false });
    expect(lines.slice(1)).toEqual([{ action: "created", keys: [], undone: true }]);
    const { rows: moved } = await s.db.query<{ n: number }>(
      "SELECT cardinality(record_ids) AS n FROM import_changes WHERE import_id = $1 AND undone_at IS NOT NULL",
      [a.id],
    );
    expect(moved).toEqual([{ n: 3 }]);
    // The partner refused as changed since is the other import's to undo, back to how this one made it.
    const undoneB = await undo(b.id as string);
    expect(undoneB.body.undo).toMatchObject({ restored: 1, refused: [] });
    const { rows: p2 } = await s.db.query("SELECT first_name FROM partners WHERE key = 'p2'");
    expect(p2).toEqual([{ first_name: null }]);
  });

  it("change lines stored before migration 009, one per created record, are undone as before", async () => {
    const { a, b } = await fiveThenOthers();
    // As the importer stored them before: a 'created' line for each record.
    await s.db.query(
      `WITH old AS (DELETE FROM import_changes WHERE import_id = $1 AND action = 'created' RETURNING *)
       INSERT INTO import_changes (import_id, table_name, record_id, action)
       SELECT o.import_id, o.table_name, r, 'created' FROM old o, unnest(o.record_ids) AS r ORDER BY r`,
      [a.id],
    );
    // Numbered before the other imports' lines, as the lines of a record's creation always are.
    await s.db.query("UPDATE import_changes SET id = id - 1000000 WHERE import_id = $1", [a.id]);
    const dry = await undo(a.id as string, { dryRun: true });
    expect(dry.body.undo).toMatchObject({ removed: 3, restored: 0 });
    expect(dry.body.undo.refused.map((r: UndoRefusalLike) => [r.record_key, r.code])).toEqual([
      ["p2", "changed_since"],
      ["p4", "depended_on"],
    ]);
    const undone = await undo(a.id as string);
    expect(undone.body.undo).toMatchObject({ removed: 3, restored: 0 });
    expect(await linesOf(a.id as string)).toEqual([
      { action: "created", keys: [], undone: true },
      { action: "created", keys: ["p2"], undone: false },
      { action: "created", keys: [], undone: true },
      { action: "created", keys: ["p4"], undone: false },
      { action: "created", keys: [], undone: true },
    ]);
    expect((await undo(b.id as string)).body.undo).toMatchObject({ restored: 1, refused: [] });
  });

  it("refuses to give a partner back an email another partner has taken since, and undoes the rest", async () => {
    await firstImport();
    const moved = await importRows(s, "partners", P, [
      partner("ada.new@example.com", "ada", { first_name: "Augusta" }),
      partner("", "bob", { first_name: "Robert" }),
    ]);
    await importRows(s, "partners", P, [partner("ada@example.com", "zed", { territory: "North" })]);
    const answer = await undo(moved.id as string);
    expect(answer.status).toBe(200);
    expect(answer.body.undo).toMatchObject({ restored: 1, removed: 0 });
    expect(answer.body.undo.refused).toEqual([
      {
        record_key: "ada",
        row: 2,
        code: "changed_since",
        reason:
          'Its email cannot go back to "ada@example.com": partner zed has had that email since. The partner was left as it is.',
      },
    ]);
    const stored = await partnersTable();
    expect(stored.find((p) => p.key === "ada")).toMatchObject({
      email: "ada.new@example.com",
      first_name: "Augusta",
    });
    expect(stored.find((p) => p.key === "bob")).toMatchObject({ first_name: "Bob" });
  });

  it("refuses created records others now depend on: a partner with a customer, a customer with a transaction, a transaction with a reward, a partner user's partner", async () => {
    const partners = await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [
        ["rex@example.com", "rex", "North"],
        ["agency@example.com", "agency", "North"],
        ["lone@example.com", "lone", "North"],
      ],
    );
    const customers = await importRows(
      s,
      "customers",
      ["email", "customer_key", "partner_key"],
      [["a@example.com", "cus_a", "rex"]],
    );
    const transactions = await importRows(
      s,
      "transactions",
      ["customer_key", "amount", "key"],
      [["cus_a", 1000, "txn_0001"]],
    );
    await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "body", "target_type", "target_key"],
      [
        ["rex", 100, "For the transaction", "transaction", "txn_0001"],
        ["rex", 100, "For the customer", "customer", "cus_a"],
      ],
    );

    const ofPartners = await undo(partners.id as string);
    expect(ofPartners.status).toBe(200);
    expect(ofPartners.body.undo).toMatchObject({ removed: 1, restored: 0 });
    expect(ofPartners.body.undo.refused).toEqual([
      {
        record_key: "rex",
        row: 2,
        code: "depended_on",
        reason: "1 customer and 2 rewards now depend on this partner, so it was kept.",
      },
      {
        record_key: "agency",
        row: 3,
        code: "depended_on",
        reason: "1 partner user now depends on this partner, so it was kept.",
      },
    ]);
    expect(
      ((await s.db.query("SELECT key FROM partners ORDER BY id")).rows as { key: string }[]).map(
        (p) => p.key,
      ),
    ).toEqual(["rex", "agency"]);

    const ofCustomers = await undo(customers.id as string, { dryRun: true });
    expect(ofCustomers.body.undo.refused).toEqual([
      {
        record_key: "cus_a",
        row: 2,
        code: "depended_on",
        reason: "1 transaction and 1 reward now depend on this customer, so it was kept.",
      },
    ]);
    const ofTransactions = await undo(transactions.id as string, { dryRun: true });
    expect(ofTransactions.body.undo.refused).toEqual([
      {
        record_key: "txn_0001",
        row: 2,
        code: "depended_on",
        reason: "1 reward now depends on this transaction, so it was kept.",
      },
    ]);
  });

  it("refuses a created partner that another import's undo would point a customer back to", async () => {
    const partners = await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [
        ["rex@example.com", "rex", "North"],
        ["zed@example.com", "zed", "North"],
      ],
    );
    const C = ["email", "customer_key", "partner_key"];
    await importRows(s, "customers", C, [["a@example.com", "cus_a", "rex"]]);
    const moved = await importRows(s, "customers", C, [["a@example.com", "cus_a", "zed"]]);
    expect(moved.results.map((r) => r.outcome)).toEqual(["updated"]);

    const ofPartners = await undo(partners.id as string);
    expect(
      ofPartners.body.undo.refused.map((r: { record_key: string; reason: string }) => [
        r.record_key,
        r.reason,
      ]),
    ).toEqual([
      [
        "rex",
        "1 record another import moved away from it (undoing that import points it back) now depends on this partner, so it was kept.",
      ],
      ["zed", "1 customer now depends on this partner, so it was kept."],
    ]);
    // The customers' undo can then point cus_a back at rex.
    expect((await undo(moved.id as string)).body.undo).toMatchObject({ restored: 1, refused: [] });
  });

  it("refuses a created reward that is no longer pending, naming its status", async () => {
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["rex@example.com", "rex", "North"]],
    );
    const rewards = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "body"],
      [
        ["rex", 100, "Pending bonus"],
        ["rex", 200, "Approved bonus"],
      ],
    );
    await s.db.query("UPDATE rewards SET status = 'approved' WHERE body = 'Approved bonus'");
    const answer = await undo(rewards.id as string);
    expect(answer.body.undo).toMatchObject({ removed: 1, restored: 0 });
    expect(answer.body.undo.refused).toEqual([
      {
        record_key: rewards.results[1].object_key,
        row: 3,
        code: "reward_not_pending",
        reason: "This reward is now approved, no longer pending, so it was kept.",
      },
    ]);
    expect((await s.db.query("SELECT body FROM rewards")).rows).toEqual([{ body: "Approved bonus" }]);
  });

  it("refuses an import that ran before the importer kept what imports change, rather than call it undone", async () => {
    const done = await firstImport();
    // As if migration 006 had been applied after this import ran.
    await s.db.query(
      "UPDATE schema_migrations SET applied_at = now() + interval '1 minute' WHERE version = '006_changes_and_undo'",
    );
    const before = await partnersTable();
    const answer = await undo(done.id as string);
    expect([answer.status, answer.body.error.code]).toEqual([409, "undo_unavailable"]);
    expect(answer.body.error.message).toMatch(/ran before this importer kept what imports change/);
    expect(await partnersTable()).toEqual(before);
    expect((await s.call("GET", `/v1/imports/${done.id}`)).body.status).toBe("completed");
  });

  it("refuses an import undone already, one still processing, a dry run, another program's, and a partner user", async () => {
    const done = await firstImport();
    expect((await undo(done.id as string)).status).toBe(200);
    const again = await undo(done.id as string);
    expect([again.status, again.body.error.code]).toEqual([409, "already_undone"]);

    const open = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: P } });
    await s.call("PUT", `/v1/imports/${open.body.id}/chunks/0`, {
      body: { rows: [{ row: 2, cells: partner("cy@example.com", "cy", { territory: "North" }) }] },
    });
    const processing = await undo(open.body.id);
    expect([processing.status, processing.body.error.code]).toEqual([409, "import_open"]);
    expect(await count("partners")).toBe(1);

    const dry = await importRows(
      s,
      "partners",
      P,
      [partner("dee@example.com", "dee", { territory: "North" })],
      {
        dry_run: true,
      },
    );
    const ofDry = await undo(dry.id as string);
    expect([ofDry.status, ofDry.body.error.code]).toEqual([409, "dry_run_import"]);

    const cancelled = await s.call("POST", `/v1/imports/${open.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const ofCancelled = await undo(open.body.id);
    expect(ofCancelled.body.undo).toMatchObject({ removed: 1 });
    expect(await count("partners")).toBe(0);

    const other = await importRows(s, "partners", P, [
      partner("eve@example.com", "eve", { territory: "North" }),
    ]);
    const fromGlobex = await undo(other.id as string, { key: KEYS.other });
    expect([fromGlobex.status, fromGlobex.body.error.code]).toEqual([404, "not_found"]);
    expect((await s.call("POST", "/v1/imports/not-a-uuid/undo", { body: {} })).status).toBe(404);

    const byPartner = await undo(other.id as string, { key: KEYS.partner });
    expect(byPartner.status).toBe(403);
    const byTeammate = await undo(other.id as string, { key: KEYS.teammate });
    expect(byTeammate.status).toBe(403);
    expect(await count("partners")).toBe(1);
    expect(await auditOf("import.denied")).toEqual([
      expect.objectContaining({
        actor: "sam@acme.test",
        import_id: other.id,
        object: "partners",
        detail: { reason: expect.stringMatching(/importer permission/), attempt: "undo" },
      }),
      expect.objectContaining({
        actor: "pat@agency.test",
        import_id: other.id,
        detail: { reason: expect.stringMatching(/Partner users cannot import/), attempt: "undo" },
      }),
    ]);
  });

  it("is audited as import.undone, with its counts", async () => {
    await firstImport();
    const second = await importRows(s, "partners", P, [
      partner("", "ada", { first_name: "A2" }),
      partner("cy@example.com", "cy", { territory: "North" }),
    ]);
    await undo(second.id as string, { key: KEYS.importer });
    expect(await auditOf("import.undone")).toEqual([
      expect.objectContaining({
        actor: "ops@acme.test",
        object: "partners",
        import_id: second.id,
        counts: { removed: 1, restored: 1, refused: 0 },
        detail: { refused: 0, invites_sent: 0, invites_withdrawn: 0 },
      }),
    ]);
  });

  it("withdraws the invites of removed partners not yet sent, and counts those sent: they cannot be unsent", async () => {
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: P, options: { send_invites: true } },
    });
    const id = started.body.id as string;
    await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      body: {
        rows: [
          { row: 2, cells: partner("ada@example.com", "ada", { territory: "North" }) },
          { row: 3, cells: partner("bob@example.com", "bob", { territory: "North" }) },
        ],
      },
    });
    // Cancelled: its invites wait in the outbox; one is sent before the undo.
    await s.call("POST", `/v1/imports/${id}/cancel`);
    expect(await sendOutbox(s.db, { send: async (m) => void s.mail.push(m) }, 1)).toBe(1);
    expect(s.mail.map((m) => m.to)).toEqual(["ada@example.com"]);

    const dry = await undo(id, { dryRun: true });
    expect(dry.body.undo).toMatchObject({ removed: 2, invites_sent: 1, invites_withdrawn: 1 });
    expect(await count("outbox")).toBe(2);
    const answer = await undo(id);
    expect(answer.body.undo).toMatchObject({ removed: 2, invites_sent: 1, invites_withdrawn: 1 });
    expect(answer.body.undo.message).toContain("1 invite was sent already and cannot be unsent");
    expect((await s.db.query("SELECT to_email FROM outbox")).rows).toEqual([{ to_email: "ada@example.com" }]);
    await sendOutbox(s.db, { send: async (m) => void s.mail.push(m) });
    expect(s.mail.map((m) => m.to)).toEqual(["ada@example.com"]);
  });

  it("counts an invite being sent as sent, withdraws one whose sender stopped mid-send, and never loses one to a failed send", async () => {
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: P, options: { send_invites: true } },
    });
    const id = started.body.id as string;
    await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      body: {
        rows: [
          { row: 2, cells: partner("ada@example.com", "ada", { territory: "North" }) },
          { row: 3, cells: partner("bob@example.com", "bob", { territory: "North" }) },
          { row: 4, cells: partner("cy@example.com", "cy", { territory: "North" }) },
        ],
      },
    });
    // Cancelled: its invites wait in the outbox (a completed import would start sending them).
    await s.call("POST", `/v1/imports/${id}/cancel`);
    // A send that fails gives its claim back: the invite waits to be tried again.
    const failing = { send: async () => Promise.reject(new Error("SMTP is down")) };
    expect(await sendOutbox(s.db, failing, 1)).toBe(0);
    expect(
      (await s.db.query("SELECT sent_at, claimed_at, attempts, last_error FROM outbox ORDER BY id LIMIT 1"))
        .rows,
    ).toEqual([{ sent_at: null, claimed_at: null, attempts: 1, last_error: "SMTP is down" }]);
    // ada's invite is being sent by a sender right now (a fresh claim); bob's sender stopped mid-send an
    // hour ago (a claim past its lease); cy's waits.
    await s.db.query("UPDATE outbox SET claimed_at = now() WHERE to_email = 'ada@example.com'");
    await s.db.query(
      "UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE to_email = 'bob@example.com'",
    );

    const answer = await undo(id);
    expect(answer.body.undo).toMatchObject({ removed: 3, invites_sent: 1, invites_withdrawn: 2 });
    expect((await s.db.query("SELECT to_email FROM outbox")).rows).toEqual([{ to_email: "ada@example.com" }]);
  });

  it("sends again an invite whose sender stopped mid-send, once its claim has lapsed", async () => {
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: P, options: { send_invites: true } },
    });
    const id = started.body.id as string;
    await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      body: {
        rows: [
          { row: 2, cells: partner("ada@example.com", "ada", { territory: "North" }) },
          { row: 3, cells: partner("bob@example.com", "bob", { territory: "North" }) },
        ],
      },
    });
    // ada's sender stopped mid-send an hour ago; bob's claim is another sender's, within its lease.
    await s.db.query(
      "UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE to_email = 'ada@example.com'",
    );
    await s.db.query("UPDATE outbox SET claimed_at = now() WHERE to_email = 'bob@example.com'");
    const mailer = { send: async (m: (typeof s.mail)[number]) => void s.mail.push(m) };
    expect(await sendOutbox(s.db, mailer)).toBe(1);
    expect(s.mail.map((m) => m.to)).toEqual(["ada@example.com"]);
  });

  it("runs the same few statements to undo 400 records as to undo 4, refusals included", async () => {
    /** Undoes an import that updates `size / 2` partners and creates as many (with invites), one refused. */
    const statementsFor = async (size: number, prefix: string) => {
      const half = size / 2;
      const keys = Array.from({ length: half }, (_, i) => `${prefix}${i}`);
      await importRows(
        s,
        "partners",
        P,
        keys.map((k) => partner(`${k}@example.com`, k, { territory: "North" })),
      );
      const undone = await importRows(
        s,
        "partners",
        P,
        [
          ...keys.map((k) => partner("", k, { first_name: "Changed", tags: "t" })),
          ...keys.map((k) => partner(`${k}.new@example.com`, `${k}n`, { territory: "South" })),
        ],
        { send_invites: true },
      );
      await importRows(s, "partners", P, [partner("", `${prefix}0`, { region: "Later" })]);
      // The invites are sent first: the sender's statements are not the undo's.
      await sendOutbox(s.db, { send: async (m) => void s.mail.push(m) });
      const counter = countStatements(s);
      try {
        const answer = await undo(undone.id as string);
        expect(answer.body.undo).toMatchObject({ removed: half, restored: half - 1 });
        expect(answer.body.undo.refused).toHaveLength(1);
      } finally {
        counter.stop();
      }
      return counter.statements.length;
    };
    // 16 each (a background poll of the upload worker may fall inside the count: a little room for it).
    expect(await statementsFor(4, "small")).toBeLessThanOrEqual(18);
    expect(await statementsFor(400, "big")).toBeLessThanOrEqual(18);
  });

  it("two undos of one import at once: one undoes it, the other is told it is undone already", async () => {
    await firstImport();
    const second = await importRows(s, "partners", P, [
      partner("", "ada", { first_name: "A2" }),
      partner("cy@example.com", "cy", { territory: "North" }),
    ]);
    const answers = await Promise.all([undo(second.id as string), undo(second.id as string)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.body.error.code).toBe("already_undone");
    expect(await count("partners")).toBe(2);
    expect(await auditOf("import.undone")).toHaveLength(1);
  });

  it("an undo racing another import's chunk that updates the same partner loses neither's effect", async () => {
    await firstImport();
    const a = await importRows(s, "partners", P, [partner("", "ada", { first_name: "A2" })]);
    const b = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: P } });
    const [undone, chunk] = await Promise.all([
      undo(a.id as string),
      s.call("PUT", `/v1/imports/${b.body.id}/chunks/0`, {
        body: { rows: [{ row: 2, cells: partner("", "ada", { region: "Racing" }) }] },
      }),
    ]);
    expect([undone.status, chunk.status]).toEqual([200, 200]);
    const ada = (await partnersTable()).find((p) => p.key === "ada");
    // The chunk's change stands whichever came first; the undo restored Ada, or refused her as changed since.
    expect(ada?.fields).toMatchObject({ region: "Racing" });
    if (undone.body.undo.refused.length) {
      expect(undone.body.undo.refused[0].code).toBe("changed_since");
      expect(ada?.first_name).toBe("A2");
    } else expect(ada?.first_name).toBe("Ada");
  });
});

import { engines, importRows, startTestService, type TestService } from "./harness";

// A fresh service per test: starting PGlite and migrating it takes seconds on a busy machine.

describe.each(engines())("rewards (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["ada@example.com", "ada", "North"]],
    );
  });
  afterEach(() => s.close());

  const stored = async (partnerKey = "ada") =>
    (await s.call("GET", `/v1/rewards?key=${partnerKey}`)).body.data as Record<string, unknown>[];
  const codes = (results: { outcome: string; issues: { code: string }[] }[]) =>
    results.map((r) => [r.outcome, r.issues.map((i) => i.code)]);

  it("skips a reward whose partner does not exist, by key or by email", async () => {
    const { results } = await importRows(
      s,
      "rewards",
      ["partner_key", "partner_email", "amount_in_cents", "body"],
      [
        ["ghost", "", 1000, "Bonus"],
        ["", "ghost@example.com", 1000, "Bonus"],
        ["", "ada@example.com", 1000, "Bonus"],
      ],
    );
    expect(codes(results)).toEqual([
      ["skipped", ["unknown_partner"]],
      ["skipped", ["unknown_partner"]],
      ["created", []],
    ]);
    expect(results[0].issues[0].message).toContain('"ghost"');
    expect(await stored()).toHaveLength(1);
  });

  it("needs the target customer or transaction to exist, and stores it", async () => {
    await s.db.query(
      `INSERT INTO customers (program_id, key, email) VALUES ((SELECT id FROM programs WHERE key = 'acme'), 'cus_1', 'c@example.com')`,
    );
    await s.db.query(
      `INSERT INTO transactions (program_id, key, customer_id, amount, currency)
       SELECT program_id, 'txn_0001', id, 5000, 'USD' FROM customers WHERE key = 'cus_1'`,
    );
    const { results } = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "body", "target_type", "target_key"],
      [
        ["ada", 100, "For a customer", "customer", "cus_1"],
        ["ada", 100, "For a missing customer", "customer", "cus_404"],
        ["ada", 100, "For a transaction", "transaction", "txn_0001"],
        ["ada", 100, "A customer's key is no transaction", "transaction", "cus_1"],
      ],
    );
    expect(codes(results)).toEqual([
      ["created", []],
      ["skipped", ["target_not_found"]],
      ["created", []],
      ["skipped", ["target_not_found"]],
    ]);
    expect(results[1].issues[0]).toMatchObject({ field: "target_key", column: 5 });
    expect((await stored()).map((r) => [r.body, r.target_type, r.target_key])).toEqual([
      ["For a customer", "customer", "cus_1"],
      ["For a transaction", "transaction", "txn_0001"],
    ]);
  });

  it("turns amount_in_dollars into cents", async () => {
    const { results } = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_dollars", "body"],
      [["ada", "10.05", "Bonus"]],
    );
    expect(results[0]).toMatchObject({ outcome: "created", amount_usd_cents: 1005 });
    expect(await stored()).toMatchObject([{ original_amount_cents: 1005, amount_usd_cents: 1005 }]);
  });

  it("a chunk's answer sums the USD its rewards issued, also when it holds only the rows with issues", async () => {
    const started = await s.call("POST", "/v1/imports", {
      body: {
        object: "rewards",
        headers: ["partner_key", "amount_in_cents", "currency", "body"],
        total_rows: 3,
      },
    });
    const rows = [
      { row: 2, cells: ["ada", 1000, "CAD", "In dollars of Canada"] },
      { row: 3, cells: ["ghost", 1000, "", "For nobody"] },
      { row: 4, cells: ["ada", 250, "", "In the program's currency"] },
    ];
    const short = await s.call("PUT", `/v1/imports/${started.body.id}/chunks/0?results=issues`, {
      body: { rows },
    });
    expect(short.status).toBe(200);
    expect(short.body).toMatchObject({ issued_usd_cents: 720 + 250, counts: { created: 2, skipped: 1 } });
    expect(short.body.results.map((r: { row: number }) => r.row)).toEqual([3]);
    const full = await s.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, { body: { rows } });
    expect(full.body.issued_usd_cents).toBe(970);
    expect(full.body.results.map((r: { amount_usd_cents?: number }) => r.amount_usd_cents)).toEqual([
      720,
      undefined,
      250,
    ]);
  });

  it("converts another currency to USD with the program's rate and keeps the original", async () => {
    const { results } = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "currency", "body"],
      [
        ["ada", 1000, "CAD", "In dollars of Canada"],
        ["ada", 1000, "", "In the program's currency"],
      ],
    );
    expect(results.map((r) => r.amount_usd_cents)).toEqual([720, 1000]);
    expect(await stored()).toMatchObject([
      { amount_usd_cents: 720, original_amount_cents: 1000, original_currency: "CAD", usd_per_unit: 0.72 },
      { amount_usd_cents: 1000, original_amount_cents: 1000, original_currency: "USD", usd_per_unit: 1 },
    ]);
    expect(results[0].object_key).toBe(`reward-${(await stored())[0]?.id}`);
  });

  it("skips a currency the program has no rate for, naming the rates it has", async () => {
    const { results } = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "currency", "body"],
      [["ada", 1000, "GBP", "Bonus"]],
    );
    expect(codes(results)).toEqual([["skipped", ["unknown_currency_rate"]]]);
    const message = results[0].issues[0].message as string;
    expect(message).toContain('"GBP"');
    expect(message).toContain("CAD, EUR");
    expect(message).toContain("2026-11-01");
    expect(await stored()).toEqual([]);
  });

  it("is pending unless a status is given, and takes its date from created_at", async () => {
    await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "body", "status", "created_at", "is_external"],
      [
        ["ada", 100, "Default", "", "2021-11-05", ""],
        ["ada", 100, "Approved", "approved", "1636077035000", "true"],
      ],
    );
    expect(await stored()).toMatchObject([
      { status: "pending", created_at: "2021-11-05T00:00:00.000Z", is_external: false },
      { status: "approved", created_at: "2021-11-05T01:50:35.000Z", is_external: true },
    ]);
  });

  it("reports in a dry run the USD it would issue, and stores nothing", async () => {
    const { id, results } = await importRows(
      s,
      "rewards",
      ["partner_key", "amount_in_cents", "currency", "body"],
      [
        ["ada", 1000, "", "Bonus"],
        ["ada", 1000, "CAD", "Bonus"],
        ["ada", 1000, "GBP", "Bonus"],
      ],
      { dry_run: true },
    );
    expect(results.map((r) => [r.outcome, r.amount_usd_cents])).toEqual([
      ["created", 1000],
      ["created", 720],
      ["skipped", undefined],
    ]);
    expect((await s.call("GET", `/v1/imports/${id}`)).body.issued_usd_cents).toBe(1720);
    expect(await stored()).toEqual([]);
  });
});

import { applyProgramConfig } from "../../src/server/programs";
import { acmeConfig, engines, importRows, startTestService, type TestService } from "./harness";

// A fresh PGlite (WebAssembly, then migrations) and a few imports can take longer than jest's 5 s on a
// busy machine.

describe.each(engines())("transactions (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "customers",
      ["email", "customer_key"],
      [
        ["marlie@example.com", "cus_1"],
        ["bo@example.com", "cus_2"],
      ],
    );
  });
  afterEach(() => s.close());

  const H = [
    "customer_key",
    "customer_email",
    "amount",
    "currency",
    "key",
    "created_at",
    "metadata.plan",
    "metadata.seats",
  ];
  const row = (customer: { key?: string; email?: string }, amount: unknown, key = "", currency = "") => [
    customer.key ?? "",
    customer.email ?? "",
    amount,
    currency,
    key,
    "",
    "",
    "",
  ];
  const stored = async (key: string) => (await s.call("GET", `/v1/transactions?key=${key}`)).body.data;
  const all = async () => (await s.call("GET", "/v1/transactions")).body.data;

  it("creates a transaction for the customer named by customer_key, else by customer_email", async () => {
    const { id, results } = await importRows(s, "transactions", H, [
      row({ key: "cus_1" }, 1000, "txn_0001"),
      row({ email: "bo@example.com" }, 2000, "txn_0002"),
    ]);
    expect(results.map((r) => [r.outcome, r.object_key, r.issues])).toEqual([
      ["created", "txn_0001", []],
      ["created", "txn_0002", []],
    ]);
    expect((await stored("txn_0001"))[0]).toMatchObject({ customer_key: "cus_1", amount: 1000 });
    expect((await stored("txn_0002"))[0]).toMatchObject({ customer_key: "cus_2", amount: 2000 });
    const { rows } = await s.db.query<{ import_id: string }>("SELECT import_id FROM transactions");
    expect(rows).toEqual([{ import_id: id }, { import_id: id }]);
  });

  it("skips a transaction whose customer does not exist: customers are imported first", async () => {
    const { results } = await importRows(s, "transactions", H, [
      row({ key: "cus_nobody" }, 1000, "txn_0001"),
      row({ email: "nobody@example.com" }, 1000, "txn_0002"),
    ]);
    for (const [r, field, value] of [
      [results[0], "customer_key", "cus_nobody"],
      [results[1], "customer_email", "nobody@example.com"],
    ])
      expect(r).toMatchObject({
        outcome: "skipped",
        issues: [
          expect.objectContaining({
            code: "customer_not_found",
            field,
            message: expect.stringMatching(new RegExp(`"${value}".*import customers`)),
          }),
        ],
      });
    expect(await all()).toEqual([]);
  });

  it("skips a transaction named by an email that several customers share, asking for customer_key", async () => {
    // cus_2 moves onto cus_1's email, matched by its key.
    await importRows(s, "customers", ["email", "customer_key"], [["marlie@example.com", "cus_2"]]);
    const { results } = await importRows(s, "transactions", H, [
      row({ email: "marlie@example.com" }, 1000, "txn_0001"),
      row({ key: "cus_2" }, 1000, "txn_0002"),
    ]);
    expect(results[0]).toMatchObject({
      outcome: "skipped",
      issues: [
        expect.objectContaining({
          code: "customer_conflict",
          message: expect.stringMatching(/cus_1, cus_2.*customer_key/),
        }),
      ],
    });
    expect(results[1]).toMatchObject({ outcome: "created", object_key: "txn_0002" });
  });

  it("never updates a transaction: a key that exists already is skipped and the stored one is kept", async () => {
    await importRows(s, "transactions", H, [row({ key: "cus_1" }, 1000, "txn_0001")]);
    const { results } = await importRows(s, "transactions", H, [row({ key: "cus_2" }, 5000, "txn_0001")]);
    expect(results[0]).toMatchObject({
      outcome: "skipped",
      issues: [
        expect.objectContaining({
          code: "transaction_exists",
          field: "key",
          message: expect.stringContaining('"txn_0001"'),
        }),
      ],
    });
    expect(await stored("txn_0001")).toEqual([
      expect.objectContaining({ customer_key: "cus_1", amount: 1000 }),
    ]);
  });

  it("gives a transaction without a key a generated txn_ key", async () => {
    const { results } = await importRows(s, "transactions", H, [row({ key: "cus_1" }, 1000)]);
    expect(results[0]).toMatchObject({ outcome: "created" });
    expect(results[0].object_key).toMatch(
      /^txn_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect((await stored(results[0].object_key))[0].customer_key).toBe("cus_1");
  });

  it("stores the program's currency when the currency cell is blank", async () => {
    await applyProgramConfig(s.db, { ...acmeConfig, program: { ...acmeConfig.program, currency: "CAD" } });
    await importRows(s, "transactions", H, [
      row({ key: "cus_1" }, 1000, "txn_0001"),
      row({ key: "cus_1" }, 1000, "txn_0002", "eur"),
    ]);
    expect((await stored("txn_0001"))[0].currency).toBe("CAD");
    expect((await stored("txn_0002"))[0].currency).toBe("EUR");
  });

  it("stores metadata columns as the transaction's metadata, and created_at as when it happened", async () => {
    await importRows(s, "transactions", H, [
      ["cus_1", "", 1000, "", "txn_0001", "2020-12-25", "pro", 3],
      ["cus_1", "", 1000, "", "txn_0002", "", "", ""],
    ]);
    expect((await stored("txn_0001"))[0]).toMatchObject({
      created_at: "2020-12-25",
      metadata: { plan: "pro", seats: 3 },
    });
    expect((await stored("txn_0002"))[0]).toMatchObject({ created_at: null, metadata: {} });
  });

  it("stores a negative amount, a refund, as it is", async () => {
    const { results } = await importRows(s, "transactions", H, [row({ key: "cus_1" }, "-2500", "txn_0001")]);
    expect(results[0]).toMatchObject({ outcome: "created", issues: [] });
    expect((await stored("txn_0001"))[0].amount).toBe(-2500);
  });
});

import { engines, importRows, startTestService, type TestService } from "./harness";

// Rows that would create a record a second time: the same sheet imported twice pays once.

describe.each(engines())("repeats (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory", "group_key"],
      [
        ["ada@example.com", "ada", "North", "referral"],
        ["rex@example.com", "rex", "South", "referral"],
      ],
    );
    await importRows(
      s,
      "customers",
      ["email", "customer_key", "partner_key"],
      [["c1@example.com", "cus_1", "ada"]],
    );
  });
  afterEach(() => s.close());

  const codes = (results: { outcome: string; issues: { code: string }[] }[]) =>
    results.map((r) => [r.outcome, r.issues.map((i) => i.code)]);
  const count = async (object: string) => {
    const { rows } = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${object}`);
    return rows[0]?.n;
  };

  const REWARD_HEADERS = [
    "partner_key",
    "partner_email",
    "amount_in_dollars",
    "currency",
    "body",
    "created_at",
  ];
  const REWARDS = [
    ["ada", "", "100.00", "USD", "March bonus", "2026-03-31"],
    ["", "rex@example.com", "250.50", "CAD", "March bonus", "2026-03-31"],
    ["ada", "", "100.00", "USD", "April bonus", "2026-04-30"],
  ];

  it("the same rewards sheet imported twice creates nothing the second time, naming the import that did", async () => {
    const first = await importRows(s, "rewards", REWARD_HEADERS, REWARDS);
    expect(codes(first.results)).toEqual([
      ["created", []],
      ["created", []],
      ["created", []],
    ]);
    const issued = first.completed.body.issued_usd_cents;
    expect(issued).toBeGreaterThan(0);

    // The partner named by email the first time and by key now is the same partner: still a repeat.
    const again = REWARDS.map((r) => (r[1] === "rex@example.com" ? ["rex", "", ...r.slice(2)] : r));
    const second = await importRows(s, "rewards", REWARD_HEADERS, again, {}, 2);
    expect(codes(second.results)).toEqual([
      ["skipped", ["already_imported"]],
      ["skipped", ["already_imported"]],
      ["skipped", ["already_imported"]],
    ]);
    second.results.forEach((r: { issues: { message: string }[] }, i: number) => {
      expect(r.issues[0]?.message).toContain(`import ${first.id}`);
      expect(r.issues[0]?.message).toContain("admin@acme.test");
      expect(r.issues[0]?.message).toContain(`row ${i + 2}`);
      expect(r.issues[0]?.message).toMatch(/created on \d{4}-\d{2}-\d{2}/);
    });
    expect(second.completed.body.counts).toEqual({ rows: 3, created: 0, updated: 0, skipped: 3, repeats: 3 });
    expect(second.completed.body.issued_usd_cents).toBe(0);
    expect(await count("rewards")).toBe(3);
  });

  it("allow_repeats imports them anyway, with a warning, and the audit entry says so", async () => {
    await importRows(s, "rewards", REWARD_HEADERS, REWARDS);
    const second = await importRows(s, "rewards", REWARD_HEADERS, REWARDS, { allow_repeats: true });
    expect(codes(second.results)).toEqual([
      ["created", ["already_imported"]],
      ["created", ["already_imported"]],
      ["created", ["already_imported"]],
    ]);
    expect(second.results[0].issues[0].severity).toBe("warning");
    expect(second.completed.body.counts).toMatchObject({ created: 3, repeats: 3 });
    expect(await count("rewards")).toBe(6);
    const log = (await s.call("GET", "/v1/audit-log")).body.data as {
      action: string;
      import_id: string;
      options: { allow_repeats?: boolean };
    }[];
    const completed = log.find((e) => e.action === "import.completed" && e.import_id === second.id);
    expect(completed?.options.allow_repeats).toBe(true);
  });

  it("two equal rows of one import: the second is duplicate_in_file, in its chunk or a later one", async () => {
    const rows = [
      REWARDS[0] as string[],
      REWARDS[1] as string[],
      REWARDS[0] as string[],
      REWARDS[0] as string[],
    ];
    const { results, completed } = await importRows(s, "rewards", REWARD_HEADERS, rows, {}, 3);
    expect(codes(results)).toEqual([
      ["created", []],
      ["created", []],
      ["skipped", ["duplicate_in_file"]],
      ["skipped", ["duplicate_in_file"]],
    ]);
    expect(results[2].issues[0].message).toContain("row 2");
    expect(results[3].issues[0].message).toContain("row 2");
    expect(completed.body.counts.repeats).toBe(2);
    expect(await count("rewards")).toBe(2);
  });

  it("a dry run counts the repeats and writes nothing", async () => {
    await importRows(s, "rewards", REWARD_HEADERS, REWARDS.slice(0, 2));
    const dry = await importRows(
      s,
      "rewards",
      REWARD_HEADERS,
      [...REWARDS, REWARDS[2] as string[]],
      {
        dry_run: true,
      },
      2,
    );
    expect(codes(dry.results)).toEqual([
      ["skipped", ["already_imported"]],
      ["skipped", ["already_imported"]],
      ["created", []],
      ["skipped", ["duplicate_in_file"]],
    ]);
    expect(dry.completed.body.counts).toEqual({ rows: 4, created: 1, updated: 0, skipped: 3, repeats: 3 });
    expect(await count("rewards")).toBe(2);
  });

  it("a reward with a key is created once; a stored key is skipped as reward_exists", async () => {
    const headers = ["key", "partner_key", "amount_in_cents", "body"];
    const first = await importRows(s, "rewards", headers, [
      ["rwd_0001", "ada", 500, "Bonus"],
      ["rwd_0002", "ada", 500, "Bonus"],
    ]);
    // Two keys, the same values: two rewards, each known by its key.
    expect(codes(first.results)).toEqual([
      ["created", []],
      ["created", []],
    ]);
    expect(first.results.map((r: { object_key: string }) => r.object_key)).toEqual(["rwd_0001", "rwd_0002"]);
    const second = await importRows(s, "rewards", headers, [
      ["rwd_0001", "ada", 900, "Another bonus"],
      ["rwd_0003", "ada", 500, "Bonus"],
    ]);
    expect(codes(second.results)).toEqual([
      ["skipped", ["reward_exists"]],
      ["created", []],
    ]);
    expect(second.results[0].issues[0].message).toContain('"rwd_0001"');
    expect(await count("rewards")).toBe(3);
    const short = await importRows(s, "rewards", headers, [["r1", "ada", 500, "Bonus"]]);
    expect(short.results[0].issues.map((i: { code: string }) => i.code)).toContain("too_short");
  });

  it("transactions without a key are caught as repeats; with a key, an existing key is skipped as before", async () => {
    const headers = ["customer_key", "amount", "currency", "created_at", "key", "metadata.plan"];
    const rows = [
      ["cus_1", 4000, "USD", "2026-03-01", "", "pro"],
      ["cus_1", 4000, "", "2026-03-01", "", "team"],
      ["cus_1", 4000, "USD", "2026-03-01", "txn_0001", "pro"],
    ];
    const first = await importRows(s, "transactions", headers, rows);
    expect(codes(first.results)).toEqual([
      ["created", []],
      ["created", []],
      ["created", []],
    ]);
    // A blank currency is the program's (USD): the same transaction as one with USD written out.
    const second = await importRows(s, "transactions", headers, [
      ["cus_1", 4000, "", "2026-03-01", "", "pro"],
      ["cus_1", 4000, "USD", "2026-03-01", "", "team"],
      ["cus_1", 4000, "USD", "2026-03-01", "txn_0001", "pro"],
      ["cus_1", 4000, "USD", "2026-03-02", "", "pro"],
    ]);
    expect(codes(second.results)).toEqual([
      ["skipped", ["already_imported"]],
      ["skipped", ["already_imported"]],
      ["skipped", ["transaction_exists"]],
      ["created", []],
    ]);
    expect(second.results[1].issues[0].message).toContain(`import ${first.id}`);
    expect(await count("transactions")).toBe(4);
  });

  it("leads without an external_key are caught as repeats by group, partner and email", async () => {
    const headers = ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"];
    const referral = { group_key: "referral" };
    await importRows(s, "leads", headers, [["ada", "joe@example.com", "Joe", "Kirby", "", 10]], referral);
    const second = await importRows(
      s,
      "leads",
      headers,
      [
        ["ada", "JOE@example.com", "Joseph", "Kirby", "", 12],
        ["rex", "joe@example.com", "Joe", "Kirby", "", 10],
        ["ada", "joe@example.com", "Joe", "Kirby", "lead_1", 10],
      ],
      referral,
    );
    expect(codes(second.results)).toEqual([
      ["skipped", ["already_imported"]],
      ["created", []],
      ["created", []],
    ]);
    expect(await count("leads")).toBe(3);
  });

  it("two imports of the same rewards at once create them once", async () => {
    const [a, b] = await Promise.all([
      importRows(s, "rewards", REWARD_HEADERS, REWARDS, {}, 1),
      importRows(s, "rewards", REWARD_HEADERS, REWARDS, {}, 1),
    ]);
    const created = [...a.results, ...b.results].filter((r: { outcome: string }) => r.outcome === "created");
    expect(created).toHaveLength(3);
    expect(await count("rewards")).toBe(3);
  });
});

import { engines, importRows, startTestService, type TestService } from "./harness";

// A fresh PGlite (WebAssembly, then migrations) and a few imports can take longer than jest's 5 s on a
// busy machine.

describe.each(engines())("customers (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = [
    "email",
    "customer_key",
    "partner_key",
    "name",
    "created_at",
    "company_name",
    "state",
    "unit",
    "postal",
  ];
  const row = (email: string, key = "", fields: { partner?: string; name?: string } = {}) => [
    email,
    key,
    fields.partner ?? "",
    fields.name ?? "",
    "",
    "",
    "",
    "",
    "",
  ];
  const stored = async (key: string) => (await s.call("GET", `/v1/customers?key=${key}`)).body.data;
  const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);

  /** Two customers that share one email: cus_a, and cus_b moved onto cus_a's email by its key. */
  async function twoCustomersSharing(email: string) {
    await importRows(s, "customers", H, [row(email, "cus_a"), row("b@example.com", "cus_b")]);
    await importRows(s, "customers", H, [row(email, "cus_b")]);
  }

  it("creates customers, then updates them matched by customer_key, else by email", async () => {
    const first = await importRows(s, "customers", H, [
      row("marlie@example.com", "cus_1", { name: "Marlie" }),
      row("bo@example.com", "", { name: "Bo" }),
    ]);
    expect(first.results.map((r) => [r.outcome, r.issues])).toEqual([
      ["created", []],
      ["created", []],
    ]);
    const boKey = first.results[1].object_key;

    const second = await importRows(s, "customers", H, [
      row("marlie.new@example.com", "cus_1", { name: "Marlie B." }),
      row("BO@example.com", "", { name: "Bo C." }),
    ]);
    expect(second.results.map((r) => [r.outcome, r.object_key, r.issues])).toEqual([
      ["updated", "cus_1", []],
      ["updated", boKey, []],
    ]);
    expect(await stored("cus_1")).toEqual([
      expect.objectContaining({ email: "marlie.new@example.com", name: "Marlie B." }),
    ]);
    expect(await stored(boKey)).toEqual([
      expect.objectContaining({ email: "bo@example.com", name: "Bo C." }),
    ]);
    expect((await s.call("GET", "/v1/customers")).body.data).toHaveLength(2);
  });

  it("a customer_key no one has falls back to the email, with a warning, and the stored key stays", async () => {
    await importRows(s, "customers", H, [row("marlie@example.com", "cus_1")]);
    const { results } = await importRows(s, "customers", H, [
      row("marlie@example.com", "cus_typo", { name: "Marlie" }),
      row("new@example.com", "cus_2"),
    ]);
    expect(results[0]).toMatchObject({
      outcome: "updated",
      object_key: "cus_1",
      issues: [
        expect.objectContaining({
          severity: "warning",
          field: "customer_key",
          message: expect.stringContaining('"cus_typo"'),
        }),
      ],
    });
    expect(results[1]).toMatchObject({ outcome: "created", object_key: "cus_2", issues: [] });
    expect(await stored("cus_typo")).toEqual([]);
    expect((await stored("cus_1"))[0].name).toBe("Marlie");
  });

  it("skips a row matched by an email that several customers share, asking for the customer_key", async () => {
    await twoCustomersSharing("shared@example.com");
    const { results } = await importRows(s, "customers", H, [
      row("shared@example.com", "", { name: "Who?" }),
    ]);
    expect(results[0]).toMatchObject({
      outcome: "skipped",
      object_key: null,
      issues: [
        expect.objectContaining({
          code: "customer_conflict",
          message: expect.stringMatching(/"shared@example.com".*cus_a, cus_b.*customer_key/),
        }),
      ],
    });
    const byKey = await importRows(s, "customers", H, [row("shared@example.com", "cus_b", { name: "Bee" })]);
    expect(byKey.results[0]).toMatchObject({ outcome: "updated", object_key: "cus_b" });
    expect((await stored("cus_a"))[0].name).toBeNull();
    expect((await stored("cus_b"))[0].name).toBe("Bee");
  });

  it("skips a row whose partner_key names no partner, and links one that does", async () => {
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["ada@example.com", "ada", "North"]],
    );
    const { results } = await importRows(s, "customers", H, [
      row("marlie@example.com", "cus_1", { partner: "ada" }),
      row("bo@example.com", "cus_2", { partner: "nobody" }),
    ]);
    expect(results.map(codes)).toEqual([[], ["unknown_partner"]]);
    expect(results[1]).toMatchObject({
      outcome: "skipped",
      issues: [
        expect.objectContaining({ field: "partner_key", message: expect.stringContaining('"nobody"') }),
      ],
    });
    expect((await stored("cus_1"))[0].partner_key).toBe("ada");
    expect(await stored("cus_2")).toEqual([]);
  });

  it("gives a customer created without a customer_key a generated cus_ key", async () => {
    const { results } = await importRows(s, "customers", H, [row("a@example.com"), row("b@example.com")]);
    const keys = results.map((r) => r.object_key);
    for (const key of keys) expect(key).toMatch(/^cus_[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(2);
    expect((await stored(keys[0]))[0].email).toBe("a@example.com");
  });

  it("leaves stored values alone where a cell is blank, and stores created_at as the sign-up date", async () => {
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory"],
      [["ada@example.com", "ada", "North"]],
    );
    const full = [
      "marlie@example.com",
      "cus_1",
      "ada",
      "Marlie",
      "2020-12-25",
      "Marlie Co",
      "New York",
      "Unit 12",
      "02134",
    ];
    await importRows(s, "customers", H, [full]);
    const { results } = await importRows(s, "customers", H, [row("marlie@example.com", "cus_1")]);
    expect(results[0]).toMatchObject({ outcome: "updated", issues: [] });
    expect((await stored("cus_1"))[0]).toMatchObject({
      email: "marlie@example.com",
      partner_key: "ada",
      name: "Marlie",
      created_at: "2020-12-25",
      company_name: "Marlie Co",
      state: "New York",
      unit: "Unit 12",
      postal: "02134",
    });
  });
});

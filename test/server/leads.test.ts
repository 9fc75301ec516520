import { engines, importRows, startTestService, type TestService } from "./harness";

// A fresh service per test: starting PGlite and migrating it takes seconds on a busy machine.

describe.each(engines())("leads (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory", "group_key"],
      [
        ["ada@example.com", "ada", "North", "referral"],
        ["rex@example.com", "rex", "South", "resellers"],
        ["nia@example.com", "nia", "South", ""],
      ],
    );
  });
  afterEach(() => s.close());

  const H = [
    "partner_key",
    "email",
    "first_name",
    "last_name",
    "status",
    "external_key",
    "company_size",
    "industry",
  ];
  const referral = { group_key: "referral" };
  const stored = async (externalKey: string) =>
    (await s.call("GET", `/v1/leads?key=${externalKey}`)).body.data as Record<string, unknown>[];
  const codes = (results: { outcome: string; issues: { code: string }[] }[]) =>
    results.map((r) => [r.outcome, r.issues.map((i) => i.code)]);

  it("refuses to start an import into a group without leads, saying which groups have them", async () => {
    const { started } = await importRows(s, "leads", H.slice(0, 4), [], { group_key: "default" });
    expect(started.status).toBe(400);
    expect(started.body.error.code).toBe("group_feature_disabled");
    expect(started.body.error.message).toContain("referral, resellers");
  });

  it("skips a lead whose partner does not exist", async () => {
    const { results } = await importRows(
      s,
      "leads",
      H,
      [
        ["ghost", "joe@example.com", "Joe", "Kirby", "", "L1", 10, ""],
        ["ada", "joe@example.com", "Joe", "Kirby", "", "L2", 10, ""],
      ],
      referral,
    );
    expect(codes(results)).toEqual([
      ["skipped", ["unknown_partner"]],
      ["created", []],
    ]);
    expect(results[0].issues[0].message).toContain('"ghost"');
    expect(await stored("L1")).toEqual([]);
  });

  it("warns about a partner of another group (none: the default group) and imports the lead all the same", async () => {
    const { results } = await importRows(
      s,
      "leads",
      H,
      [
        ["rex", "joe@example.com", "Joe", "Kirby", "", "L1", 10, ""],
        ["nia", "kim@example.com", "Kim", "Lee", "", "L2", 10, ""],
        ["ada", "max@example.com", "Max", "Roe", "", "L3", 10, ""],
      ],
      referral,
    );
    expect(codes(results)).toEqual([
      ["created", ["partner_in_other_group"]],
      ["created", ["partner_in_other_group"]],
      ["created", []],
    ]);
    expect(results[0].issues[0]).toMatchObject({ severity: "warning", field: "partner_key" });
    expect(results[1].issues[0].message).toContain('"default"');
    expect(await stored("L1")).toMatchObject([{ partner_key: "rex", group_key: "referral" }]);
  });

  it("updates the lead with the same external_key, leaving blank cells' values alone", async () => {
    await importRows(
      s,
      "leads",
      H,
      [["ada", "joe@example.com", "Joe", "Kirby", "closed", "L1", 10, "SaaS"]],
      referral,
    );
    const second = await importRows(
      s,
      "leads",
      H,
      [["ada", "joe@kirby.test", "Joseph", "Kirby", "", "L1", 25, ""]],
      referral,
    );
    expect(second.results.map((r) => [r.outcome, r.object_key])).toEqual([["updated", "L1"]]);
    expect(await stored("L1")).toMatchObject([
      {
        email: "joe@kirby.test",
        first_name: "Joseph",
        status: "closed",
        fields: { company_size: 25, industry: "SaaS" },
      },
    ]);
  });

  it("creates a lead without external_key once: imported again, it is a repeat; allowed, a new lead", async () => {
    const row = ["ada", "joe@example.com", "Joe", "Kirby", "", "", 10, ""];
    const first = await importRows(s, "leads", H, [row], referral);
    const second = await importRows(s, "leads", H, [row], referral);
    const third = await importRows(s, "leads", H, [row], { ...referral, allow_repeats: true });
    expect([...first.results, ...second.results, ...third.results].map((r) => r.outcome)).toEqual([
      "created",
      "skipped",
      "created",
    ]);
    expect(second.results[0].issues[0].code).toBe("already_imported");
    expect(first.results[0].object_key).toMatch(/^lead-\d+$/);
    expect(third.results[0].object_key).not.toBe(first.results[0].object_key);
  });

  it("stores the group's lead form fields", async () => {
    await importRows(
      s,
      "leads",
      H,
      [["ada", "joe@example.com", "Joe", "Kirby", "", "L1", "12", "Retail"]],
      referral,
    );
    expect(await stored("L1")).toMatchObject([{ fields: { company_size: 12, industry: "Retail" } }]);
  });

  it("is open unless a status is given", async () => {
    await importRows(
      s,
      "leads",
      H,
      [
        ["ada", "joe@example.com", "Joe", "Kirby", "", "L1", 10, ""],
        ["ada", "kim@example.com", "Kim", "Lee", "dead", "L2", 10, ""],
      ],
      referral,
    );
    expect((await stored("L1"))[0]?.status).toBe("open");
    expect((await stored("L2"))[0]?.status).toBe("dead");
  });
});

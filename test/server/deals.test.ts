import { engines, importRows, startTestService, type TestService } from "./harness";

// A fresh service per test: starting PGlite and migrating it takes seconds on a busy machine.

describe.each(engines())("deals (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "territory", "group_key"],
      [
        ["rex@example.com", "rex", "South", "resellers"],
        ["ada@example.com", "ada", "North", "referral"],
      ],
    );
  });
  afterEach(() => s.close());

  const H = ["external_key", "amount", "close_date", "stage", "partner_key", "account_name", "created_at"];
  const resellers = { group_key: "resellers" };
  const stored = async (externalKey: string) =>
    (await s.call("GET", `/v1/deals?key=${externalKey}`)).body.data as Record<string, unknown>[];
  const codes = (results: { outcome: string; issues: { code: string }[] }[]) =>
    results.map((r) => [r.outcome, r.issues.map((i) => i.code)]);

  it("creates a deal, then updates it by external_key, leaving blank cells' values alone", async () => {
    const first = await importRows(
      s,
      "deals",
      H,
      [["D1", 10000, "2026-12-01", "Working", "rex", "Kirby Co", "2026-10-01"]],
      resellers,
    );
    expect(first.results.map((r) => [r.outcome, r.object_key])).toEqual([["created", "D1"]]);
    const second = await importRows(
      s,
      "deals",
      H,
      [["D1", 25000, "2026-12-15", "Negotiation", "", "", ""]],
      resellers,
    );
    expect(second.results.map((r) => [r.outcome, r.object_key])).toEqual([["updated", "D1"]]);
    expect(await stored("D1")).toEqual([
      expect.objectContaining({
        group_key: "resellers",
        amount: 25000,
        close_date: "2026-12-15",
        stage: "Negotiation",
        partner_key: "rex",
        account_name: "Kirby Co",
        created_at: "2026-10-01",
      }),
    ]);
  });

  it("skips a stage that is not one of the group's", async () => {
    const { results } = await importRows(
      s,
      "deals",
      H,
      [["D1", 10000, "2026-12-01", "Won", "", "", ""]],
      resellers,
    );
    expect(codes(results)).toEqual([["skipped", ["invalid_choice"]]]);
    expect(await stored("D1")).toEqual([]);
  });

  it("skips a deal whose partner does not exist, and takes one without a partner", async () => {
    const { results } = await importRows(
      s,
      "deals",
      H,
      [
        ["D1", 10000, "2026-12-01", "Working", "ghost", "", ""],
        ["D2", 10000, "2026-12-01", "Working", "", "", ""],
      ],
      resellers,
    );
    expect(codes(results)).toEqual([
      ["skipped", ["unknown_partner"]],
      ["created", []],
    ]);
    expect(results[0].issues[0].message).toContain('"ghost"');
    expect(await stored("D1")).toEqual([]);
    expect(await stored("D2")).toMatchObject([{ partner_key: null }]);
  });

  it("warns about a partner of another group and imports the deal all the same", async () => {
    const { results } = await importRows(
      s,
      "deals",
      H,
      [
        ["D1", 10000, "2026-12-01", "Working", "ada", "", ""],
        ["D2", 10000, "2026-12-01", "Working", "rex", "", ""],
      ],
      resellers,
    );
    expect(codes(results)).toEqual([
      ["created", ["partner_in_other_group"]],
      ["created", []],
    ]);
    expect(results[0].issues[0]).toMatchObject({ severity: "warning", field: "partner_key" });
    expect(await stored("D1")).toMatchObject([{ partner_key: "ada" }]);
  });
});

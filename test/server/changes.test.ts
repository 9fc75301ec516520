import { parse } from "csv-parse/sync";
import { engines, importRows, startTestService, type TestService } from "./harness";

interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

const byField = (changes: Change[] | undefined) =>
  [...(changes ?? [])].sort((a, b) => a.field.localeCompare(b.field));

describe.each(engines())("what an update changes, stored → new (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const P = [
    "partner_email",
    "partner_key",
    "first_name",
    "partner_joined_date",
    "tags",
    "territory",
    "region",
  ];
  const stored = async (object: string, key: string) =>
    (await s.call("GET", `/v1/${object}?key=${key}`)).body.data[0];

  /** Ada as stored before each partners test. */
  async function storeAda() {
    const { results } = await importRows(s, "partners", P, [
      ["ada@example.com", "ada", "Ada", "2026-01-05", "gold", "North", "EMEA"],
    ]);
    expect(results[0].outcome).toBe("created");
    expect(results[0].changes).toBeUndefined();
  }

  const ADA_CHANGES = [
    { field: "first_name", from: "Ada", to: "Ada L." },
    { field: "partner_email", from: "ada@example.com", to: "ada.new@example.com" },
    { field: "partner_joined_date", from: "2026-01-05", to: "2026-02-01" },
    { field: "tags", from: ["gold"], to: ["gold", "saas"] },
    { field: "territory", from: "North", to: "South" },
  ];
  // Region blank (stored stays), tag gold already there.
  const ADA_ROW = ["ada.new@example.com", "ada", "Ada L.", "2026-02-01", "gold, saas", "South", ""];

  it("a dry run lists each field a partner's row would change, custom fields and tags included, and changes nothing", async () => {
    await storeAda();
    const before = await stored("partners", "ada");
    const { results } = await importRows(s, "partners", P, [ADA_ROW], { dry_run: true });
    expect(results[0]).toMatchObject({ outcome: "updated", object_key: "ada" });
    expect(byField(results[0].changes)).toEqual(ADA_CHANGES);
    expect(await stored("partners", "ada")).toEqual(before);
  });

  it("the real import's row results and report carry the same changes as its dry run", async () => {
    await storeAda();
    const dry = await importRows(s, "partners", P, [ADA_ROW], { dry_run: true });
    const real = await importRows(s, "partners", P, [ADA_ROW]);
    expect(byField(real.results[0].changes)).toEqual(byField(dry.results[0].changes));
    const report = await s.call("GET", `/v1/imports/${real.id}/report`);
    expect(byField(report.body.results[0].changes)).toEqual(ADA_CHANGES);
    const dryReport = await s.call("GET", `/v1/imports/${dry.id}/report`);
    expect(byField(dryReport.body.results[0].changes)).toEqual(ADA_CHANGES);
    expect(await stored("partners", "ada")).toMatchObject({
      partner_email: "ada.new@example.com",
      tags: ["gold", "saas"],
      fields: { territory: "South", region: "EMEA" },
    });
  });

  it("lists no field left blank or set to its stored value: such a row updates with no changes", async () => {
    await storeAda();
    const { results } = await importRows(s, "partners", P, [
      ["ada@example.com", "ada", "Ada", "", "gold", "North", ""],
    ]);
    expect(results[0]).toMatchObject({ outcome: "updated", changes: [], issues: [] });
  });

  it("a row matched by partner_key that changes the email warns, saying from what to what (dry run: would)", async () => {
    await storeAda();
    const dry = await importRows(s, "partners", P, [["ada.new@example.com", "ada", "", "", "", "", ""]], {
      dry_run: true,
    });
    expect(dry.results[0].issues).toEqual([
      {
        row: 2,
        column: 1,
        field: "partner_email",
        severity: "warning",
        code: "email_changed",
        message:
          'Matched by partner_key "ada": its email would change from "ada@example.com" to "ada.new@example.com"',
      },
    ]);
    const real = await importRows(s, "partners", P, [["ada.new@example.com", "ada", "", "", "", "", ""]]);
    expect(real.results[0].outcome).toBe("updated");
    expect(real.results[0].issues.map((i: { message: string }) => i.message)).toEqual([
      'Matched by partner_key "ada": its email changes from "ada@example.com" to "ada.new@example.com"',
    ]);
    // Matched by email, or by key with the same email: no warning.
    const same = await importRows(s, "partners", P, [
      ["ada.new@example.com", "ada", "Ada B.", "", "", "", ""],
    ]);
    expect(same.results[0].issues).toEqual([]);
  });

  it("two rows reaching one partner: each change is listed on the row that sets that field", async () => {
    await storeAda();
    const { results } = await importRows(s, "partners", P, [
      ["", "ada", "", "", "", "", "APAC"],
      ["ada@example.com", "", "Ada B.", "", "", "", ""],
    ]);
    expect(results.map((r) => [r.outcome, r.changes])).toEqual([
      ["updated", [{ field: "region", from: "EMEA", to: "APAC" }]],
      ["updated", [{ field: "first_name", from: "Ada", to: "Ada B." }]],
    ]);
  });

  it("the CSV report lists each change in the row's messages, stored → new", async () => {
    await storeAda();
    const { id } = await importRows(s, "partners", P, [ADA_ROW]);
    const csv = parse((await s.call("GET", `/v1/imports/${id}/report?format=csv`)).text) as string[][];
    expect(csv[1]?.slice(0, 4)).toEqual(["2", "updated", "ada", "email_changed"]);
    const lines = (csv[1]?.[4] ?? "").split("\n");
    expect(lines[0]).toMatch(/^Warning: Matched by partner_key "ada"/);
    expect(lines.slice(1).sort()).toEqual([
      'first_name: "Ada" → "Ada L."',
      'partner_email: "ada@example.com" → "ada.new@example.com"',
      'partner_joined_date: "2026-01-05" → "2026-02-01"',
      'tags: ["gold"] → ["gold","saas"]',
      'territory: "North" → "South"',
    ]);
  });

  describe("customers, leads and deals", () => {
    beforeEach(async () => {
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

    it("a customer's changed fields, its partner by key", async () => {
      const C = ["email", "customer_key", "partner_key", "name", "created_at", "postal"];
      await importRows(s, "customers", C, [
        ["marlie@example.com", "cus_1", "rex", "Marlie", "2026-01-02", "02134"],
      ]);
      const row = ["marlie@example.com", "cus_1", "ada", "Marlie B.", "", "02134"];
      const dry = await importRows(s, "customers", C, [row], { dry_run: true });
      const expected = [
        { field: "name", from: "Marlie", to: "Marlie B." },
        { field: "partner_key", from: "rex", to: "ada" },
      ];
      expect(byField(dry.results[0].changes)).toEqual(expected);
      expect(await stored("customers", "cus_1")).toMatchObject({ name: "Marlie", partner_key: "rex" });
      const real = await importRows(s, "customers", C, [row]);
      expect(byField(real.results[0].changes)).toEqual(expected);
      expect(await stored("customers", "cus_1")).toMatchObject({ name: "Marlie B.", partner_key: "ada" });
    });

    it("a lead's changed fields, its form's fields by their own names", async () => {
      const L = ["partner_key", "email", "first_name", "last_name", "status", "external_key", "company_size"];
      await importRows(s, "leads", L, [["ada", "joe@example.com", "Joe", "Kirby", "", "L1", 10]], {
        group_key: "referral",
      });
      const row = ["ada", "joe@example.com", "Joseph", "Kirby", "closed", "L1", 25];
      const expected = [
        { field: "company_size", from: 10, to: 25 },
        { field: "first_name", from: "Joe", to: "Joseph" },
        { field: "status", from: "open", to: "closed" },
      ];
      const dry = await importRows(s, "leads", L, [row], { group_key: "referral", dry_run: true });
      expect(byField(dry.results[0].changes)).toEqual(expected);
      const real = await importRows(s, "leads", L, [row], { group_key: "referral" });
      expect(byField(real.results[0].changes)).toEqual(expected);
    });

    it("a deal's changed fields; a blank partner_key leaves its partner, and lists nothing for it", async () => {
      const D = [
        "external_key",
        "amount",
        "close_date",
        "stage",
        "partner_key",
        "account_name",
        "created_at",
      ];
      const resellers = { group_key: "resellers" };
      await importRows(
        s,
        "deals",
        D,
        [["D1", 10000, "2026-12-01", "Working", "rex", "Kirby Co", "2026-10-01"]],
        resellers,
      );
      const row = ["D1", 25000, "2026-12-01", "Negotiation", "", "", ""];
      const expected = [
        { field: "amount", from: 10000, to: 25000 },
        { field: "stage", from: "Working", to: "Negotiation" },
      ];
      const dry = await importRows(s, "deals", D, [row], { ...resellers, dry_run: true });
      expect(byField(dry.results[0].changes)).toEqual(expected);
      const real = await importRows(s, "deals", D, [row], resellers);
      expect(byField(real.results[0].changes)).toEqual(expected);
      expect(await stored("deals", "D1")).toMatchObject({ amount: 25000, partner_key: "rex" });
    });
  });

  it("holds each chunk's changes to its own rows, across chunks of one import", async () => {
    await importRows(
      s,
      "partners",
      P,
      ["a", "b", "c"].map((k) => [`${k}@example.com`, k, "Old", "", "", "North", ""]),
    );
    const { results } = await importRows(
      s,
      "partners",
      P,
      ["a", "b", "c"].map((k) => ["", k, `New ${k}`, "", "", "", ""]),
      {},
      1,
    );
    expect(results.map((r) => r.changes)).toEqual(
      ["a", "b", "c"].map((k) => [{ field: "first_name", from: "Old", to: `New ${k}` }]),
    );
  });
});

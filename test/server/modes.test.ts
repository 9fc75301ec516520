import { engines, importRows, KEYS, multipart, startTestService, type TestService } from "./harness";

interface Result {
  row: number;
  outcome: string;
  object_key: string | null;
  issues: { code: string; message: string; field: string | null; column: number | null }[];
}

const outcomes = (results: Result[]) => results.map((r) => [r.outcome, r.issues.map((i) => i.code)]);
const excluded = (r: Result) => r.issues.find((i) => i.code === "excluded_by_mode");

describe.each(engines())("import modes and retry_of (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
    await importRows(
      s,
      "partners",
      ["partner_email", "partner_key", "first_name", "territory", "group_key"],
      [
        ["ada@example.com", "ada", "Ada", "North", "referral"],
        ["rex@example.com", "rex", "Rex", "South", "resellers"],
      ],
    );
  });
  afterEach(() => s.close());

  const list = async (object: string) =>
    (await s.call("GET", `/v1/${object}?limit=100`)).body.data as Record<string, unknown>[];

  describe("partners", () => {
    const H = ["partner_email", "partner_key", "first_name", "territory"];
    const rows = [
      ["ada@example.com", "ada", "Ada Changed", "North"],
      ["zed@example.com", "zed", "Zed", "North"],
    ];

    it("create_only creates new partners and skips those that exist, changing nothing of them", async () => {
      const { started, results } = await importRows(s, "partners", H, rows, { mode: "create_only" });
      expect(started.body.options.mode).toBe("create_only");
      expect(outcomes(results)).toEqual([
        ["skipped", ["excluded_by_mode"]],
        ["created", []],
      ]);
      expect(excluded(results[0])).toMatchObject({
        field: "partner_key",
        column: 2,
        message: "Partner ada exists, and this import only creates (Create only): nothing was changed",
      });
      const stored = await list("partners");
      expect(stored.find((p) => p.partner_key === "ada")).toMatchObject({ first_name: "Ada" });
      expect(stored.find((p) => p.partner_key === "zed")).toMatchObject({ first_name: "Zed" });
    });

    it("update_only updates partners that exist and skips new ones, creating nothing", async () => {
      const { results } = await importRows(s, "partners", H, rows, { mode: "update_only" });
      expect(outcomes(results)).toEqual([
        ["updated", []],
        ["skipped", ["excluded_by_mode"]],
      ]);
      expect(excluded(results[1])?.message).toBe(
        'No partner has partner_key "zed" or partner_email "zed@example.com", and this import only updates (Update only): nothing was created',
      );
      const stored = await list("partners");
      expect(stored.map((p) => p.partner_key).sort()).toEqual(["ada", "rex"]);
      expect(stored.find((p) => p.partner_key === "ada")).toMatchObject({ first_name: "Ada Changed" });
    });

    it("a row matched by email under create_only is excluded on its email column", async () => {
      const { results } = await importRows(
        s,
        "partners",
        ["partner_email", "first_name"],
        [["rex@example.com", "Changed"]],
        { mode: "create_only" },
      );
      expect(excluded(results[0])).toMatchObject({ field: "partner_email", column: 1 });
      expect((await list("partners")).find((p) => p.partner_key === "rex")).toMatchObject({
        first_name: "Rex",
      });
    });

    it("create_and_update is the default, and does both", async () => {
      const { started, results } = await importRows(s, "partners", H, rows);
      expect(started.body.options.mode).toBe("create_and_update");
      expect(outcomes(results)).toEqual([
        ["updated", []],
        ["created", []],
      ]);
    });
  });

  describe("customers", () => {
    const H = ["email", "customer_key", "name"];
    beforeEach(async () => {
      await importRows(s, "customers", H, [["marlie@example.com", "cus_1", "Marlie"]]);
    });
    const rows = [
      ["marlie@example.com", "cus_1", "Marlie B."],
      ["bo@example.com", "cus_2", "Bo"],
    ];

    it("create_only skips a stored customer and creates a new one", async () => {
      const { results } = await importRows(s, "customers", H, rows, { mode: "create_only" });
      expect(outcomes(results)).toEqual([
        ["skipped", ["excluded_by_mode"]],
        ["created", []],
      ]);
      expect(excluded(results[0])).toMatchObject({
        field: "customer_key",
        message: "Customer cus_1 exists, and this import only creates (Create only): nothing was changed",
      });
      const stored = await list("customers");
      expect(stored.map((c) => [c.key ?? c.customer_key, c.name]).sort()).toEqual([
        ["cus_1", "Marlie"],
        ["cus_2", "Bo"],
      ]);
    });

    it("update_only updates a stored customer and creates none", async () => {
      const { results } = await importRows(s, "customers", H, rows, { mode: "update_only" });
      expect(outcomes(results)).toEqual([
        ["updated", []],
        ["skipped", ["excluded_by_mode"]],
      ]);
      expect(excluded(results[1])?.message).toBe(
        'No customer has customer_key "cus_2" or email "bo@example.com", and this import only updates (Update only): nothing was created',
      );
      const stored = await list("customers");
      expect(stored.map((c) => c.name)).toEqual(["Marlie B."]);
    });
  });

  describe("leads", () => {
    const H = ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"];
    const referral = { group_key: "referral" };
    beforeEach(async () => {
      await importRows(s, "leads", H, [["ada", "joe@example.com", "Joe", "Kirby", "L1", 10]], referral);
    });
    const rows = [
      ["ada", "joe@example.com", "Joseph", "Kirby", "L1", 10],
      ["ada", "kim@example.com", "Kim", "Lee", "L2", 5],
      ["ada", "lou@example.com", "Lou", "May", "", 5],
    ];

    it("create_only skips a stored lead and creates the new ones", async () => {
      const { results } = await importRows(s, "leads", H, rows, { ...referral, mode: "create_only" });
      expect(outcomes(results)).toEqual([
        ["skipped", ["excluded_by_mode"]],
        ["created", []],
        ["created", []],
      ]);
      expect(excluded(results[0])).toMatchObject({
        field: "external_key",
        message: "Lead L1 exists, and this import only creates (Create only): nothing was changed",
      });
      const stored = await list("leads");
      expect(stored).toHaveLength(3);
      expect(stored.find((l) => l.external_key === "L1")).toMatchObject({ first_name: "Joe" });
    });

    it("update_only updates a stored lead and creates none, a lead without external_key included", async () => {
      const { results } = await importRows(s, "leads", H, rows, { ...referral, mode: "update_only" });
      expect(outcomes(results)).toEqual([
        ["updated", []],
        ["skipped", ["excluded_by_mode"]],
        ["skipped", ["excluded_by_mode"]],
      ]);
      expect(excluded(results[1])?.message).toBe(
        'No lead has external_key "L2", and this import only updates (Update only): nothing was created',
      );
      expect(excluded(results[2])?.message).toMatch(/without an external_key.*Update only/);
      const stored = await list("leads");
      expect(stored.map((l) => l.first_name)).toEqual(["Joseph"]);
    });
  });

  describe("deals", () => {
    const H = ["external_key", "amount", "close_date", "stage", "partner_key"];
    const resellers = { group_key: "resellers" };
    beforeEach(async () => {
      await importRows(s, "deals", H, [["D1", 10000, "2026-12-01", "Working", "rex"]], resellers);
    });
    const rows = [
      ["D1", 20000, "2026-12-01", "Working", "rex"],
      ["D2", 5000, "2026-12-01", "Working", "rex"],
    ];

    it("create_only skips a stored deal and creates a new one", async () => {
      const { results } = await importRows(s, "deals", H, rows, { ...resellers, mode: "create_only" });
      expect(outcomes(results)).toEqual([
        ["skipped", ["excluded_by_mode"]],
        ["created", []],
      ]);
      expect(excluded(results[0])?.message).toBe(
        "Deal D1 exists, and this import only creates (Create only): nothing was changed",
      );
      const stored = await list("deals");
      expect(stored.map((d) => [d.external_key, d.amount]).sort()).toEqual([
        ["D1", 10000],
        ["D2", 5000],
      ]);
    });

    it("update_only updates a stored deal and creates none", async () => {
      const { results } = await importRows(s, "deals", H, rows, { ...resellers, mode: "update_only" });
      expect(outcomes(results)).toEqual([
        ["updated", []],
        ["skipped", ["excluded_by_mode"]],
      ]);
      expect(excluded(results[1])?.message).toBe(
        'No deal has external_key "D2", and this import only updates (Update only): nothing was created',
      );
      expect((await list("deals")).map((d) => [d.external_key, d.amount])).toEqual([["D1", 20000]]);
    });
  });

  it("transactions and rewards take only create_and_update: another mode is 422 invalid_option, saying why", async () => {
    for (const [object, headers] of [
      ["transactions", ["customer_key", "amount"]],
      ["rewards", ["partner_key", "amount_in_cents", "body"]],
    ] as const) {
      for (const mode of ["create_only", "update_only"]) {
        const r = await s.call("POST", "/v1/imports", { body: { object, headers, options: { mode } } });
        expect(r.status).toBe(422);
        expect(r.body.error.code).toBe("invalid_option");
        expect(r.body.error.message).toContain(`mode ${mode} does not apply to ${object}`);
        expect(r.body.error.message).toContain("only create");
      }
      const ok = await s.call("POST", "/v1/imports", {
        body: { object, headers, options: { mode: "create_and_update" } },
      });
      expect(ok.status).toBe(201);
    }
    const upload = await s.call("POST", "/v1/import/rewards?mode=update_only", {
      body: "partner_key,amount_in_cents,body\nada,100,Thanks\n",
      headers: { "content-type": "text/csv" },
    });
    expect(upload.status).toBe(422);
    expect(upload.body.error.code).toBe("invalid_option");
    expect((await s.call("GET", "/v1/rewards")).body.data).toEqual([]);
  });

  it("a mode that is none of the three is 422 invalid_option naming the allowed values, and audited", async () => {
    const r = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: ["partner_email"], options: { mode: "upsert" } },
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({
      code: "invalid_option",
      message: 'mode "upsert" is not a mode; expected one of create_and_update, create_only, update_only',
    });
    const audit = (await s.call("GET", "/v1/audit-log?limit=1")).body.data[0];
    expect(audit).toMatchObject({
      action: "import.failed",
      options: expect.objectContaining({ mode: "upsert" }),
    });
  });

  it("a CSV upload takes mode as a query parameter or a form field; it is kept and audited", async () => {
    const csv =
      "partner_email,partner_key,first_name,territory\nada@example.com,ada,Changed,North\nnew@example.com,new,New,North\n";
    const byQuery = await s.call("POST", "/v1/import/partners?mode=update_only", {
      body: csv,
      headers: { "content-type": "text/csv" },
    });
    expect(byQuery.status).toBe(201);
    expect(byQuery.body.options.mode).toBe("update_only");
    expect(byQuery.body.counts).toMatchObject({ updated: 1, skipped: 1, created: 0 });

    const byField = await s.call(
      "POST",
      "/v1/import/partners",
      multipart(csv.replace("Changed", "Again"), "p.csv", { before: [["mode", "create_only"]] }),
    );
    expect(byField.status).toBe(201);
    expect(byField.body.options.mode).toBe("create_only");
    expect(byField.body.counts).toMatchObject({ updated: 0, skipped: 1, created: 1 });
    const partners = await list("partners");
    expect(partners.find((p) => p.partner_key === "ada")).toMatchObject({ first_name: "Changed" });

    const bad = await s.call(
      "POST",
      "/v1/import/partners",
      multipart(csv, "p.csv", { before: [["mode", "both"]] }),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain("create_and_update, create_only, update_only");

    const audit = (await s.call("GET", "/v1/audit-log?limit=50")).body.data as {
      action: string;
      options: { mode?: string };
    }[];
    expect(audit.filter((a) => a.action === "import.started").map((a) => a.options.mode)).toEqual(
      expect.arrayContaining(["update_only", "create_only"]),
    );
  });

  it("/v1/openapi.json describes mode, retry_of, a row's changes and the new codes", async () => {
    const doc = (await s.call("GET", "/v1/openapi.json", { key: null })).body;
    const start = doc.paths["/v1/imports"].post;
    const body = start.requestBody.content["application/json"].schema;
    expect(body.properties.options.properties.mode.enum).toEqual([
      "create_and_update",
      "create_only",
      "update_only",
    ]);
    expect(body.properties.retry_of.description).toMatch(/skipped rows/);
    expect(start.responses["422"].description).toMatch(/invalid_option.*invalid_retry_of/);
    const upload = doc.paths["/v1/import/{object}"].post;
    expect(upload.parameters.map((p: { name: string }) => p.name)).toContain("mode");
    expect(upload.requestBody.content["multipart/form-data"].schema.properties.mode.enum).toHaveLength(3);
    const chunk = doc.paths["/v1/imports/{id}/chunks/{seq}"].put.responses["200"].content["application/json"];
    const result = chunk.schema.properties.results.items;
    expect(result.properties.changes.items.required).toEqual(["field", "from", "to"]);
    expect(result.properties.issues.items.properties.code.description).toMatch(
      /email_changed.*excluded_by_mode/,
    );
    const resource = doc.paths["/v1/imports/{id}"].get.responses["200"].content["application/json"].schema;
    expect(resource.properties.retry_of.format).toBe("uuid");
  });

  describe("retry_of", () => {
    const H = ["partner_email", "partner_key", "territory"];

    it("names an earlier import of the same object: kept, shown, and in the audit entry", async () => {
      const first = await importRows(s, "partners", H, [["x@example.com", "x", "West"]]);
      expect(first.results[0].outcome).toBe("skipped");
      const retry = await s.call("POST", "/v1/imports", {
        body: { object: "partners", headers: H, total_rows: 1, retry_of: first.id },
      });
      expect(retry.status).toBe(201);
      expect(retry.body.retry_of).toBe(first.id);
      expect((await s.call("GET", `/v1/imports/${retry.body.id}`)).body.retry_of).toBe(first.id);
      const audit = (await s.call("GET", "/v1/audit-log?limit=1")).body.data[0];
      expect(audit).toMatchObject({
        action: "import.started",
        import_id: retry.body.id,
        detail: { retry_of: first.id },
      });
      const plain = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: H } });
      expect(plain.body.retry_of).toBeNull();
    });

    it("is 422 invalid_retry_of for another object's import, an unknown id, text, or another program's import", async () => {
      const customers = await importRows(s, "customers", ["email"], [["a@example.com"]]);
      const theirs = await s.call("POST", "/v1/imports", {
        key: KEYS.other,
        body: { object: "partners", headers: ["partner_email"] },
      });
      expect(theirs.status).toBe(201);
      const cases: [unknown, RegExp][] = [
        [customers.id, /an import of customers, and this import is of partners/],
        ["00000000-0000-4000-8000-000000000000", /names no import of this program/],
        ["not-an-id", /names no import of this program/],
        [theirs.body.id, /names no import of this program/],
      ];
      const before = (await s.call("GET", "/v1/imports?limit=100")).body.data.length;
      for (const [retryOf, message] of cases) {
        const r = await s.call("POST", "/v1/imports", {
          body: { object: "partners", headers: H, retry_of: retryOf },
        });
        expect(r.status).toBe(422);
        expect(r.body.error.code).toBe("invalid_retry_of");
        expect(r.body.error.message).toMatch(message);
      }
      expect((await s.call("GET", "/v1/imports?limit=100")).body.data.length).toBe(before);
    });
  });
});

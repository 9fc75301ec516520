import { engines, importRows, KEYS, startTestService, type TestService } from "./harness";

interface Column {
  name: string;
  required: boolean;
  type: string;
  example: string;
  description: string;
  options?: string[];
}

/**
 * The calls of DESIGN.md's REST table, as the OpenAPI document names them; /v1/openapi.json and /docs
 * describe the API, and /v1/health, the liveness probe, is left out of it by app.ts.
 */
const REST_PATHS = [
  "/v1/health",
  "/v1/me",
  "/v1/objects",
  "/v1/objects/{object}/template.csv",
  "/v1/import/{object}",
  "/v1/imports",
  "/v1/imports/{id}/chunks",
  "/v1/imports/{id}/chunks/{seq}",
  "/v1/imports/{id}/complete",
  "/v1/imports/{id}/cancel",
  "/v1/imports/{id}/undo",
  "/v1/imports/{id}",
  "/v1/imports/{id}/report",
  "/v1/audit-log",
  "/v1/{object}",
];

describe.each(engines())("catalogue, records and the API's description (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  it("answers /v1/health without a key", async () => {
    const r = await s.call("GET", "/v1/health", { key: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "ok" });
  });

  it("tells each caller who they are, their program, and whether they may import", async () => {
    const me = async (key: string | null) => {
      const r = await s.call("GET", "/v1/me", { key });
      return [r.status, r.body?.user?.email, r.body?.user?.role, r.body?.may_import, r.body?.program?.key];
    };
    expect(await me(KEYS.admin)).toEqual([200, "admin@acme.test", "admin", true, "acme"]);
    expect(await me(KEYS.technical)).toEqual([200, "tech@acme.test", "technical", true, "acme"]);
    expect(await me(KEYS.importer)).toEqual([200, "ops@acme.test", "custom", true, "acme"]);
    expect(await me(KEYS.teammate)).toEqual([200, "sam@acme.test", "custom", false, "acme"]);
    expect(await me(KEYS.partner)).toEqual([200, "pat@agency.test", "partner", false, "acme"]);
    expect(await me(KEYS.other)).toEqual([200, "admin@globex.test", "admin", true, "globex"]);
    expect((await s.call("GET", "/v1/me", { key: KEYS.partner })).body.reason).toMatch(/Partner users/);
    expect((await s.call("GET", "/v1/me", { key: null })).status).toBe(401);
    expect((await s.call("GET", "/v1/me", { key: "not-a-key-at-all" })).status).toBe(401);
  });

  describe("GET /v1/objects", () => {
    const objects = async () => {
      const r = await s.call("GET", "/v1/objects");
      expect(r.status).toBe(200);
      return r.body as {
        objects: { object: string; columns: Column[]; groups?: Record<string, Column[]> }[];
        not_importable: string[];
      };
    };
    const column = (columns: Column[] | undefined, name: string) => columns?.find((c) => c.name === name);

    it("lists the six objects, each column described: required, type, example, description", async () => {
      const body = await objects();
      expect(body.objects.map((o) => o.object)).toEqual([
        "partners",
        "customers",
        "transactions",
        "rewards",
        "leads",
        "deals",
      ]);
      for (const o of body.objects) {
        expect(o.columns.length).toBeGreaterThan(3);
        for (const c of o.columns) {
          expect(typeof c.required).toBe("boolean");
          expect(c.type).toMatch(/\w/);
          expect(typeof c.example).toBe("string");
          expect(c.description.length).toBeGreaterThan(5);
        }
      }
      const customers = body.objects.find((o) => o.object === "customers")?.columns;
      expect(column(customers, "email")).toMatchObject({ required: true, type: "email" });
      expect(column(customers, "name")).toMatchObject({ required: false });
      expect(body.not_importable).toEqual(expect.arrayContaining(["Partner Teams", "Actions"]));
    });

    it("includes the program's partner fields", async () => {
      const partners = (await objects()).objects.find((o) => o.object === "partners")?.columns;
      expect(column(partners, "region")).toMatchObject({ type: "text", required: false });
      expect(column(partners, "territory")).toMatchObject({ options: ["North", "South"] });
      expect(column(partners, "tier_key")?.options).toEqual(["gold"]);
    });

    it("gives leads and deals columns per group: the lead form's fields, the deal stages", async () => {
      const body = await objects();
      const leads = body.objects.find((o) => o.object === "leads");
      const deals = body.objects.find((o) => o.object === "deals");
      expect(Object.keys(leads?.groups ?? {}).sort()).toEqual(["referral", "resellers"]);
      expect(Object.keys(deals?.groups ?? {})).toEqual(["resellers"]);
      expect(column(leads?.groups?.referral, "company_size")).toMatchObject({
        type: "number",
        required: true,
      });
      expect(column(leads?.groups?.resellers, "company_size")).toBeUndefined();
      expect(column(leads?.groups?.resellers, "budget")).toMatchObject({ required: false });
      expect(column(deals?.groups?.resellers, "stage")).toMatchObject({
        required: true,
        options: ["Working", "Negotiation", "Closed won", "Closed lost"],
      });
    });
  });

  describe("templates", () => {
    it("gives an object's header row as CSV", async () => {
      const r = await s.call("GET", "/v1/objects/partners/template.csv");
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/csv/);
      const [header, rest] = r.text.split("\r\n");
      expect(rest).toBe("");
      const names = header?.split(",");
      expect(names?.slice(0, 2)).toEqual(["partner_email", "partner_key"]);
      expect(names).toEqual(expect.arrayContaining(["first_name", "tags", "region", "territory"]));
    });

    it("needs a group for leads, and then holds the group's lead form fields", async () => {
      const without = await s.call("GET", "/v1/objects/leads/template.csv");
      expect(without.status).toBe(400);
      expect(without.body.error).toMatchObject({ code: "group_required" });
      expect(without.body.error.message).toMatch(/referral, resellers/);

      const referral = await s.call("GET", "/v1/objects/leads/template.csv?group_key=referral");
      expect(referral.status).toBe(200);
      expect(referral.text.trim().split(",")).toEqual(
        expect.arrayContaining([
          "partner_key",
          "email",
          "first_name",
          "last_name",
          "company_size",
          "industry",
        ]),
      );
      expect(referral.text).not.toContain("budget");
      expect((await s.call("GET", "/v1/objects/leads/template.csv?group_key=default")).status).toBe(400);
    });

    it("refuses objects that cannot be imported, listing those that can", async () => {
      for (const url of ["/v1/objects/partner_teams/template.csv", "/v1/partner_teams"]) {
        const r = await s.call("GET", url);
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe("unsupported_object");
        expect(r.body.error.message).toMatch(/Partner Teams cannot be imported/);
        expect(r.body.error.message).toMatch(/partners, customers, transactions, rewards, leads, deals/);
      }
    });
  });

  describe("GET /v1/partners", () => {
    const H = ["partner_email", "partner_key", "territory"];
    beforeEach(async () => {
      await importRows(
        s,
        "partners",
        H,
        Array.from({ length: 5 }, (_, i) => [`p${i}@example.com`, `p${i}`, "North"]),
      );
    });

    it("filters by key and by email (in any case)", async () => {
      const byKey = await s.call("GET", "/v1/partners?key=p3");
      expect(byKey.body.data.map((p: { partner_email: string }) => p.partner_email)).toEqual([
        "p3@example.com",
      ]);
      const byEmail = await s.call("GET", "/v1/partners?email=P2@Example.com");
      expect(byEmail.body.data.map((p: { partner_key: string }) => p.partner_key)).toEqual(["p2"]);
      const both = await s.call("GET", "/v1/partners?key=p3&email=p2@example.com");
      expect(both.body.data).toEqual([]);
      expect((await s.call("GET", "/v1/partners?key=nobody")).body.data).toEqual([]);
    });

    it("pages with a cursor, each partner once, and keeps programs apart", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: {
          status: number;
          body: { data: { partner_key: string }[]; next_cursor: string | null };
        } = await s.call("GET", `/v1/partners?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((p) => p.partner_key));
        cursor = page.body.next_cursor;
      } while (cursor && seen.length < 20);
      expect(seen).toEqual(["p0", "p1", "p2", "p3", "p4"]);

      expect((await s.call("GET", "/v1/partners", { key: KEYS.other })).body.data).toEqual([]);
      const bad = await s.call(
        "GET",
        `/v1/partners?cursor=${Buffer.from('{"id":"x"}').toString("base64url")}`,
      );
      expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_cursor"]);
    });
  });

  describe("the API's description", () => {
    it("lists every call of the REST API in /v1/openapi.json, which needs no key", async () => {
      const r = await s.call("GET", "/v1/openapi.json", { key: null });
      expect(r.status).toBe(200);
      expect(r.body.openapi).toMatch(/^3\./);
      expect(Object.keys(r.body.paths).sort()).toEqual([...REST_PATHS].sort());
      expect(Object.keys(r.body.paths["/v1/imports/{id}/report"])).toEqual(["get"]);
      expect(Object.keys(r.body.paths["/v1/imports"]).sort()).toEqual(["get", "post"]);
    });

    it("serves a page to read it at /docs", async () => {
      let url = "/docs";
      let r = await s.call("GET", url, { key: null });
      for (let hops = 0; r.status >= 300 && r.status < 400 && hops < 5; hops++) {
        url = new URL(String(r.headers.location), `http://localhost${url}`).pathname;
        r = await s.call("GET", url, { key: null });
      }
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(r.text).toMatch(/<html/i);
    });
  });
});

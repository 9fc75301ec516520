import { createKey, revokeKey } from "../../src/server/keys";
import { engines, importRows, KEYS, multipart, startTestService, type TestService } from "./harness";

const H = ["partner_email", "partner_key", "territory"];
const CSV = "partner_email,partner_key,territory\nzed@example.com,zed,North\n";

interface Route {
  method: "GET" | "POST" | "PUT";
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Every route of the importer, aimed at the import `id` where it takes one. */
function importerRoutes(id: string): Route[] {
  return [
    { method: "POST", url: "/v1/import/partners", ...multipart(CSV) },
    { method: "POST", url: "/v1/imports", body: { object: "partners", headers: H } },
    {
      method: "PUT",
      url: `/v1/imports/${id}/chunks/0`,
      body: { rows: [{ row: 2, cells: ["zed@example.com", "zed", "North"] }] },
    },
    { method: "POST", url: `/v1/imports/${id}/complete` },
    { method: "POST", url: `/v1/imports/${id}/cancel` },
    { method: "GET", url: "/v1/imports" },
    { method: "GET", url: `/v1/imports/${id}` },
    { method: "GET", url: `/v1/imports/${id}/report` },
    { method: "GET", url: "/v1/audit-log" },
    { method: "GET", url: "/v1/objects" },
    { method: "GET", url: "/v1/objects/partners/template.csv" },
    { method: "GET", url: "/v1/partners" },
  ];
}

/** The error body the API promises: exactly `{"error": {"code", "message", "request_id"}}`, the message in words. */
function expectErrorBody(body: unknown, code: string) {
  expect(body).toEqual({
    error: { code, message: expect.stringMatching(/\w+ \w+ \w+/), request_id: expect.any(String) },
  });
}

describe.each(engines())("permissions (%s)", (engine) => {
  let s: TestService;
  /** An import of acme's, started by its admin and left open. */
  let open: string;

  beforeAll(async () => {
    s = await startTestService(engine);
    await importRows(s, "partners", H, [["ada@example.com", "ada", "North"]]);
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: H, client_token: "shared-token-0001" },
    });
    expect(started.status).toBe(201);
    open = started.body.id;
  }, 30_000);
  afterAll(() => s.close());

  /** Calls each route as `key`; returns "METHOD url status code" lines, to compare in one go. */
  async function callAll(routes: Route[], key: string | null, extra: Record<string, string> = {}) {
    const lines: string[] = [];
    for (const r of routes) {
      const response = await s.call(r.method, r.url, {
        key,
        body: r.body,
        headers: { ...r.headers, ...extra },
      });
      lines.push(`${r.method} ${r.url} ${response.status} ${response.body?.error?.code ?? ""}`);
      if (response.status >= 400) expectErrorBody(response.body, response.body.error.code);
    }
    return lines;
  }
  const expected = (routes: Route[], status: number, code: string) =>
    routes.map((r) => `${r.method} ${r.url} ${status} ${code}`);

  /** The open import as acme's admin sees it, and how many imports and partners acme has. */
  async function acmeState() {
    const imp = await s.call("GET", `/v1/imports/${open}`);
    const counts = await s.db.query<{ imports: number; partners: number; chunks: number }>(
      `SELECT (SELECT count(*)::int FROM imports) AS imports, (SELECT count(*)::int FROM partners) AS partners,
         (SELECT count(*)::int FROM import_chunks) AS chunks`,
    );
    return { status: imp.body.status, counts: imp.body.counts, ...counts.rows[0] };
  }

  it("refuses every route with 401 without a key, with an unknown key or a malformed header", async () => {
    const routes = [...importerRoutes(open), { method: "GET" as const, url: "/v1/me" }];
    const before = await acmeState();
    expect(await callAll(routes, null)).toEqual(expected(routes, 401, "unauthorized"));
    expect(await callAll(routes, "acme-made-up-key")).toEqual(expected(routes, 401, "unauthorized"));
    expect(await callAll(routes, null, { authorization: `Basic ${KEYS.admin}` })).toEqual(
      expected(routes, 401, "unauthorized"),
    );
    const missing = await s.call("GET", "/v1/imports", { key: null });
    expect(missing.body.error.message).toMatch(/Authorization: Bearer/);
    expect(await acmeState()).toEqual(before);
  });

  it("refuses a revoked key with 401, though it worked until it was revoked", async () => {
    const key = await createKey(s.db, "acme", "ops@acme.test");
    expect((await s.call("GET", "/v1/imports", { key })).status).toBe(200);
    expect(await revokeKey(s.db, { programKey: "acme", key })).toBe(1);

    const routes = [...importerRoutes(open), { method: "GET" as const, url: "/v1/me" }];
    const before = await acmeState();
    expect(await callAll(routes, key)).toEqual(expected(routes, 401, "unauthorized"));
    expect((await s.call("GET", "/v1/me", { key })).body.error.message).toMatch(/revoked/);
    expect(await acmeState()).toEqual(before);
    // The user's other key is untouched.
    expect((await s.call("GET", "/v1/imports", { key: KEYS.importer })).status).toBe(200);
  });

  it("refuses partner users with 403: partner users cannot import", async () => {
    const routes = importerRoutes(open);
    const before = await acmeState();
    expect(await callAll(routes, KEYS.partner)).toEqual(expected(routes, 403, "forbidden"));
    for (const r of routes) {
      const response = await s.call(r.method, r.url, { key: KEYS.partner, body: r.body, headers: r.headers });
      expect(response.body.error.message).toMatch(/Partner users cannot import/);
    }
    expect(await acmeState()).toEqual(before);
  });

  it("refuses a teammate whose role lacks the importer permission with 403 saying so", async () => {
    const routes = importerRoutes(open);
    const before = await acmeState();
    expect(await callAll(routes, KEYS.teammate)).toEqual(expected(routes, 403, "forbidden"));
    for (const r of routes) {
      const response = await s.call(r.method, r.url, {
        key: KEYS.teammate,
        body: r.body,
        headers: r.headers,
      });
      expect(response.body.error.message).toMatch(/does not include the importer permission/);
    }
    expect(await acmeState()).toEqual(before);
  });

  it.each([
    ["admin", KEYS.admin, "admin@acme.test"],
    ["technical", KEYS.technical, "tech@acme.test"],
    ["importer", KEYS.importer, "ops@acme.test"],
  ])("lets the %s key use every importer route", async (who, key, email) => {
    const uploaded = await s.call("POST", "/v1/import/partners", {
      key,
      ...multipart(`partner_email,partner_key,territory\n${who}-csv@example.com,${who}-csv,North\n`),
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ status: "completed", user: email, counts: { created: 1 } });

    const started = await s.call("POST", "/v1/imports", { key, body: { object: "partners", headers: H } });
    expect(started.status).toBe(201);
    const id = started.body.id;
    const chunk = await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      key,
      body: { rows: [{ row: 2, cells: [`${who}@example.com`, who, "South"] }] },
    });
    expect(chunk.status).toBe(200);
    expect(chunk.body.results[0]).toMatchObject({ outcome: "created", object_key: who });

    const one = await s.call("GET", `/v1/imports/${id}`, { key });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id, user: email, counts: { rows: 1, created: 1 } });
    const report = await s.call("GET", `/v1/imports/${id}/report`, { key });
    expect(report.status).toBe(200);
    expect(report.body.results).toHaveLength(1);
    const list = await s.call("GET", "/v1/imports", { key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toContain(id);
    const audit = await s.call("GET", "/v1/audit-log", { key });
    expect(audit.status).toBe(200);
    expect(audit.body.data).toContainEqual(
      expect.objectContaining({ action: "import.started", import_id: id, actor: email }),
    );
    const objects = await s.call("GET", "/v1/objects", { key });
    expect(objects.status).toBe(200);
    expect(objects.body.objects.map((o: { object: string }) => o.object)).toContain("partners");
    const template = await s.call("GET", "/v1/objects/partners/template.csv", { key });
    expect(template.status).toBe(200);
    expect(template.text).toMatch(/^partner_email,partner_key,/);
    const partners = await s.call("GET", `/v1/partners?key=${who}`, { key });
    expect(partners.status).toBe(200);
    expect(partners.body.data).toHaveLength(1);

    const completed = await s.call("POST", `/v1/imports/${id}/complete`, { key });
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe("completed");
    const another = await s.call("POST", "/v1/imports", { key, body: { object: "partners", headers: H } });
    const cancelled = await s.call("POST", `/v1/imports/${another.body.id}/cancel`, { key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
  });

  it("GET /v1/me answers every valid key: who, the program, whether they may import and why not", async () => {
    const me = async (key: string) => {
      const r = await s.call("GET", "/v1/me", { key });
      expect(r.status).toBe(200);
      return r.body;
    };
    for (const [key, email, role] of [
      [KEYS.admin, "admin@acme.test", "admin"],
      [KEYS.technical, "tech@acme.test", "technical"],
      [KEYS.importer, "ops@acme.test", "custom"],
    ] as const) {
      const body = await me(key);
      expect(body).toMatchObject({ user: { email, role }, may_import: true, program: { key: "acme" } });
      expect(body).not.toHaveProperty("reason");
    }
    expect(await me(KEYS.importer)).toMatchObject({ user: { permissions: ["importer"] } });
    expect(await me(KEYS.partner)).toMatchObject({
      user: { email: "pat@agency.test", role: "partner" },
      may_import: false,
      reason: expect.stringMatching(/Partner users cannot import/),
      program: { key: "acme", name: "Acme Partners" },
    });
    expect(await me(KEYS.teammate)).toMatchObject({
      user: { email: "sam@acme.test", role: "custom", permissions: ["reports"] },
      may_import: false,
      reason: expect.stringMatching(/does not include the importer permission/),
    });
    expect(await me(KEYS.other)).toMatchObject({
      user: { email: "admin@globex.test" },
      may_import: true,
      program: { key: "globex", currency: "EUR" },
    });
  });

  it("logs a denied attempt to import as import.denied, with who, what and why", async () => {
    const denied = async () =>
      (await s.call("GET", "/v1/audit-log?limit=500")).body.data.filter(
        (e: { action: string }) => e.action === "import.denied",
      );
    const before = (await denied()).length;

    const chunked = await s.call("POST", "/v1/imports", {
      key: KEYS.partner,
      body: {
        object: "partners",
        headers: H,
        options: { dry_run: true },
        source: { kind: "sheet", name: "Q3" },
      },
    });
    expect(chunked.status).toBe(403);
    const upload = await s.call("POST", "/v1/import/partners?dry_run=true", {
      key: KEYS.teammate,
      ...multipart(CSV),
    });
    expect(upload.status).toBe(403);

    const entries = await denied();
    expect(entries).toHaveLength(before + 2);
    // Newest first.
    expect(entries[0]).toMatchObject({
      actor: "sam@acme.test",
      object: "partners",
      options: { dry_run: true },
      source: null,
      detail: { reason: expect.stringMatching(/importer permission/) },
    });
    expect(entries[1]).toMatchObject({
      actor: "pat@agency.test",
      object: "partners",
      options: { dry_run: true },
      source: null,
      detail: { reason: expect.stringMatching(/Partner users cannot import/) },
    });
  });

  it("keeps programs apart: another program's key sees none of acme's imports or data and cannot touch them", async () => {
    const other = KEYS.other;
    const before = await acmeState();
    expect((await s.call("GET", "/v1/imports")).body.data.length).toBeGreaterThan(0);
    expect((await s.call("GET", "/v1/partners")).body.data.length).toBeGreaterThan(0);

    expect((await s.call("GET", "/v1/imports", { key: other })).body).toEqual({
      data: [],
      next_cursor: null,
    });
    expect((await s.call("GET", "/v1/partners", { key: other })).body).toEqual({
      data: [],
      next_cursor: null,
    });
    expect((await s.call("GET", "/v1/partners?key=ada", { key: other })).body.data).toEqual([]);
    const audit = (await s.call("GET", "/v1/audit-log?limit=500", { key: other })).body.data;
    expect(audit.filter((e: { actor: string }) => e.actor.endsWith("@acme.test"))).toEqual([]);

    for (const [method, url, body] of [
      ["GET", `/v1/imports/${open}`, undefined],
      ["GET", `/v1/imports/${open}/report`, undefined],
      [
        "PUT",
        `/v1/imports/${open}/chunks/0`,
        { rows: [{ row: 2, cells: ["eve@example.com", "eve", "North"] }] },
      ],
      ["POST", `/v1/imports/${open}/complete`, undefined],
      ["POST", `/v1/imports/${open}/cancel`, undefined],
    ] as const) {
      const r = await s.call(method, url, { key: other, body });
      expect([url, r.status]).toEqual([url, 404]);
      expectErrorBody(r.body, "not_found");
    }
    expect(await acmeState()).toEqual(before);

    // The same client token in another program starts that program's own import.
    const theirs = await s.call("POST", "/v1/imports", {
      key: other,
      body: {
        object: "partners",
        headers: ["partner_email", "partner_key"],
        client_token: "shared-token-0001",
      },
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(open);
    expect((await s.call("GET", `/v1/imports/${theirs.body.id}`)).status).toBe(404);
    const acmeIds = (await s.call("GET", "/v1/imports?limit=500")).body.data.map((i: { id: string }) => i.id);
    expect(acmeIds).not.toContain(theirs.body.id);
  });
});

import type { FastifyRequest } from "fastify";
import { appendAudit } from "../../src/server/audit";
import { callerOfUser, requireImporter } from "../../src/server/caller";
import { createKey, revokeKey } from "../../src/server/keys";
import { engines, importRows, KEYS, multipart, startTestService, type TestService } from "./harness";

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  import_id: string | null;
  options: Record<string, unknown> | null;
  source: Record<string, unknown> | null;
  counts: Record<string, number> | null;
  detail: Record<string, unknown> | null;
}

describe.each(engines())("audit log (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = ["partner_email", "partner_key", "territory"];
  const log = async (key: string = KEYS.admin): Promise<Entry[]> => {
    const r = await s.call("GET", "/v1/audit-log?limit=500", { key });
    expect(r.status).toBe(200);
    return r.body.data;
  };
  const only = async (action: string) => (await log()).filter((e) => e.action === action);

  it("records an import started and completed: who, what, with which options, from where, and the counts", async () => {
    const started = await s.call("POST", "/v1/imports", {
      body: {
        object: "partners",
        options: { send_invites: true },
        headers: H,
        total_rows: 2,
        source: { kind: "sheet", name: "Partners tab" },
      },
    });
    const id = started.body.id;
    await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      body: {
        rows: [
          { row: 2, cells: ["ada@example.com", "ada", "North"] },
          { row: 3, cells: ["bryn@example.com", "bryn", "West"] },
        ],
      },
    });
    await s.call("POST", `/v1/imports/${id}/complete`);

    const options = {
      group_key: null,
      send_invites: true,
      dry_run: false,
      allow_repeats: false,
      mapping: null,
      normalise: false,
      locale: "en_US",
      header_row: 1,
      mode: "create_and_update",
    };
    const source = { kind: "sheet", name: "Partners tab" };
    expect(await only("import.started")).toEqual([
      expect.objectContaining({
        actor: "admin@acme.test",
        object: "partners",
        import_id: id,
        options,
        source,
        counts: null,
      }),
    ]);
    expect(await only("import.completed")).toEqual([
      expect.objectContaining({
        actor: "admin@acme.test",
        object: "partners",
        import_id: id,
        options,
        source,
        counts: { rows: 2, created: 1, updated: 0, skipped: 1, repeats: 0 },
      }),
    ]);
    const [entry] = await only("import.completed");
    expect(Number.isNaN(Date.parse(entry?.at ?? ""))).toBe(false);
  });

  it("records a cancelled import with the counts so far", async () => {
    const { id } = await importRows(s, "partners", H, []);
    const other = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: H, total_rows: 1 },
    });
    await s.call("PUT", `/v1/imports/${other.body.id}/chunks/0`, {
      body: { rows: [{ row: 2, cells: ["ada@example.com", "ada", "North"] }] },
    });
    await s.call("POST", `/v1/imports/${other.body.id}/cancel`);
    expect(await only("import.cancelled")).toEqual([
      expect.objectContaining({
        actor: "admin@acme.test",
        object: "partners",
        import_id: other.body.id,
        counts: { rows: 1, created: 1, updated: 0, skipped: 0, repeats: 0 },
      }),
    ]);
    expect((await only("import.completed")).map((e) => e.import_id)).toEqual([id]);
  });

  it("records an import that failed on its header row, with the errors, from a sheet or a file", async () => {
    const bad = ["partner_email", "partner_kee", "territory"];
    const sheet = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: bad, source: { kind: "sheet", name: "Tab 1" } },
    });
    expect(sheet.status).toBe(422);
    const upload = multipart(
      "partner_email,partner_kee,territory\r\nada@example.com,ada,North\r\n",
      "ps.csv",
    );
    const file = await s.call("POST", "/v1/import/partners?dry_run=true", upload);
    expect(file.status).toBe(422);

    const failed = await only("import.failed");
    expect(failed).toEqual([
      expect.objectContaining({
        actor: "admin@acme.test",
        object: "partners",
        import_id: null,
        options: {
          group_key: null,
          send_invites: false,
          dry_run: true,
          allow_repeats: false,
          mapping: null,
          normalise: false,
          locale: "en_US",
          header_row: 1,
          mode: "create_and_update",
        },
        source: { kind: "file", name: "ps.csv" },
        detail: expect.objectContaining({
          alerts: [expect.objectContaining({ code: "unknown_header", column: 2 })],
        }),
      }),
      expect.objectContaining({
        object: "partners",
        source: { kind: "sheet", name: "Tab 1" },
        detail: expect.objectContaining({
          alerts: [expect.objectContaining({ code: "unknown_header", column: 2 })],
        }),
      }),
    ]);
    expect(await only("import.started")).toEqual([]);
  });

  it("records an import a user was denied, with the reason", async () => {
    const upload = multipart("partner_email,territory\r\nada@example.com,North\r\n", "team.csv");
    expect((await s.call("POST", "/v1/import/partners", { key: KEYS.teammate, ...upload })).status).toBe(403);
    expect(
      (
        await s.call("POST", "/v1/imports", {
          key: KEYS.partner,
          body: { object: "partners", headers: H, source: { kind: "sheet" } },
        })
      ).status,
    ).toBe(403);

    expect(await only("import.denied")).toEqual([
      expect.objectContaining({
        actor: "pat@agency.test",
        object: "partners",
        source: null,
        detail: { reason: expect.stringMatching(/Partner users cannot import/) },
      }),
      expect.objectContaining({
        actor: "sam@acme.test",
        object: "partners",
        source: null,
        detail: { reason: expect.stringMatching(/importer permission/) },
      }),
    ]);
  });

  it("records a denied import without what was sent: no source, the options by their shape, the reason", async () => {
    const denied = await s.call("POST", "/v1/imports", {
      key: KEYS.partner,
      body: {
        object: "partners",
        options: { dry_run: true, group_key: "resellers" },
        headers: H,
        source: { kind: "sheet", name: "Partners tab" },
      },
    });
    expect(denied.status).toBe(403);
    const [entry] = await only("import.denied");
    expect(entry).toEqual({
      id: expect.any(Number),
      at: expect.any(String),
      actor: "pat@agency.test",
      action: "import.denied",
      object: "partners",
      import_id: null,
      // What the request gave, by shape: options it left out are not recorded as if it had sent them.
      options: { group_key: "string", dry_run: true },
      source: null,
      counts: null,
      detail: { reason: expect.stringMatching(/Partner users cannot import/) },
      ip: "127.0.0.1",
    });
  });

  it("keeps a denied attempt small whatever it names, and its actor the caller's", async () => {
    const { rows } = await s.db.query<{ id: number; program_id: number }>(
      "SELECT id, program_id FROM users WHERE email = 'sam@acme.test'",
    );
    const user = rows[0] as { id: number; program_id: number };
    const caller = await callerOfUser(s.db, user.id, user.program_id);
    const request = { caller, ip: "203.0.113.9" } as FastifyRequest;
    const options = {
      actor: "admin@acme.test",
      dry_run: true,
      group_key: "g".repeat(100_000),
      "Not An Option": "x",
      ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`extra_${i}`, i])),
    };
    await expect(
      requireImporter(s.db, request, { object: `partners${"x".repeat(100_000)}`, options }),
    ).rejects.toMatchObject({ status: 403 });

    const { rows: stored } = await s.db.query<{ actor: string; object: string; size: number }>(
      `SELECT actor, object, octet_length(audit_log::text) AS size FROM audit_log WHERE action = 'import.denied'`,
    );
    expect(stored).toEqual([
      { actor: "sam@acme.test", object: expect.any(String), size: expect.any(Number) },
    ]);
    expect(stored[0]?.object).toHaveLength(100);
    expect(stored[0]?.size).toBeLessThan(2000);
    const [entry] = await only("import.denied");
    expect(entry?.options).toMatchObject({ actor: "string", dry_run: true, group_key: "string" });
    expect(Object.keys(entry?.options ?? {})).toHaveLength(20);
    expect(entry?.options).not.toHaveProperty("Not An Option");
  });

  it("caps what any entry stores: a value too long to keep is stored as a note of its size", async () => {
    const source = { kind: "api", notes: "n".repeat(100_000) };
    await appendAudit(s.db, {
      programId: 1,
      actor: "admin@acme.test",
      action: "import.started",
      object: "partners",
      source,
      options: { dry_run: false },
    });
    const [entry] = await only("import.started");
    expect(entry?.source).toEqual({ truncated: true, chars: JSON.stringify(source).length });
    expect(entry?.options).toEqual({ dry_run: false });
  });

  it("records keys created and revoked, naming the user and the key's prefix, never the key", async () => {
    const key = await createKey(s.db, "acme", "ops@acme.test");
    expect((await s.call("GET", "/v1/me", { key })).status).toBe(200);
    expect(await revokeKey(s.db, { programKey: "acme", email: "ops@acme.test" })).toBe(2);
    expect((await s.call("GET", "/v1/me", { key })).status).toBe(401);

    const entries = (await log()).filter((e) => e.action.startsWith("key."));
    expect(entries.map((e) => [e.action, e.actor, e.detail?.user])).toEqual([
      ["key.revoked", "admin command", "ops@acme.test"],
      ["key.revoked", "admin command", "ops@acme.test"],
      ["key.created", "admin command", "ops@acme.test"],
    ]);
    expect(entries.map((e) => e.detail?.prefix).sort()).toEqual(
      [KEYS.importer.slice(0, 8), key.slice(0, 8), key.slice(0, 8)].sort(),
    );
    expect(JSON.stringify(entries)).not.toContain(key);
  });

  it("lists entries newest first, a page at a time, each once", async () => {
    for (let i = 0; i < 3; i++) await importRows(s, "partners", H, [[`p${i}@example.com`, `p${i}`, "North"]]);
    const all = await log();
    expect(all.map((e) => e.action)).toEqual([
      "import.completed",
      "import.started",
      "import.completed",
      "import.started",
      "import.completed",
      "import.started",
    ]);
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Entry[]; next_cursor: string | null } } = await s.call(
        "GET",
        `/v1/audit-log?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor && seen.length < 20);
    expect(seen).toEqual(ids);

    const forged = Buffer.from(JSON.stringify({ id: "last" })).toString("base64url");
    for (const bad of ["nonsense", forged]) {
      const r = await s.call("GET", `/v1/audit-log?cursor=${bad}`);
      expect([r.status, r.body.error.code]).toEqual([400, "invalid_cursor"]);
    }
  });

  it("is append-only: the database refuses to change or remove an entry", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "North"]]);
    const before = await log();
    expect(before).toHaveLength(2);
    await expect(s.db.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/);
    await expect(
      s.db.query("UPDATE audit_log SET counts = NULL WHERE action = 'import.completed'"),
    ).rejects.toThrow(/append-only/);
    await expect(s.db.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
    await expect(s.db.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    expect(await log()).toEqual(before);
  });

  it("shows a program its own entries only", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "North"]]);
    const globex = await s.call("POST", "/v1/imports", {
      key: KEYS.other,
      body: { object: "partners", headers: ["partner_email"], total_rows: 0 },
    });
    expect(globex.status).toBe(201);

    expect((await log(KEYS.other)).map((e) => [e.actor, e.action, e.import_id])).toEqual([
      ["admin@globex.test", "import.started", globex.body.id],
    ]);
    expect((await log()).map((e) => e.actor)).toEqual(["admin@acme.test", "admin@acme.test"]);
  });
});

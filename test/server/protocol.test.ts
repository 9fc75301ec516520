import { OBJECTS } from "../../src/core";
import { engines, importRows, startTestService, type TestService } from "./harness";

const H = ["partner_email", "partner_key", "first_name", "territory"];

describe.each(engines())("the import protocol (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  }, 30_000);
  afterEach(() => s.close());

  const start = (body: Record<string, unknown> = {}) =>
    s.call("POST", "/v1/imports", { body: { object: "partners", headers: H, ...body } });
  const send = (id: string, seq: number, rows: { row: number; cells: unknown[] }[]) =>
    s.call("PUT", `/v1/imports/${id}/chunks/${seq}`, { body: { rows } });
  /** Rows numbered from `first`, as a sheet's rows under its header. */
  const numbered = (first: number, cells: unknown[][]) => cells.map((c, i) => ({ row: first + i, cells: c }));
  const getImport = async (id: string) => (await s.call("GET", `/v1/imports/${id}`)).body;
  const partners = async () => (await s.call("GET", "/v1/partners?limit=500")).body.data;
  const audit = async (action: string) =>
    (await s.call("GET", "/v1/audit-log?limit=500")).body.data.filter(
      (e: { action: string }) => e.action === action,
    );
  const importCount = async () =>
    (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM imports")).rows[0]?.n;
  const codes = (issues: { code: string; severity: string }[]) =>
    issues.map((i) => `${i.severity}:${i.code}`);

  it("starts an import with 201, processing and nothing counted yet, and logs it as started", async () => {
    const started = await start({ total_rows: 2, source: { kind: "sheet", name: "Partners" } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      object: "partners",
      status: "processing",
      total_rows: 2,
      counts: { rows: 0, created: 0, updated: 0, skipped: 0, repeats: 0 },
      chunks_received: 0,
      user: "admin@acme.test",
      completed_at: null,
    });
    const { header_alerts, ...resource } = started.body;
    expect(header_alerts).toEqual([]);
    expect(await getImport(started.body.id)).toEqual(resource);
    expect(await audit("import.started")).toEqual([
      expect.objectContaining({ import_id: started.body.id, source: { kind: "sheet", name: "Partners" } }),
    ]);
  });

  it("returns the same import, with 200, for the same client_token and starts no second one", async () => {
    const first = await start({ client_token: "sheet-token-0001" });
    expect(first.status).toBe(201);
    await send(first.body.id, 0, numbered(2, [["ada@example.com", "ada", "", "North"]]));
    const again = await start({ client_token: "sheet-token-0001" });
    expect(again.status).toBe(200);
    // As it is now, so a client that lost track can resume it.
    expect(again.body).toMatchObject({
      id: first.body.id,
      counts: { rows: 1, created: 1 },
      chunks_received: 1,
    });

    const twins = await Promise.all([
      start({ client_token: "sheet-token-0002" }),
      start({ client_token: "sheet-token-0002" }),
    ]);
    expect(twins.map((t) => t.status).sort()).toEqual([200, 201]);
    expect(twins[0]?.body.id).toBe(twins[1]?.body.id);
    expect(await importCount()).toBe(2);
    expect(await audit("import.started")).toHaveLength(2);
  });

  it("refuses header errors with 422 invalid_headers, the alerts and a did-you-mean, and imports nothing", async () => {
    const r = await start({ headers: ["partner_emial", "partner_key", "partner_key", "territory"] });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("invalid_headers");
    expect(r.body.error.details.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: "error",
          code: "unknown_header",
          column: 1,
          suggestion: "partner_email",
          message: expect.stringContaining("Did you mean partner_email?"),
        }),
        expect.objectContaining({ severity: "error", code: "duplicate_header", field: "partner_key" }),
      ]),
    );
    expect(r.body.error.message).toMatch(/^The header row has 2 errors; nothing was imported\./);
    expect(r.body.error.message).toContain("Did you mean partner_email?");
    // The alerts' own sentences, joined without doubled punctuation ("?." or "..").
    expect(r.body.error.message).not.toMatch(/[.?!]\./);
    expect(await importCount()).toBe(0);
    expect(await audit("import.started")).toEqual([]);
    expect(await audit("import.failed")).toEqual([
      expect.objectContaining({
        object: "partners",
        import_id: null,
        detail: expect.objectContaining({
          reason: "header errors",
          alerts: expect.arrayContaining([expect.objectContaining({ code: "unknown_header" })]),
        }),
      }),
    ]);
  });

  it("refuses an object the importer does not take with 400, listing the objects it does", async () => {
    const r = await start({ object: "Partner Teams" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("unsupported_object");
    expect(r.body.error.message).toMatch(/^Partner Teams cannot be imported/);
    for (const object of OBJECTS) expect(r.body.error.message).toContain(object);
    expect(await importCount()).toBe(0);
  });

  it("refuses leads without a group_key with 400, naming the groups that take leads", async () => {
    const r = await start({ object: "leads", headers: ["partner_key", "email", "first_name", "last_name"] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("group_required");
    expect(r.body.error.message).toMatch(/referral, resellers/);
    expect(await importCount()).toBe(0);
  });

  it("answers a chunk sent again with its stored results, replayed, and changes nothing", async () => {
    const { body: imp } = await start();
    const chunk = numbered(2, [
      ["ada@example.com", "ada", "Ada", "North"],
      ["bryn@example.com", "bryn", "Bryn", "South"],
    ]);
    const first = await send(imp.id, 0, chunk);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ seq: 0, replayed: false, counts: { rows: 2, created: 2 } });
    const stored = await partners();

    const second = await send(imp.id, 0, chunk);
    expect(second.status).toBe(200);
    expect(second.body.replayed).toBe(true);
    expect(second.body.results).toEqual(first.body.results);
    expect(second.body.counts).toEqual(first.body.counts);
    // Other rows under the same number are refused, never silently dropped as a replay.
    const changed = await send(imp.id, 0, numbered(2, [["ada@example.com", "ada", "Changed", "South"]]));
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("chunk_mismatch");

    expect(await partners()).toEqual(stored);
    expect(await getImport(imp.id)).toMatchObject({
      counts: { rows: 2, created: 2, updated: 0, skipped: 0, repeats: 0 },
      chunks_received: 1,
    });
  });

  it("applies the same chunk sent several times at once exactly once", async () => {
    const { body: imp } = await start();
    const chunk = numbered(2, [
      ["ada@example.com", "ada", "Ada", "North"],
      ["bryn@example.com", "bryn", "Bryn", "South"],
    ]);
    // Three copies, as retries of a call that timed out may arrive. Calls made together first leave
    // the connection pool warm, so no copy lags behind the others while a connection opens.
    await Promise.all(Array.from({ length: 6 }, () => getImport(imp.id)));
    const copies = await Promise.all([
      send(imp.id, 0, chunk),
      send(imp.id, 0, chunk),
      send(imp.id, 0, chunk),
    ]);
    expect(copies.map((c) => c.status)).toEqual([200, 200, 200]);
    expect(copies.map((c) => c.body.replayed).sort()).toEqual([false, true, true]);
    for (const c of copies) expect(c.body.results).toEqual(copies[0]?.body.results);
    expect(await partners()).toHaveLength(2);
    expect((await getImport(imp.id)).counts).toEqual({
      rows: 2,
      created: 2,
      updated: 0,
      skipped: 0,
      repeats: 0,
    });
  });

  it("applies two different chunks sent at once, each once, and adds up their counts", async () => {
    await importRows(s, "partners", H, [["cy@example.com", "cy", "Cy", "North"]]);
    const { body: imp } = await start();
    await Promise.all(Array.from({ length: 6 }, () => getImport(imp.id)));
    const [a, b] = await Promise.all([
      send(
        imp.id,
        0,
        numbered(2, [
          ["ada@example.com", "ada", "Ada", "North"],
          ["", "cy", "Cy Updated", ""],
        ]),
      ),
      send(
        imp.id,
        1,
        numbered(4, [
          ["bryn@example.com", "bryn", "Bryn", "South"],
          ["bad-email", "dee", "Dee", "North"],
        ]),
      ),
    ]);
    expect([a?.status, b?.status]).toEqual([200, 200]);
    expect([a?.body.replayed, b?.body.replayed]).toEqual([false, false]);
    expect(a?.body.counts).toEqual({ rows: 2, created: 1, updated: 1, skipped: 0, repeats: 0 });
    expect(b?.body.counts).toEqual({ rows: 2, created: 1, updated: 0, skipped: 1, repeats: 0 });
    expect((await getImport(imp.id)).counts).toEqual({
      rows: 4,
      created: 2,
      updated: 1,
      skipped: 1,
      repeats: 0,
    });
    expect((await partners()).map((p: { partner_key: string }) => p.partner_key).sort()).toEqual([
      "ada",
      "bryn",
      "cy",
    ]);
    const report = (await s.call("GET", `/v1/imports/${imp.id}/report`)).body;
    expect(report.results.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
      [2, "created"],
      [3, "updated"],
      [4, "created"],
      [5, "skipped"],
    ]);
  });

  it("two chunks sent at once that name one partner create it once; the later row is a duplicate_in_file", async () => {
    const { body: imp } = await start();
    await Promise.all(Array.from({ length: 6 }, () => getImport(imp.id)));
    const [a, b] = await Promise.all([
      send(imp.id, 0, numbered(2, [["ada@example.com", "ada", "Ada", "North"]])),
      send(
        imp.id,
        1,
        numbered(3, [
          ["bryn@example.com", "bryn", "Bryn", "South"],
          ["ada.l@example.com", "ada", "Ada L", "North"],
        ]),
      ),
    ]);
    expect([a?.status, b?.status]).toEqual([200, 200]);
    const results = [...(a?.body.results ?? []), ...(b?.body.results ?? [])];
    const ada = results.filter((r: { row: number }) => r.row !== 3);
    expect(ada.map((r: { outcome: string }) => r.outcome).sort()).toEqual(["created", "skipped"]);
    expect(ada.flatMap((r: { issues: { code: string }[] }) => r.issues.map((i) => i.code))).toEqual([
      "duplicate_in_file",
    ]);
    expect((await partners()).map((p: { partner_key: string }) => p.partner_key).sort()).toEqual([
      "ada",
      "bryn",
    ]);
    // Whichever went first, the chunks' counts add up to the import's.
    const sum = (k: "rows" | "created" | "updated" | "skipped" | "repeats") =>
      (a?.body.counts[k] ?? 0) + (b?.body.counts[k] ?? 0);
    const total = { rows: 3, created: 2, updated: 0, skipped: 1, repeats: 0 };
    expect({
      rows: sum("rows"),
      created: sum("created"),
      updated: sum("updated"),
      skipped: sum("skipped"),
      repeats: sum("repeats"),
    }).toEqual(total);
    expect((await getImport(imp.id)).counts).toEqual(total);
  });

  it("skips a partner repeated in a later chunk as duplicate_in_file, naming the row it is first in", async () => {
    const { body: imp } = await start();
    await send(imp.id, 0, numbered(2, [["ada@example.com", "ada", "Ada", "North"]]));
    const later = await send(
      imp.id,
      1,
      numbered(3, [
        ["other@example.com", "ada", "Not Ada", "North"],
        ["ADA@example.com", "ada2", "Also not Ada", "South"],
      ]),
    );
    expect(later.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["skipped", "skipped"]);
    expect(later.body.results[0].issues).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "duplicate_in_file",
        field: "partner_key",
        column: 2,
        message: expect.stringContaining("is also in row 2"),
      }),
    ]);
    expect(later.body.results[1].issues).toEqual([
      expect.objectContaining({
        code: "duplicate_in_file",
        field: "partner_email",
        column: 1,
        message: expect.stringContaining("is also in row 2"),
      }),
    ]);
    expect((await partners()).map((p: { first_name: string }) => p.first_name)).toEqual(["Ada"]);
  });

  it("refuses a new chunk after complete with 409, yet answers a resent one from its stored results", async () => {
    const { body: imp } = await start();
    const chunk = numbered(2, [["ada@example.com", "ada", "Ada", "North"]]);
    const first = await send(imp.id, 0, chunk);
    await s.call("POST", `/v1/imports/${imp.id}/complete`);

    const late = await send(imp.id, 1, numbered(3, [["bryn@example.com", "bryn", "Bryn", "North"]]));
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: "import_closed",
      message: expect.stringMatching(/completed/),
    });
    const resent = await send(imp.id, 0, chunk);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ replayed: true, results: first.body.results });

    expect(await partners()).toHaveLength(1);
    expect(await getImport(imp.id)).toMatchObject({
      status: "completed",
      counts: { rows: 1 },
      chunks_received: 1,
    });
  });

  it("completes once: completing again answers the same summary", async () => {
    const { body: imp } = await start();
    await send(imp.id, 0, numbered(2, [["ada@example.com", "ada", "Ada", "North"]]));
    const first = await s.call("POST", `/v1/imports/${imp.id}/complete`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: "completed",
      counts: { rows: 1, created: 1, updated: 0, skipped: 0, repeats: 0 },
      completed_at: expect.any(String),
    });
    const second = await s.call("POST", `/v1/imports/${imp.id}/complete`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await audit("import.completed")).toEqual([
      expect.objectContaining({
        import_id: imp.id,
        counts: { rows: 1, created: 1, updated: 0, skipped: 0, repeats: 0 },
      }),
    ]);
  });

  it("cancels an import: cancelled, logged, and it takes no more rows", async () => {
    const { body: imp } = await start();
    await send(imp.id, 0, numbered(2, [["ada@example.com", "ada", "Ada", "North"]]));
    const cancelled = await s.call("POST", `/v1/imports/${imp.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", counts: { rows: 1, created: 1 } });
    expect((await getImport(imp.id)).status).toBe("cancelled");
    expect(await audit("import.cancelled")).toEqual([
      expect.objectContaining({ import_id: imp.id, actor: "admin@acme.test", counts: expect.any(Object) }),
    ]);
    expect((await send(imp.id, 1, numbered(3, [["bryn@example.com", "bryn", "", "North"]]))).status).toBe(
      409,
    );
    expect((await s.call("POST", `/v1/imports/${imp.id}/complete`)).status).toBe(409);
    expect((await getImport(imp.id)).status).toBe("cancelled");
  });

  it("refuses to cancel a completed import with 409; it stays completed", async () => {
    const { body: imp } = await start();
    await s.call("POST", `/v1/imports/${imp.id}/complete`);
    const r = await s.call("POST", `/v1/imports/${imp.id}/cancel`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("import_closed");
    expect((await getImport(imp.id)).status).toBe("completed");
    expect(await audit("import.cancelled")).toEqual([]);
  });

  it("dry run: reports what it would create and update, and writes nothing", async () => {
    const { results: real } = await importRows(s, "partners", H, [
      ["ada@example.com", "ada", "Ada", "North"],
    ]);
    expect(real[0].outcome).toBe("created");
    const before = await partners();

    const { body: imp } = await start({ options: { dry_run: true, send_invites: true } });
    expect(imp.options).toMatchObject({ dry_run: true });
    const r = await send(
      imp.id,
      0,
      numbered(2, [
        ["", "ada", "Changed", "South"],
        ["bryn@example.com", "bryn", "Bryn", "North"],
      ]),
    );
    expect(
      r.body.results.map((x: { outcome: string; object_key: string }) => [x.outcome, x.object_key]),
    ).toEqual([
      ["updated", "ada"],
      ["created", "bryn"],
    ]);
    const done = await s.call("POST", `/v1/imports/${imp.id}/complete`);
    expect(done.body.counts).toEqual({ rows: 2, created: 1, updated: 1, skipped: 0, repeats: 0 });

    expect(await partners()).toEqual(before);
    expect((await s.call("GET", "/v1/partners?key=bryn")).body.data).toEqual([]);
    const outbox = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox");
    expect(outbox.rows[0]?.n).toBe(0);
  });

  it("a dry run on an empty program leaves GET /v1/partners empty", async () => {
    const { results } = await importRows(
      s,
      "partners",
      H,
      [
        ["ada@example.com", "ada", "Ada", "North"],
        ["bryn@example.com", "bryn", "Bryn", "South"],
      ],
      { dry_run: true },
    );
    expect(results.map((r) => r.outcome)).toEqual(["created", "created"]);
    expect((await s.call("GET", "/v1/partners")).body.data).toEqual([]);
  });

  it("counts rows, created, updated and skipped, per chunk and for the import", async () => {
    await importRows(s, "partners", H, [["cy@example.com", "cy", "Cy", "North"]]);
    const { body: imp } = await start({ total_rows: 5 });
    const a = await send(
      imp.id,
      0,
      numbered(2, [
        ["ada@example.com", "ada", "Ada", "North"],
        ["", "cy", "Cy Again", ""],
        ["not-an-email", "eve", "Eve", "North"],
      ]),
    );
    const b = await send(
      imp.id,
      1,
      numbered(5, [
        ["bryn@example.com", "bryn", "", "West"],
        ["dee@example.com", "dee", "", "South"],
      ]),
    );
    expect(a.body.counts).toEqual({ rows: 3, created: 1, updated: 1, skipped: 1, repeats: 0 });
    expect(b.body.counts).toEqual({ rows: 2, created: 1, updated: 0, skipped: 1, repeats: 0 });
    const total = { rows: 5, created: 2, updated: 1, skipped: 2, repeats: 0 };
    expect((await getImport(imp.id)).counts).toEqual(total);
    expect((await s.call("POST", `/v1/imports/${imp.id}/complete`)).body.counts).toEqual(total);
    expect(await audit("import.completed")).toContainEqual(
      expect.objectContaining({ import_id: imp.id, counts: total }),
    );
  });

  it("imports a row that has only warnings, keeping its warnings", async () => {
    await importRows(s, "partners", H, [["cy@example.com", "cy", "Cy", "North"]]);
    // Columns without a header (even one of spaces) are not imported: their values draw a warning.
    const { body: imp } = await start({ headers: [...H, "", "  "] });
    const r = await send(
      imp.id,
      0,
      numbered(2, [
        ["ada@example.com", "ada", "Ada", "North", "stray", "stray too"],
        ["cy@example.com", "no-such-key", "Cy", "", "", ""],
      ]),
    );
    const [ada, cy] = r.body.results;
    expect(ada).toMatchObject({ outcome: "created", object_key: "ada" });
    expect(ada.issues).toEqual([
      expect.objectContaining({ severity: "warning", code: "ignored_value", column: 5 }),
      expect.objectContaining({ severity: "warning", code: "ignored_value", column: 6 }),
    ]);
    expect(cy).toMatchObject({ outcome: "updated", object_key: "cy" });
    expect(codes(cy.issues)).toEqual(["warning:ignored_value"]);
    expect(r.body.counts).toEqual({ rows: 2, created: 1, updated: 1, skipped: 0, repeats: 0 });
    expect((await s.call("GET", "/v1/partners?key=ada")).body.data).toHaveLength(1);
  });

  it("skips a blank row with a warning, not an error", async () => {
    const { body: imp } = await start();
    const r = await send(
      imp.id,
      0,
      numbered(2, [["ada@example.com", "ada", "Ada", "North"], ["", " ", null, ""], []]),
    );
    expect(r.status).toBe(200);
    const [, blank, empty] = r.body.results;
    for (const result of [blank, empty]) {
      expect(result.outcome).toBe("skipped");
      expect(codes(result.issues)).toEqual(["warning:ignored_value"]);
      expect(result.issues[0].message).toMatch(/blank/);
    }
    expect(r.body.counts).toEqual({ rows: 3, created: 1, updated: 0, skipped: 2, repeats: 0 });
  });

  it("pages through the history newest first without losing an import", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await start()).body.id);
    // Four imports within one millisecond, as a busy service makes them.
    await s.db.query(
      `UPDATE imports SET created_at = '2026-11-01T10:00:00.000Z'::timestamptz + (x.n * interval '1 microsecond')
       FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) WHERE imports.id = x.id`,
      [ids],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r: { body: { data: { id: string }[]; next_cursor: string | null } } = await s.call(
        "GET",
        `/v1/imports?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...r.body.data.map((i) => i.id));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...ids].reverse());
    expect((await s.call("GET", "/v1/imports?cursor=bm9wZQ")).status).toBe(400);
  });
});

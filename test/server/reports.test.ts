import { parse } from "csv-parse/sync";
import { engines, importRows, KEYS, startTestService, type TestService } from "./harness";

describe.each(engines())("import reports and history (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = ["partner_email", "partner_key", "territory"];
  const start = async (key: string = KEYS.admin) => {
    const r = await s.call("POST", "/v1/imports", {
      key,
      body: { object: "partners", headers: key === KEYS.admin ? H : ["partner_email"], total_rows: 0 },
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  it("gives every row's result in row order, whichever order the chunks came in", async () => {
    await importRows(s, "partners", H, [["old@example.com", "old", "North"]]);
    const id = await start();
    const send = (seq: number, rows: [number, unknown[]][]) =>
      s.call("PUT", `/v1/imports/${id}/chunks/${seq}`, {
        body: { rows: rows.map(([row, cells]) => ({ row, cells })) },
      });
    expect(
      (
        await send(1, [
          [4, ["new@example.com", "new", "South"]],
          [5, ["", "", ""]],
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await send(0, [
          [2, ["bad-email", "x1", "North"]],
          [3, ["", "old", ""]],
        ])
      ).status,
    ).toBe(200);
    await s.call("POST", `/v1/imports/${id}/complete`);

    const report = await s.call("GET", `/v1/imports/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.body.import).toMatchObject({
      id,
      status: "completed",
      counts: { rows: 4, created: 1, updated: 1, skipped: 2, repeats: 0 },
    });
    // The updated row also says what it changed (here nothing: its cells were blank).
    const plain = ["issues", "object_key", "outcome", "row"];
    expect(report.body.results.map((r: Record<string, unknown>) => Object.keys(r).sort())).toEqual([
      plain,
      ["changes", ...plain],
      plain,
      plain,
    ]);
    expect(report.body.results[1].changes).toEqual([]);
    expect(
      report.body.results.map(
        (r: { row: number; outcome: string; object_key: string | null; issues: [] }) => [
          r.row,
          r.outcome,
          r.object_key,
          r.issues.map((i: { code: string }) => i.code),
        ],
      ),
    ).toEqual([
      [2, "skipped", null, ["invalid_email"]],
      [3, "updated", "old", []],
      [4, "created", "new", []],
      [5, "skipped", null, ["ignored_value"]],
    ]);
  });

  it("spans every chunk of a large import", async () => {
    const rows = Array.from({ length: 7 }, (_, i) => [`p${i}@example.com`, `p${i}`, "North"]);
    const { id } = await importRows(s, "partners", H, rows, {}, 3);
    const report = await s.call("GET", `/v1/imports/${id}/report`);
    expect(report.body.results.map((r: { row: number }) => r.row)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(report.body.results.map((r: { object_key: string }) => r.object_key)).toEqual(
      rows.map((r) => r[1]),
    );
  });

  it("as CSV: a header row, then one line per row", async () => {
    const { id } = await importRows(s, "partners", H, [
      ["ada@example.com", "ada", "North"],
      ["bryn@example.com", "bryn", "West"],
    ]);
    const csv = await s.call("GET", `/v1/imports/${id}/report?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toMatch(/attachment; filename=".*\.csv"/);
    expect(parse(csv.text)).toEqual([
      ["row", "outcome", "object_key", "codes", "messages"],
      ["2", "created", "ada", "", ""],
      [
        "3",
        "skipped",
        "",
        "invalid_choice",
        'Error: territory "West" is not one of the allowed values; expected one of "North", "South"',
      ],
    ]);
  });

  it("quotes a CSV cell that holds a comma or a quote, doubling the quotes", async () => {
    const { id } = await importRows(s, "partners", H, [["bryn@example.com", "bryn", "West"]]);
    const csv = await s.call("GET", `/v1/imports/${id}/report?format=csv`);
    expect(csv.text.split("\r\n")[1]).toBe(
      '2,skipped,,invalid_choice,"Error: territory ""West"" is not one of the allowed values; expected one of ""North"", ""South"""',
    );
  });

  it("writes a value that starts with = + - or @ after an apostrophe, so a spreadsheet shows it and never runs it", async () => {
    const keys = ["=HYPERLINK(1)", "+15551234", "-2+3", "@x", "=SUM(1,2)"];
    const { id, results } = await importRows(
      s,
      "partners",
      H,
      keys.map((k, i) => [`f${i}@example.com`, k, "North"]),
    );
    expect(results.map((r) => [r.outcome, r.object_key])).toEqual(keys.map((k) => ["created", k]));
    const json = await s.call("GET", `/v1/imports/${id}/report`);
    expect(json.body.results.map((r: { object_key: string }) => r.object_key)).toEqual(keys);
    const csv = await s.call("GET", `/v1/imports/${id}/report?format=csv`);
    expect(csv.text.split("\r\n").slice(1, -1)).toEqual([
      "2,created,'=HYPERLINK(1),,",
      "3,created,'+15551234,,",
      "4,created,'-2+3,,",
      "5,created,'@x,,",
      `6,created,"'=SUM(1,2)",,`,
    ]);
  });

  it("belongs to its program: another program's key finds no such import", async () => {
    const { id } = await importRows(s, "partners", H, [["ada@example.com", "ada", "North"]]);
    expect((await s.call("GET", `/v1/imports/${id}/report`, { key: KEYS.other })).status).toBe(404);
    expect((await s.call("GET", `/v1/imports/${id}`, { key: KEYS.other })).status).toBe(404);
  });

  it("lists the history newest first, a page at a time to the end, each import once", async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push(await start());
    await start(KEYS.other);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { data: { id: string }[]; next_cursor: string | null } } =
        await s.call("GET", `/v1/imports?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(1);
      seen.push(...page.body.data.map((d) => d.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...made].reverse());

    const all = await s.call("GET", "/v1/imports");
    expect(all.body.data.map((d: { id: string }) => d.id)).toEqual([...made].reverse());
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.data[0]).toMatchObject({ object: "partners", user: "admin@acme.test" });
  });

  it("pages through imports started within the same millisecond without losing one", async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push(await start());
    // Microseconds apart, as concurrent imports on PostgreSQL can be.
    await s.db.query(
      `UPDATE imports SET created_at = '2026-01-01T00:00:00.000900Z'::timestamptz - x.n * interval '200 microseconds'
       FROM (SELECT id, row_number() OVER (ORDER BY created_at DESC) AS n FROM imports) x WHERE x.id = imports.id`,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await s.call(
        "GET",
        `/v1/imports?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.body.data.map((d) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([...made].reverse());
  });

  it("refuses a cursor it did not give out", async () => {
    const forged = Buffer.from(JSON.stringify({ t: "yesterday", id: 1 })).toString("base64url");
    for (const cursor of ["not-a-cursor", forged]) {
      const r = await s.call("GET", `/v1/imports?cursor=${cursor}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("invalid_cursor");
    }
  });
});

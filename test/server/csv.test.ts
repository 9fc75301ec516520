import { SYNC_ROWS } from "../../src/server/imports/csvImport";
import { engines, multipart, startTestService, type TestService } from "./harness";

const HEADER = "partner_email,partner_key,first_name,territory";

describe.each(engines())("CSV upload (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  }, 30_000);
  afterEach(() => s.close());

  type Upload = (csv: string, query?: string) => ReturnType<TestService["call"]>;
  const asMultipart: Upload = (csv, query = "") =>
    s.call("POST", `/v1/import/partners${query}`, multipart(csv));
  const asBody: Upload = (csv, query = "") =>
    s.call("POST", `/v1/import/partners${query}`, {
      body: csv,
      headers: { "content-type": "text/csv; charset=utf-8" },
    });
  const ways: [string, Upload][] = [
    ["multipart field 'file'", asMultipart],
    ["text/csv body", asBody],
  ];

  const stored = async (key: string) => (await s.call("GET", `/v1/partners?key=${key}`)).body.data[0];
  const count = async (table: "imports" | "partners" | "outbox") =>
    (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;

  describe.each(ways)("as a %s", (_way, upload) => {
    it("reads quoted commas and quotes, embedded newlines, CRLF line ends and a UTF-8 BOM", async () => {
      const csv = [
        `\uFEFF"partner_email",partner_key,first_name,territory`,
        'ada@example.com,ada,"Lovelace, Ada",North',
        '"bryn@example.com","bryn","Bryn\nJones",South',
        'cy@example.com,cy,"Cy ""the Lion""",North',
        "",
      ].join("\r\n");
      const r = await upload(csv);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        status: "completed",
        total_rows: 3,
        counts: { rows: 3, created: 3, updated: 0, skipped: 0, repeats: 0 },
      });
      // The BOM is not part of the (quoted) first header, and no value keeps a "\r" from the line ends.
      expect(await stored("ada")).toMatchObject({
        partner_email: "ada@example.com",
        first_name: "Lovelace, Ada",
        fields: { territory: "North" },
      });
      expect(await stored("bryn")).toMatchObject({
        first_name: "Bryn\nJones",
        fields: { territory: "South" },
      });
      expect((await stored("cy")).first_name).toBe('Cy "the Lion"');
    });

    it("refuses header errors with 422 and imports nothing", async () => {
      const r = await upload("partner_emial,partner_key,territory\nada@example.com,ada,North\n");
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe("invalid_headers");
      expect(r.body.error.details.alerts).toContainEqual(
        expect.objectContaining({ code: "unknown_header", suggestion: "partner_email" }),
      );
      expect(await count("imports")).toBe(0);
      expect(await count("partners")).toBe(0);
    });

    it("refuses a file that is not CSV with 400, saying where, and imports nothing", async () => {
      const r = await upload(`${HEADER}\nada@example.com,ada,"Ada,North\nbryn@example.com,bryn,Bryn,South\n`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("invalid_csv");
      expect(r.body.error.message).toMatch(/^The file is not valid CSV \(line \d+\): .*quote/i);
      expect(await count("imports")).toBe(0);
      expect(await count("partners")).toBe(0);
    });

    it("dry_run=true checks every row and writes nothing", async () => {
      const r = await upload(
        `${HEADER}\nada@example.com,ada,Ada,North\nbryn@example.com,bryn,Bryn,Nowhere\n`,
        "?dry_run=true&send_invites=true",
      );
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        status: "completed",
        options: { dry_run: true, send_invites: true },
        counts: { rows: 2, created: 1, updated: 0, skipped: 1, repeats: 0 },
      });
      expect(await count("partners")).toBe(0);
      expect(await count("outbox")).toBe(0);
      expect((await s.call("GET", "/v1/partners")).body.data).toEqual([]);
    });

    it("numbers rows as a spreadsheet shows them, past multi-line cells and empty lines", async () => {
      const r = await upload(
        `${HEADER}\nada@example.com,ada,"Ada\nLovelace",North\n\nbryn@example.com,bryn,Bryn,Nowhere\n\n`,
      );
      expect(r.body.counts).toEqual({ rows: 2, created: 1, updated: 0, skipped: 1, repeats: 0 });
      const report = (await s.call("GET", `/v1/imports/${r.body.id}/report`)).body.results;
      expect(report.map((x: { row: number; outcome: string }) => [x.row, x.outcome])).toEqual([
        [2, "created"],
        [4, "skipped"],
      ]);
      expect(report[1].issues[0]).toMatchObject({ row: 4, field: "territory", column: 4 });
    });
  });

  it("refuses a multipart upload without a 'file' field with 400", async () => {
    const upload = multipart(`${HEADER}\nada@example.com,ada,Ada,North\n`);
    const r = await s.call("POST", "/v1/import/partners", {
      body: upload.body.replace('name="file"', 'name="data"'),
      headers: upload.headers,
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "missing_file", message: expect.stringContaining("'file'") });
    expect(await count("imports")).toBe(0);
  });

  it("names the uploaded file as the import's source", async () => {
    const r = await s.call("POST", "/v1/import/partners", multipart(`${HEADER}\n`, "q3-partners.csv"));
    expect(r.status).toBe(201);
    expect(r.body.source).toEqual({ kind: "file", name: "q3-partners.csv" });
  });

  it(`answers an upload of more than ${SYNC_ROWS} rows with 202 processing at once, then completes it`, async () => {
    const total = SYNC_ROWS + 1;
    const lines = Array.from(
      { length: total },
      (_, i) => `p${i}@example.com,p${i},,${i % 2 ? "North" : "South"}`,
    );
    const r = await s.call("POST", "/v1/import/partners", multipart(`${HEADER}\n${lines.join("\n")}\n`));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: "processing", total_rows: total, completed_at: null });

    let current = r.body;
    for (let poll = 0; poll < 600 && current.status === "processing"; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = (await s.call("GET", `/v1/imports/${r.body.id}`)).body;
    }
    expect(current).toMatchObject({
      status: "completed",
      counts: { rows: total, created: total, updated: 0, skipped: 0, repeats: 0 },
      error: null,
    });
    expect(await count("partners")).toBe(total);
    const report = (await s.call("GET", `/v1/imports/${r.body.id}/report`)).body.results;
    expect(report).toHaveLength(total);
    expect(report[total - 1]).toMatchObject({ row: total + 1, object_key: `p${total - 1}` });
  }, 60_000);
});

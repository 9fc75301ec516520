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

  it("a retried upload with the same Idempotency-Key makes one import; another file under the key is 422", async () => {
    const csv = `${HEADER}\nada@example.com,ada,Ada,North\nbryn@example.com,bryn,Bryn,South\n`;
    const under = (key: string, body: string, filename = "data.csv") => {
      const m = multipart(body, filename);
      return s.call("POST", "/v1/import/partners", {
        body: m.body,
        headers: { ...m.headers, "idempotency-key": key },
      });
    };
    const first = await under("upload-key-0001", csv);
    expect(first.status).toBe(201);
    // The same bytes under another file name are the same request.
    const again = await under("upload-key-0001", csv, "renamed.csv");
    expect(again.status).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toMatchObject({ id: first.body.id, status: "completed" });
    expect(await count("imports")).toBe(1);
    expect(await count("partners")).toBe(2);

    const other = await under("upload-key-0001", `${csv}cy@example.com,cy,Cy,North\n`);
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: "idempotency_mismatch",
      details: { import_id: first.body.id },
    });
    const otherOptions = await s.call("POST", "/v1/import/partners?dry_run=true", {
      body: csv,
      headers: { "content-type": "text/csv", "idempotency-key": "upload-key-0001" },
    });
    expect(otherOptions.status).toBe(422);
    expect(await count("imports")).toBe(1);
    expect(await count("partners")).toBe(2);
  });

  it("describes the upload in /v1/openapi.json: its two bodies, Idempotency-Key and its answers", async () => {
    const doc = (await s.call("GET", "/v1/openapi.json", { key: null })).body;
    const upload = doc.paths["/v1/import/{object}"].post;
    expect(Object.keys(upload.requestBody.content).sort()).toEqual(["multipart/form-data", "text/csv"]);
    expect(upload.requestBody.content["multipart/form-data"].schema.required).toEqual(["file"]);
    for (const op of [upload, doc.paths["/v1/imports"].post])
      expect(op.parameters).toContainEqual(
        expect.objectContaining({ in: "header", name: "idempotency-key" }),
      );
    expect(Object.keys(upload.responses).sort()).toEqual(["200", "201", "202", "400", "413", "422"]);
    expect(upload.responses["202"].content["application/json"].schema.properties).toHaveProperty(
      "total_rows",
    );
    expect(upload.responses["422"].content["application/json"].schema.required).toEqual(["error"]);
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

  const fileOf = (total: number, line: (i: number) => string) =>
    `${HEADER}\n${Array.from({ length: total }, (_, i) => line(i)).join("\n")}\n`;
  const until = async (id: string, done: (imp: any) => boolean) => {
    for (;;) {
      const imp = (await s.call("GET", `/v1/imports/${id}`)).body;
      if (done(imp)) return imp;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const staged = async () =>
    (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM import_staging")).rows[0]?.n;

  it("a chunk that keeps failing ends the upload failed, with a sentence saying where, audited; its staged rows go", async () => {
    // A rule the database holds and the import knows nothing of: every insert of one chunk breaks it.
    await s.db.query(
      "ALTER TABLE partners ADD CONSTRAINT no_boom CHECK (first_name IS DISTINCT FROM 'Boom')",
    );
    const total = SYNC_ROWS + 1;
    const r = await s.call("POST", "/v1/import/partners", {
      body: fileOf(total, (i) => `p${i}@example.com,p${i},${i === 1500 ? "Boom" : "Ada"},North`),
      headers: { "content-type": "text/csv" },
    });
    expect(r.status).toBe(202);
    const imp = await until(r.body.id, (i) => i.status !== "processing");
    expect(imp).toMatchObject({ status: "failed", counts: { rows: 1000, created: 1000 } });
    // Data row 1500 is line 1502: the second chunk, lines 1002 to 2001.
    expect(imp.error).toMatch(
      /^The import stopped at rows 1002 to 2001 .*could not be applied after 4 tries\./,
    );
    expect(imp.error).not.toMatch(/constraint|violates|no_boom/i);
    const audit = (await s.call("GET", "/v1/audit-log?limit=50")).body.data;
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: "import.failed",
        import_id: r.body.id,
        detail: { reason: imp.error },
      }),
    );
    expect(await staged()).toBe(0);
    expect(await count("partners")).toBe(1000);
  }, 60_000);

  it("cancelling an upload that is processing stops its work and removes its staged rows", async () => {
    const total = 20_000;
    const r = await s.call("POST", "/v1/import/partners", {
      body: fileOf(total, (i) => `p${i}@example.com,p${i},Ada,North`),
      headers: { "content-type": "text/csv" },
    });
    expect(r.status).toBe(202);
    const cancelled = await s.call("POST", `/v1/imports/${r.body.id}/cancel`);
    expect(cancelled.body.status).toBe("cancelled");
    expect(await staged()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = (await s.call("GET", `/v1/imports/${r.body.id}`)).body;
    expect(after).toMatchObject({ status: "cancelled", counts: { rows: cancelled.body.counts.rows } });
    expect(after.counts.rows).toBeLessThan(total);
    expect(await count("partners")).toBe(after.counts.created);
  }, 60_000);
});

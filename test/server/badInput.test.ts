import { MAX_JSON_DEPTH } from "../../src/server/jsonBody";
import { engines, importRows, KEYS, multipart, startTestService, type TestService } from "./harness";

const H = ["partner_email", "partner_key", "first_name", "territory"];
const HEADER = H.join(",");
const DASHES = "-".repeat(36);

/** A CSV upload's bytes, as a text/csv body. */
const csvBody = (bytes: Buffer) => ({ body: bytes, headers: { "content-type": "text/csv" } });

function utf16(text: string, order: "le" | "be"): Buffer {
  const le = Buffer.from(`\uFEFF${text}`, "utf16le");
  return order === "le" ? le : Buffer.from(le).swap16();
}

describe.each(engines())("bad input gets a clear 4xx, never a 5xx (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  }, 30_000);
  afterEach(() => s.close());

  const stored = async (key: string) => (await s.call("GET", `/v1/partners?key=${key}`)).body.data[0];

  describe("text the database cannot store", () => {
    it.each([
      ["a NUL character", "Ada\0Lovelace", "NUL"],
      ["a lone surrogate", "Ada\uD800", "broken character"],
      ["U+FFFD, left where bytes were not text", "Ada\uFFFD", "broken character"],
    ])(
      "a cell holding %s skips its row with invalid_text naming row and column; the chunk goes on",
      async (_what, bad, word) => {
        const { results, completed } = await importRows(s, "partners", H, [
          ["ada@example.com", "ada", bad, "North"],
          ["bo@example.com", "bo", "Bo", "South"],
        ]);
        expect(results[0]).toMatchObject({ row: 2, outcome: "skipped" });
        expect(results[0].issues).toEqual([
          expect.objectContaining({ row: 2, column: 3, field: "first_name", code: "invalid_text" }),
        ]);
        expect(results[0].issues[0].message).toContain(word);
        expect(results[1]).toMatchObject({ row: 3, outcome: "created" });
        expect(completed.body.counts).toMatchObject({ created: 1, skipped: 1 });
        expect(await stored("ada")).toBeUndefined();
      },
    );

    it("a bad cell in a column with no header is ignored with its column, its value never quoted", async () => {
      const { results } = await importRows(
        s,
        "partners",
        [...H, ""],
        [["a@example.com", "a", "A", "North", "x\0y"]],
      );
      expect(results[0].outcome).toBe("created");
      expect(results[0].issues).toEqual([
        expect.objectContaining({
          column: 5,
          code: "ignored_value",
          message: "This column has no header, so its value was ignored",
        }),
      ]);
    });

    it("a header holding a NUL is 400 naming its column", async () => {
      const r = await s.call("POST", "/v1/imports", {
        body: { object: "partners", headers: ["partner_email", "partner\0key"] },
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "invalid_text", details: { column: 2 } });
      expect(r.body.error.message).toContain("column 2");
    });

    it.each([
      ["an object name", "POST", "/v1/import/part%00ners", undefined],
      ["a records filter", "GET", "/v1/partners?key=a%00b", undefined],
      ["a template's group_key", "GET", "/v1/objects/leads/template.csv?group_key=%00", undefined],
      ["an upload's group_key", "POST", "/v1/import/leads?group_key=a%00", undefined],
      ["the object of a chunked import", "POST", "/v1/imports", { object: "partners\0", headers: H }],
      [
        "source.name",
        "POST",
        "/v1/imports",
        { object: "partners", headers: H, source: { kind: "sheet", name: "\uDC00" } },
      ],
      [
        "a client_token",
        "POST",
        "/v1/imports",
        { object: "partners", headers: H, client_token: "token-\0-1234" },
      ],
      [
        "options.group_key",
        "POST",
        "/v1/imports",
        { object: "leads", headers: H, options: { group_key: "a\0" } },
      ],
    ])("%s holding a NUL or a lone surrogate is 400, naming where", async (_what, method, url, body) => {
      const r = await s.call(method as "GET", url, {
        ...(body ? { body } : { body: `${HEADER}\n`, headers: { "content-type": "text/csv" } }),
      });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/NUL characters or broken characters/);
    });

    it("an upload whose file name holds a NUL is 400 and imports nothing", async () => {
      const r = await s.call(
        "POST",
        "/v1/import/partners",
        multipart(`${HEADER}\nada@example.com,ada,Ada,North\n`, "a\0b.csv"),
      );
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("invalid_text");
      expect(await stored("ada")).toBeUndefined();
    });
  });

  describe("CSV encodings", () => {
    it.each(["le", "be"] as const)("a UTF-16 %s file with its BOM is decoded", async (order) => {
      const r = await s.call(
        "POST",
        "/v1/import/partners",
        csvBody(utf16(`${HEADER}\r\nzoe@example.com,zoe,Zoë,North\r\n`, order)),
      );
      expect(r.status).toBe(201);
      expect(r.body.counts).toMatchObject({ created: 1 });
      expect(await stored("zoe")).toMatchObject({ first_name: "Zoë", partner_email: "zoe@example.com" });
    });

    it("bytes that are not UTF-8, or a NUL byte, skip their row naming it; the other rows are imported", async () => {
      const bytes = Buffer.concat([
        Buffer.from(`${HEADER}\nada@example.com,ada,Ad`),
        Buffer.from([0xff, 0xfe, 0xc0]),
        Buffer.from("a,North\nbo@example.com,bo,B\0o,South\ncy@example.com,cy,Cy,North\n"),
      ]);
      const r = await s.call("POST", "/v1/import/partners", csvBody(bytes));
      expect(r.status).toBe(201);
      expect(r.body.counts).toMatchObject({ created: 1, skipped: 2 });
      const report = await s.call("GET", `/v1/imports/${r.body.id}/report`);
      const [ada, bo, cy] = report.body.results;
      expect(ada.issues).toEqual([expect.objectContaining({ row: 2, column: 3, code: "invalid_text" })]);
      expect(bo.issues).toEqual([expect.objectContaining({ row: 3, column: 3, code: "invalid_text" })]);
      expect(cy.outcome).toBe("created");
    });

    it("a header row with bytes that are not UTF-8 is 400 naming the column", async () => {
      const bytes = Buffer.concat([
        Buffer.from("partner_email,partner_"),
        Buffer.from([0xff]),
        Buffer.from("key\na@example.com,a\n"),
      ]);
      const r = await s.call("POST", "/v1/import/partners", csvBody(bytes));
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "invalid_text", details: { column: 2 } });
    });
  });

  describe("multipart bodies that do not parse", () => {
    const upload = multipart(`${HEADER}\nada@example.com,ada,Ada,North\n`);
    it.each([
      ["cut short", upload.body.slice(0, upload.body.length - 30), upload.headers["content-type"]],
      ["cut inside its part headers", upload.body.slice(0, 40), upload.headers["content-type"]],
      ["under another boundary", upload.body, `${upload.headers["content-type"]}x`],
      ["with no boundary", upload.body, "multipart/form-data"],
    ])("a body %s is 400 and imports nothing", async (_what, body, type) => {
      const r = await s.call("POST", "/v1/import/partners", {
        body,
        headers: { "content-type": type as string },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.message).not.toMatch(/something went wrong/i);
      expect(await stored("ada")).toBeUndefined();
    });
  });

  describe("ids", () => {
    it.each([
      ["GET", ""],
      ["GET", "/report"],
      ["PUT", "/chunks/0"],
      ["POST", "/complete"],
      ["POST", "/cancel"],
    ])("%s an import%s by an id of 36 dashes is 404 not_found", async (method, rest) => {
      const r = await s.call(method as "GET", `/v1/imports/${DASHES}${rest}`, {
        ...(method === "PUT" ? { body: { rows: [] } } : {}),
      });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("not_found");
    });

    it("a cursor holding an id of 36 dashes is 400", async () => {
      const cursor = Buffer.from(JSON.stringify({ id: DASHES })).toString("base64url");
      for (const path of ["/v1/imports", "/v1/audit-log", "/v1/partners"])
        expect((await s.call("GET", `${path}?cursor=${cursor}`)).status).toBe(400);
    });
  });

  describe("request bodies", () => {
    it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is 400`, async () => {
      const deep = `{"object":"partners","headers":["email"],"source":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
      const r = await s.call("POST", "/v1/imports", {
        body: deep,
        headers: { "content-type": "application/json" },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("too_deep");
      const ok = `{"rows":[{"row":2,"cells":["a@example.com","a","A","N"]}]}`;
      const started = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: H } });
      const chunk = await s.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, {
        body: ok,
        headers: { "content-type": "application/json" },
      });
      expect(chunk.status).toBe(200);
    });

    it("a start body over 1 MB is 413", async () => {
      const r = await s.call("POST", "/v1/imports", {
        body: { object: "partners", headers: ["x".repeat(1024 * 1024)] },
      });
      expect(r.status).toBe(413);
    });

    it("source takes only kind and name: another key (an actor) is 400, and so is one over 2 KB", async () => {
      const start = (source: unknown) =>
        s.call("POST", "/v1/imports", { body: { object: "partners", headers: H, source } });
      expect((await start({ kind: "sheet", actor: "ceo@acme.test" })).status).toBe(400);
      expect((await start({ kind: "file", name: "\u0001".repeat(400) })).status).toBe(400);
      const sheet = await start({ kind: "sheet", name: "Partners" });
      expect(sheet.status).toBe(201);
      expect(sheet.body.source).toEqual({ kind: "sheet", name: "Partners" });
    });

    it("a denied start with an outsized source is refused before it is audited", async () => {
      const r = await s.call("POST", "/v1/imports", {
        key: KEYS.partner,
        body: { object: "partners", headers: H, source: { kind: "api", blob: "x".repeat(100_000) } },
      });
      expect(r.status).toBe(400);
      const { rows } = await s.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'import.denied'",
      );
      expect(rows[0]?.n).toBe(0);
    });
  });

  describe("database messages", () => {
    it("an upload whose rows fail to apply answers with the import in progress, never the database's message", async () => {
      const query = s.db.query.bind(s.db);
      s.db.query = (async (sql: string, values?: unknown[]) => {
        if (sql.includes("FROM import_staging s")) throw new Error('relation "secret_table" does not exist');
        return query(sql, values);
      }) as typeof s.db.query;
      const r = await s.call(
        "POST",
        "/v1/import/partners",
        csvBody(Buffer.from(`${HEADER}\nada@example.com,ada,Ada,North\n`)),
      );
      s.db.query = query;
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: "processing", error: null });
      expect(r.text).not.toContain("secret_table");
    });

    it("a start that fails on the database is audited with a plain sentence, not the database's message", async () => {
      const query = s.db.query.bind(s.db);
      s.db.query = (async (sql: string, values?: unknown[]) => {
        if (sql.includes("FROM programs WHERE id = $1"))
          throw new Error('relation "secret_table" does not exist');
        return query(sql, values);
      }) as typeof s.db.query;
      const r = await s.call("POST", "/v1/imports", { body: { object: "partners", headers: H } });
      s.db.query = query;
      expect(r.status).toBe(500);
      const { rows } = await s.db.query<{ detail: { reason: string } }>(
        "SELECT detail FROM audit_log WHERE action = 'import.failed'",
      );
      expect(rows.map((row) => row.detail.reason)).toEqual(["The import could not be started."]);
    });
  });
});

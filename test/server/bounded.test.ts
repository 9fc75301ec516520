import { parse } from "csv-parse/sync";
import { REPEATS_BEFORE_COLLAPSE } from "../../src/server/imports/pipeline/columnIssues";
import {
  MAX_CHUNK_BYTES,
  MAX_CHUNK_CELLS,
  MAX_CHUNK_ROWS,
  MAX_COLUMNS,
} from "../../src/server/imports/pipeline/limits";
import type { RowResult } from "../../src/server/imports/types";
import { engines, startTestService, type TestService } from "./harness";

const H = ["partner_email", "partner_key", "first_name", "territory"];

describe.each(engines())("bounded memory and a service that answers (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  }, 30_000);
  afterEach(() => s.close());

  const start = async (headers: unknown[] = H) => {
    const r = await s.call("POST", "/v1/imports", { body: { object: "partners", headers } });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const send = (id: string, seq: number, rows: { row: number; cells: unknown[] }[]) =>
    s.call("PUT", `/v1/imports/${id}/chunks/${seq}`, { body: { rows } });
  const rowsOf = (count: number, cells: (i: number) => unknown[]) =>
    Array.from({ length: count }, (_, i) => ({ row: i + 2, cells: cells(i) }));
  const chunksStored = async () =>
    (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM import_chunks")).rows[0]?.n;

  describe("a chunk past a limit is 413 chunk_too_large, naming the limit, and applies nothing", () => {
    it("rows", async () => {
      const id = await start();
      const r = await send(
        id,
        0,
        rowsOf(MAX_CHUNK_ROWS + 1, () => []),
      );
      expect(r.status).toBe(413);
      expect(r.body.error).toMatchObject({
        code: "chunk_too_large",
        message: `A chunk holds at most ${MAX_CHUNK_ROWS.toLocaleString("en-US")} rows; this one has ${(MAX_CHUNK_ROWS + 1).toLocaleString("en-US")}. Send the rows in smaller chunks.`,
        details: { limit: "rows", most: MAX_CHUNK_ROWS, held: MAX_CHUNK_ROWS + 1 },
      });
      expect(await chunksStored()).toBe(0);
    });

    it("cells", async () => {
      const id = await start();
      const perRow = MAX_COLUMNS;
      const count = Math.floor(MAX_CHUNK_CELLS / perRow) + 1;
      const r = await send(
        id,
        0,
        rowsOf(count, () => Array(perRow).fill(null)),
      );
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe("chunk_too_large");
      expect(r.body.error.details).toEqual({ limit: "cells", most: MAX_CHUNK_CELLS, held: count * perRow });
      expect(r.body.error.message).toMatch(/^A chunk holds at most 250,000 cells; this one has /);
      expect(await chunksStored()).toBe(0);
    });

    it("cells in a row", async () => {
      const id = await start();
      const r = await send(
        id,
        0,
        rowsOf(1, () => Array(MAX_COLUMNS + 1).fill("")),
      );
      expect(r.status).toBe(413);
      expect(r.body.error.details).toEqual({
        limit: "cells in a row",
        most: MAX_COLUMNS,
        held: MAX_COLUMNS + 1,
      });
    });

    it("bytes", async () => {
      const id = await start();
      const body = JSON.stringify({ rows: [{ row: 2, cells: ["x".repeat(MAX_CHUNK_BYTES)] }] });
      const r = await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
        body,
        headers: { "content-type": "application/json" },
      });
      expect(r.status).toBe(413);
      expect(r.body.error).toMatchObject({
        code: "chunk_too_large",
        details: { limit: "bytes", most: MAX_CHUNK_BYTES, held: Buffer.byteLength(body) },
      });
      expect(r.body.error.message).toMatch(/^A chunk holds at most 16,777,216 bytes; this one has /);
      expect(await chunksStored()).toBe(0);
    });
  });

  it("takes the add-on's largest chunk: 1,000 rows of the widest header row", async () => {
    // Columns without a header, their cells blank: ignored without a word.
    const headers = [...H, ...Array(MAX_COLUMNS - H.length).fill("")];
    const id = await start(headers);
    const rows = rowsOf(MAX_CHUNK_CELLS / MAX_COLUMNS, (i) => [
      `p${i}@example.com`,
      `p${i}`,
      "Ada",
      "North",
      ...Array(MAX_COLUMNS - H.length).fill(null),
    ]);
    const r = await send(id, 0, rows);
    expect(r.status).toBe(200);
    expect(r.body.counts).toMatchObject({ rows: 1000, created: 1000 });
  }, 120_000);

  it(`refuses a header row of more than ${MAX_COLUMNS} columns`, async () => {
    const r = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => `c${i}`) },
    });
    expect(r.status).toBe(400);
  });

  describe("an issue on many rows of one column", () => {
    const badEmail = (count: number) => rowsOf(count, (i) => ["not-an-email", `p${i}`, "Ada", "North"]);

    it(`is said once for the column past ${REPEATS_BEFORE_COLLAPSE} rows; every row is still skipped and flagged`, async () => {
      const id = await start();
      const count = 200;
      const r = await send(id, 0, badEmail(count));
      expect(r.status).toBe(200);
      expect(r.body.counts).toMatchObject({ rows: count, skipped: count, created: 0 });
      const full = r.body.results[0].issues[0];
      expect(full).toMatchObject({ row: 2, column: 1, code: "invalid_email", severity: "error" });
      expect(r.body.column_issues).toEqual([
        {
          column: 1,
          field: full.field,
          severity: "error",
          code: "invalid_email",
          message: full.message,
          rows: count,
          first_rows: [2, 3, 4, 5, 6],
        },
      ]);
      for (const result of r.body.results.slice(1)) {
        expect(result.outcome).toBe("skipped");
        expect(result.issues).toEqual([
          {
            row: result.row,
            column: 1,
            field: full.field,
            severity: "error",
            code: "invalid_email",
            message: "Same issue as row 2 (invalid_email)",
          },
        ]);
      }
      // The chunk sent again answers the same, column issue and all.
      const again = await send(id, 0, badEmail(count));
      expect(again.body).toEqual({ ...r.body, replayed: true });
      // The report keeps one line per row, the first with the whole message.
      await s.call("POST", `/v1/imports/${id}/complete`);
      const report = (await s.call("GET", `/v1/imports/${id}/report`)).body.results;
      expect(report).toEqual(r.body.results);
    });

    it("a warning shared by many rows is left on the first row only, saying how many more share it", async () => {
      const id = await start([...H, ""]);
      const count = 20;
      const r = await send(
        id,
        0,
        rowsOf(count, (i) => [`p${i}@example.com`, `p${i}`, "Ada", "North", "stray"]),
      );
      expect(r.body.counts).toMatchObject({ rows: count, created: count });
      expect(r.body.column_issues).toEqual([
        expect.objectContaining({ column: 5, code: "ignored_value", severity: "warning", rows: count }),
      ]);
      const [first, ...others] = r.body.results;
      expect(first.issues).toEqual([
        expect.objectContaining({
          row: 2,
          code: "ignored_value",
          message: `${r.body.column_issues[0].message} (the same on ${count - 1} more rows of this chunk)`,
        }),
      ]);
      for (const result of others) expect(result.issues).toEqual([]);
    });

    it(`is kept on each row up to ${REPEATS_BEFORE_COLLAPSE} rows`, async () => {
      const id = await start();
      const r = await send(id, 0, badEmail(REPEATS_BEFORE_COLLAPSE));
      expect(r.body.column_issues).toEqual([]);
      const messages = new Set(r.body.results.map((x: RowResult) => x.issues[0]?.message));
      expect(messages.size).toBe(1);
      expect([...messages][0]).toMatch(/email/i);
    });
  });

  describe("the report, read from the database a page at a time", () => {
    /** The report as the service built it whole: every chunk's results in one query. */
    const wholeReport = async (id: string) => {
      const { rows } = await s.db.query<{ results: RowResult[] }>(
        "SELECT results FROM import_chunks WHERE import_id = $1 ORDER BY first_row NULLS LAST, seq",
        [id],
      );
      return rows.flatMap((r) =>
        r.results.filter((x) => !(x.issues.length === 1 && x.issues[0]?.code === "row_already_sent")),
      );
    };
    /** Seventeen chunks of three rows, sent out of order, then a row sent again and an empty chunk. */
    const manyChunks = async () => {
      const id = await start();
      const order = [5, 0, 16, 3, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      for (const seq of order) {
        const rows = [0, 1, 2].map((k) => {
          const i = seq * 3 + k;
          return {
            row: i + 2,
            cells: [i % 4 ? `p${i}@example.com` : "bad", `p${i}`, '=Ada, "the" first', "North"],
          };
        });
        expect((await send(id, seq, rows)).status).toBe(200);
      }
      expect((await send(id, 17, [{ row: 2, cells: ["again@example.com", "x", "", "North"] }])).status).toBe(
        200,
      );
      expect((await send(id, 18, [])).status).toBe(200);
      await s.call("POST", `/v1/imports/${id}/complete`);
      return id;
    };

    it("as JSON, equals the whole report", async () => {
      const id = await manyChunks();
      const reads = jest.spyOn(s.db, "query");
      const report = await s.call("GET", `/v1/imports/${id}/report`);
      const pages = reads.mock.calls.filter(([sql]) => /SELECT first_row, seq, results/.test(sql)).length;
      reads.mockRestore();
      expect(report.status).toBe(200);
      expect(report.headers["content-type"]).toMatch(/^application\/json/);
      const whole = await wholeReport(id);
      expect(whole).toHaveLength(51);
      expect(report.body.results).toEqual(whole);
      expect(report.body.import).toEqual((await s.call("GET", `/v1/imports/${id}`)).body);
      // 18 chunks with rows, five a page.
      expect(pages).toBe(4);
    });

    it("as CSV, equals the whole report", async () => {
      const id = await manyChunks();
      const csv = await s.call("GET", `/v1/imports/${id}/report?format=csv`);
      expect(csv.status).toBe(200);
      const lines: string[][] = parse(csv.text);
      expect(lines[0]).toEqual(["row", "outcome", "object_key", "codes", "messages"]);
      const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
      expect(lines.slice(1)).toEqual(
        (await wholeReport(id)).map((r) =>
          [
            String(r.row),
            r.outcome,
            r.object_key ?? "",
            r.issues.map((i) => i.code).join(" "),
            r.issues.map((i) => `${i.severity === "error" ? "Error" : "Warning"}: ${i.message}`).join("; "),
          ].map(safe),
        ),
      );
    });
  });

  describe("while a large upload is staged and applied", () => {
    const TOTAL = 30_000;
    const file = `${H.join(",")}\n${Array.from(
      { length: TOTAL },
      (_, i) => `p${i}@example.com,p${i},Ada,North`,
    ).join("\n")}\n`;

    it("reads are answered while the upload is being staged", async () => {
      let answered = false;
      const upload = s
        .call("POST", "/v1/import/partners", { body: file, headers: { "content-type": "text/csv" } })
        .finally(() => {
          answered = true;
        });
      let readsBefore = 0;
      while (!answered) {
        const r = await s.call("GET", "/v1/imports?limit=1");
        expect(r.status).toBe(200);
        if (!answered) readsBefore++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await upload).status).toBe(202);
      // Staging is 30 short statements: reads get in between them, not only after the last.
      expect(readsBefore).toBeGreaterThanOrEqual(3);
    }, 120_000);

    it("/v1/health and the import itself are answered while it is applied", async () => {
      const r = await s.call("POST", "/v1/import/partners", {
        body: file,
        headers: { "content-type": "text/csv" },
      });
      expect(r.status).toBe(202);
      let answeredWhileProcessing = 0;
      for (;;) {
        const health = await s.call("GET", "/v1/health");
        expect(health.status).toBe(200);
        const imp = (await s.call("GET", `/v1/imports/${r.body.id}`)).body;
        if (imp.status !== "processing") {
          expect(imp).toMatchObject({ status: "completed", counts: { rows: TOTAL, created: TOTAL } });
          break;
        }
        answeredWhileProcessing++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(answeredWhileProcessing).toBeGreaterThanOrEqual(3);
    }, 300_000);
  });
});

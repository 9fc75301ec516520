import { engines, startTestService, type TestService } from "./harness";

// Safe to repeat: a request sent again, by a script or by a flaky network, is applied once.

describe.each(engines())("safe to repeat (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const HEADERS = ["partner_email", "partner_key", "territory"];
  const start = (body: Record<string, unknown>, key?: string) =>
    s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: HEADERS, ...body },
      ...(key ? { headers: { "idempotency-key": key } } : {}),
    });
  const row = (n: number) => ({ row: n, cells: [`p${n}@example.com`, `p${n}`, "North"] });
  const partners = async () => {
    const { rows } = await s.db.query<{ key: string }>("SELECT key FROM partners ORDER BY key");
    return rows.map((r) => r.key);
  };

  describe("Idempotency-Key on POST /v1/imports", () => {
    it("the same key and request give the first import back; another request under it is 422", async () => {
      const first = await start({ total_rows: 2 }, "start-key-0001");
      expect(first.status).toBe(201);
      const again = await start({ total_rows: 2 }, "start-key-0001");
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers["idempotent-replayed"]).toBe("true");

      const other = await start({ total_rows: 3 }, "start-key-0001");
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe("idempotency_mismatch");
      expect(other.body.error.message).toContain(first.body.id);
      const { rows } = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM imports");
      expect(rows[0]?.n).toBe(1);
    });

    it("many retries of one start at once make one import", async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => start({ total_rows: 1 }, "burst-0001")),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    });

    it("keys are per program, and a start with neither key nor client_token is still accepted", async () => {
      const mine = await start({ total_rows: 1 }, "shared-key-0001");
      const theirs = await s.call("POST", "/v1/imports", {
        key: "globex-admin-key-0001",
        body: { object: "partners", headers: ["partner_email"] },
        headers: { "idempotency-key": "shared-key-0001" },
      });
      expect(theirs.status).toBe(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
      const a = await start({});
      const b = await start({});
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.id).not.toBe(b.body.id);
    });

    it("refuses a malformed key", async () => {
      const r = await start({}, "x".repeat(256));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("invalid_idempotency_key");
    });
  });

  describe("chunks", () => {
    it("a chunk sent again with other rows is 409 chunk_mismatch and changes nothing", async () => {
      const { body } = await start({ total_rows: 4 });
      const put = (seq: number, rows: unknown[]) =>
        s.call("PUT", `/v1/imports/${body.id}/chunks/${seq}`, { body: { rows } });
      expect((await put(0, [row(2), row(3)])).status).toBe(200);
      const replay = await put(0, [row(2), row(3)]);
      expect(replay.status).toBe(200);
      expect(replay.body.replayed).toBe(true);
      const mismatch = await put(0, [row(4), row(5)]);
      expect(mismatch.status).toBe(409);
      expect(mismatch.body.error.code).toBe("chunk_mismatch");
      expect(mismatch.body.error.message).toContain("rows 2 to 3");
      expect(await partners()).toEqual(["p2", "p3"]);
    });

    it("a row already applied in another chunk comes back skipped as row_already_sent, naming the chunk", async () => {
      const { body } = await start({ total_rows: 3 });
      const put = (seq: number, rows: unknown[]) =>
        s.call("PUT", `/v1/imports/${body.id}/chunks/${seq}`, { body: { rows } });
      await put(0, [row(2), row(3)]);
      // The same row 3, changed, under a new seq: not applied a second time.
      const changed = { row: 3, cells: ["other@example.com", "p3", "South"] };
      const second = await put(1, [changed, row(4)]);
      expect(second.status).toBe(200);
      expect(second.body.results.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
        [3, "skipped"],
        [4, "created"],
      ]);
      expect(second.body.results[0].issues[0].code).toBe("row_already_sent");
      expect(second.body.results[0].issues[0].message).toContain("chunk 0");
      const stored = (await s.call("GET", "/v1/partners?key=p3")).body.data;
      expect(stored[0].partner_email).toBe("p3@example.com");

      const done = await s.call("POST", `/v1/imports/${body.id}/complete`);
      expect(done.status).toBe(200);
      expect(done.body.counts).toEqual({ rows: 3, created: 3, updated: 0, skipped: 0, repeats: 0 });
      const report = (await s.call("GET", `/v1/imports/${body.id}/report`)).body.results;
      expect(report.map((r: { row: number }) => r.row)).toEqual([2, 3, 4]);
    });

    it("complete with rows missing is 409 rows_missing, unless partial", async () => {
      const { body } = await start({ total_rows: 4 });
      await s.call("PUT", `/v1/imports/${body.id}/chunks/0`, { body: { rows: [row(2), row(3)] } });
      const early = await s.call("POST", `/v1/imports/${body.id}/complete`);
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe("rows_missing");
      expect(early.body.error.message).toContain("announced 4 rows and received 2: 2 are missing");
      expect((await s.call("GET", `/v1/imports/${body.id}`)).body.status).toBe("processing");

      const partial = await s.call("POST", `/v1/imports/${body.id}/complete`, { body: { partial: true } });
      expect(partial.status).toBe(200);
      expect(partial.body.status).toBe("completed");
      const log = (await s.call("GET", "/v1/audit-log")).body.data as {
        action: string;
        import_id: string;
        detail: unknown;
      }[];
      const entry = log.find((e) => e.action === "import.completed" && e.import_id === body.id);
      expect(entry?.detail).toEqual({ partial: true, missing: 2 });
    });
  });
});

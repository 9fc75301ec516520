import { connect } from "node:net";
import type { Queryable } from "../../src/server/db/database";
import { MAX_CHUNK_BYTES, MAX_CHUNK_ROWS } from "../../src/server/imports/pipeline/limits";
import { DEFAULT_POOL_MAX, readSettings } from "../../src/server/settings";
import { engines, KEYS, startTestService, type TestService } from "./harness";

// Several chunks in one request (POST /v1/imports/{id}/chunks): each applied in its own transaction,
// in order, as the single PUT applies one; the chunks of one import take turns on one connection.

const HEADERS = ["partner_email", "partner_key", "territory"];
const row = (n: number, prefix = "p") => ({
  row: n,
  cells: [`${prefix}${n}@example.com`, `${prefix}${n}`, "North"],
});
/** Chunk `seq` of 3 rows: rows 2 + 3·seq onwards. */
const chunk = (seq: number, prefix = "p") => ({
  seq,
  rows: [0, 1, 2].map((i) => row(2 + 3 * seq + i, prefix)),
});

/**
 * Counts what holds a connection of the service's database at once: open transactions, and statements
 * run outside one. A request's API key is checked before its turn, so those statements are left out.
 */
function countHolds(s: TestService) {
  const db = s.db;
  const { query, transaction } = db;
  const held = { transactions: 0, all: 0, mostTransactions: 0, most: 0 };
  const take = (inTransaction: boolean) => {
    held.all++;
    held.most = Math.max(held.most, held.all);
    if (inTransaction) {
      held.transactions++;
      held.mostTransactions = Math.max(held.mostTransactions, held.transactions);
    }
  };
  const give = (inTransaction: boolean) => {
    held.all--;
    if (inTransaction) held.transactions--;
  };
  db.query = (async (sql: string, params?: readonly unknown[]) => {
    const counted = !/FROM api_keys/.test(sql);
    if (counted) take(false);
    try {
      return await query.call(db, sql, params);
    } finally {
      if (counted) give(false);
    }
  }) as Queryable["query"];
  db.transaction = async <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => {
    take(true);
    try {
      return (await transaction.call(db, work)) as T;
    } finally {
      give(true);
    }
  };
  return {
    held,
    stop() {
      db.query = query;
      db.transaction = transaction;
    },
  };
}

describe.each(engines())("several chunks in one request (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const start = async (total_rows: number) => {
    const started = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: HEADERS, total_rows },
    });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const post = (id: string, chunks: unknown[], key: string = KEYS.admin) =>
    s.call("POST", `/v1/imports/${id}/chunks`, { body: { chunks }, key });
  const put = (id: string, seq: number, rows: unknown[]) =>
    s.call("PUT", `/v1/imports/${id}/chunks/${seq}`, { body: { rows } });
  const partners = async () => {
    const { rows } = await s.db.query<{ key: string }>("SELECT key FROM partners ORDER BY key");
    return rows.map((r) => r.key);
  };
  const storedSeqs = async (id: string) => {
    const { rows } = await s.db.query<{ seq: number }>(
      "SELECT seq FROM import_chunks WHERE import_id = $1 ORDER BY seq",
      [id],
    );
    return rows.map((r) => r.seq);
  };

  it("applies the chunks in the order given and answers each as the single PUT does", async () => {
    const id = await start(9);
    const other = await start(9);
    const answer = await post(id, [chunk(2), chunk(0), chunk(1)]);
    expect(answer.status).toBe(200);
    expect(answer.body.chunks.map((c: { seq: number }) => c.seq)).toEqual([2, 0, 1]);
    // Each answer is the one a PUT of the same chunk gives (on an import of its own, its keys new).
    const single = await put(other, 2, chunk(2, "q").rows);
    const first = answer.body.chunks[0];
    expect(Object.keys(first).sort()).toEqual(Object.keys(single.body).sort());
    expect(first).toMatchObject({
      import_id: id,
      seq: 2,
      replayed: false,
      counts: { rows: 3, created: 3, updated: 0, skipped: 0, repeats: 0 },
    });
    expect(first.results.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
      [8, "created"],
      [9, "created"],
      [10, "created"],
    ]);
    expect(await storedSeqs(id)).toEqual([0, 1, 2]);
    // In the order given, each in a transaction of its own (its own start time).
    const { rows: order } = await s.db.query<{ seq: number; at: string }>(
      "SELECT seq, created_at::text AS at FROM import_chunks WHERE import_id = $1 ORDER BY created_at",
      [id],
    );
    expect(order.map((r) => r.seq)).toEqual([2, 0, 1]);
    expect(new Set(order.map((r) => r.at)).size).toBe(3);
    const done = await s.call("POST", `/v1/imports/${id}/complete`);
    expect(done.body.counts).toMatchObject({ rows: 9, created: 9 });
  });

  it("a failing chunk leaves those before it applied and the later ones not tried; the same request again replays", async () => {
    const id = await start(12);
    // Chunk 1 was applied before with other rows: sent again under seq 1, it is 409 chunk_mismatch.
    expect((await put(id, 1, [row(50), row(51)])).status).toBe(200);
    const batch = [chunk(0), chunk(1), chunk(2)];
    const failed = await post(id, batch);
    expect(failed.status).toBe(409);
    expect(failed.body.error).toMatchObject({ code: "chunk_mismatch", details: { seq: 1, applied: [0] } });
    expect(failed.body.error.message).toContain("Chunk 1");
    expect(await storedSeqs(id)).toEqual([0, 1]);
    expect(await partners()).toEqual(["p2", "p3", "p4", "p50", "p51"]);

    // Sent again whole, with chunk 1 as it was applied: chunks 0 and 1 replay, chunk 2 is applied.
    const again = await post(id, [chunk(0), { seq: 1, rows: [row(50), row(51)] }, chunk(2)]);
    expect(again.status).toBe(200);
    expect(again.body.chunks.map((c: { seq: number; replayed: boolean }) => [c.seq, c.replayed])).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
    const twice = await post(id, [chunk(0), { seq: 1, rows: [row(50), row(51)] }, chunk(2)]);
    expect(twice.body.chunks.every((c: { replayed: boolean }) => c.replayed)).toBe(true);
    expect(await storedSeqs(id)).toEqual([0, 1, 2]);
    const imported = await s.call("GET", `/v1/imports/${id}`);
    expect(imported.body.counts).toMatchObject({ rows: 8, created: 8 });
  });

  it("a row sent in an earlier chunk of the same request is skipped as row_already_sent, as across PUTs", async () => {
    const id = await start(4);
    const answer = await post(id, [
      { seq: 0, rows: [row(2), row(3)] },
      { seq: 1, rows: [row(3), row(4)] },
    ]);
    expect(answer.status).toBe(200);
    const second = answer.body.chunks[1].results;
    expect(second.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
      [3, "skipped"],
      [4, "created"],
    ]);
    expect(second[0].issues[0]).toMatchObject({ code: "row_already_sent" });
    expect(second[0].issues[0].message).toContain("chunk 0");
  });

  it("a closed import takes no chunk: 409 import_closed, naming the first chunk and nothing applied", async () => {
    const id = await start(3);
    await s.call("POST", `/v1/imports/${id}/cancel`);
    const refused = await post(id, [chunk(0), chunk(1)]);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "import_closed", details: { seq: 0, applied: [] } });
    expect(await storedSeqs(id)).toEqual([]);
  });

  it("takes at most 10 chunks, each within a chunk's limits, with distinct seqs; past one nothing is applied", async () => {
    const id = await start(100);
    const eleven = await post(
      id,
      Array.from({ length: 11 }, (_, seq) => chunk(seq)),
    );
    expect(eleven.status).toBe(413);
    expect(eleven.body.error).toMatchObject({
      code: "chunk_too_large",
      details: { limit: "chunks", most: 10, held: 11 },
    });

    const tooManyRows = Array.from({ length: MAX_CHUNK_ROWS + 1 }, (_, i) => row(1000 + i));
    const rows = await post(id, [chunk(0), { seq: 1, rows: tooManyRows }]);
    expect(rows.status).toBe(413);
    expect(rows.body.error).toMatchObject({
      code: "chunk_too_large",
      details: { limit: "rows", most: MAX_CHUNK_ROWS, held: MAX_CHUNK_ROWS + 1, seq: 1, applied: [] },
    });
    expect(rows.body.error.message).toContain("Chunk 1");

    // 1,000 rows of 17 KB each: more bytes than one chunk may hold, in a request that may hold more.
    const wide = Array.from({ length: 1000 }, (_, i) => ({
      row: 10 + i,
      cells: [`w${i}@example.com`, `w${i}`, "x".repeat(17_000)],
    }));
    const bytes = await post(id, [chunk(0), { seq: 1, rows: wide }]);
    expect(bytes.status).toBe(413);
    expect(bytes.body.error).toMatchObject({
      code: "chunk_too_large",
      details: { limit: "bytes", most: MAX_CHUNK_BYTES, seq: 1, applied: [] },
    });

    const twice = await post(id, [chunk(0), chunk(0)]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe("invalid_request");
    const sameRow = await post(id, [{ seq: 0, rows: [row(2), row(2)] }]);
    expect(sameRow.status).toBe(400);
    expect((await post(id, [])).status).toBe(400);
    expect(await storedSeqs(id)).toEqual([]);
  }, 60_000);

  it("refuses a body past 10 chunks' bytes before reading it: 413 naming the limit", async () => {
    const id = await start(1);
    await s.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (s.app.server.address() as { port: number }).port;
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          `POST /v1/imports/${id}/chunks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.admin}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${10 * MAX_CHUNK_BYTES + 1}\r\n\r\n{"chunks":`,
        );
      });
      let received = "";
      socket.on("data", (part) => {
        received += part;
        if (received.includes("\r\n\r\n{")) socket.destroy();
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    const error = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4).split("\r\n")[0] ?? "{}").error;
    expect(error).toMatchObject({
      code: "chunk_too_large",
      details: { limit: "bytes", most: 10 * MAX_CHUNK_BYTES },
    });
  });

  it("the same permissions as the single PUT: a key without importer is refused, another program's import is not found", async () => {
    const id = await start(3);
    const teammate = await post(id, [chunk(0)], KEYS.teammate);
    const single = await s.call("PUT", `/v1/imports/${id}/chunks/0`, {
      body: { rows: chunk(0).rows },
      key: KEYS.teammate,
    });
    expect(teammate.status).toBe(single.status);
    expect(teammate.body.error.code).toBe(single.body.error.code);
    expect((await post(id, [chunk(0)], KEYS.other)).status).toBe(404);
    expect(await storedSeqs(id)).toEqual([]);
  });

  it("requests of one import at once take turns on one connection, each chunk applied once", async () => {
    const id = await start(30);
    const counting = countHolds(s);
    try {
      // Six requests at once, overlapping: 0–4, 5–9, and each of those four times more.
      const batches = [0, 5, 0, 5, 0, 5].map((from) => Array.from({ length: 5 }, (_, i) => chunk(from + i)));
      const answers = await Promise.all([
        ...batches.map((b) => post(id, b)),
        // Single PUTs of the same import take their turn too.
        put(id, 3, chunk(3).rows),
        put(id, 7, chunk(7).rows),
      ]);
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(counting.held.mostTransactions).toBe(1);
      expect(counting.held.most).toBe(1);
    } finally {
      counting.stop();
    }
    expect(await storedSeqs(id)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const imported = await s.call("GET", `/v1/imports/${id}`);
    expect(imported.body.counts).toMatchObject({ rows: 30, created: 30, skipped: 0 });
    expect((await partners()).length).toBe(30);
  }, 60_000);

  it("imports of their own go on side by side", async () => {
    const [a, b] = [await start(15), await start(15)];
    const counting = countHolds(s);
    try {
      const answers = await Promise.all([
        post(
          a,
          [0, 1, 2, 3, 4].map((i) => chunk(i, "a")),
        ),
        post(
          b,
          [0, 1, 2, 3, 4].map((i) => chunk(i, "b")),
        ),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      expect(counting.held.mostTransactions).toBeLessThanOrEqual(2);
    } finally {
      counting.stop();
    }
    expect((await partners()).length).toBe(30);
  }, 60_000);

  it("?results=issues answers only the rows skipped or with an issue, the counts still of every row; a replay answers the same", async () => {
    const id = await start(6);
    const rows = [row(2), { row: 3, cells: ["not an email", "p3", "North"] }, row(4)];
    const short = await s.call("POST", `/v1/imports/${id}/chunks?results=issues`, {
      body: { chunks: [{ seq: 0, rows }] },
    });
    expect(short.status).toBe(200);
    const [answer] = short.body.chunks;
    expect(answer).toMatchObject({
      seq: 0,
      results_shown: "issues",
      counts: { rows: 3, created: 2, updated: 0, skipped: 1 },
    });
    expect(answer.results.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([
      [3, "skipped"],
    ]);
    expect(answer.results[0].issues[0]).toMatchObject({ field: "partner_email" });
    // The single PUT takes it too; sent again, the chunk replays with the same short answer.
    const again = await s.call("PUT", `/v1/imports/${id}/chunks/0?results=issues`, { body: { rows } });
    expect(again.body).toMatchObject({ replayed: true, results_shown: "issues", counts: answer.counts });
    expect(again.body.results).toEqual(answer.results);
    // Without it, every row's result, as before.
    const full = await put(id, 0, rows);
    expect(full.body).toMatchObject({ replayed: true, results_shown: "all" });
    expect(full.body.results.map((r: { row: number }) => r.row)).toEqual([2, 3, 4]);
    // The report still holds every row.
    await s.call("POST", `/v1/imports/${id}/complete`, { body: { partial: true } });
    const report = await s.call("GET", `/v1/imports/${id}/report`);
    expect(report.body.results.map((r: { row: number }) => r.row)).toEqual([2, 3, 4]);
    // Anything else is refused, naming what is expected.
    const bad = await s.call("PUT", `/v1/imports/${id}/chunks/1?results=some`, { body: { rows: [row(5)] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/results/);
    expect(bad.body.error.message).toMatch(/all|issues/);
  });

  it("is in the API's description, with its answers", async () => {
    const doc = (await s.call("GET", "/v1/openapi.json")).body;
    const batch = doc.paths["/v1/imports/{id}/chunks"].post;
    expect(Object.keys(batch.responses)).toEqual(expect.arrayContaining(["200", "400", "404", "409", "413"]));
    expect(batch.responses["409"].description).toContain("applied");
    expect(batch.requestBody.content["application/json"].schema.properties.chunks.type).toBe("array");
  });
});

describe("the pool's size", () => {
  it("is DATABASE_POOL_MAX, 12 when not set, and a bad value is refused naming it", () => {
    expect(readSettings({}).DATABASE_POOL_MAX).toBe(DEFAULT_POOL_MAX);
    expect(DEFAULT_POOL_MAX).toBe(12);
    expect(readSettings({ DATABASE_POOL_MAX: "20" }).DATABASE_POOL_MAX).toBe(20);
    expect(() => readSettings({ DATABASE_POOL_MAX: "0" })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => readSettings({ DATABASE_POOL_MAX: "many" })).toThrow(/DATABASE_POOL_MAX/);
  });
});

import { KEYS, startTestService, type TestService } from "./harness";

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  res?: { statusCode: number };
  err?: { message: string; stack: string };
}

describe("logs and request ids", () => {
  let s: TestService;
  let written: string[];

  beforeAll(async () => {
    written = [];
    s = await startTestService("pglite", {
      logger: { stream: { write: (line) => void written.push(line) } },
    });
    // A route that fails as a bug would, with words no user should see.
    s.app.get("/v1/fails", async () => {
      throw new Error("relation secret_table does not exist");
    });
  }, 60_000);
  afterAll(() => s.close());

  const lines = (): LogLine[] => written.map((line) => JSON.parse(line));

  it("answers every request with an x-request-id, and every error with it in error.request_id", async () => {
    const ok = await s.call("GET", "/v1/me");
    expect(ok.headers["x-request-id"]).toEqual(expect.any(String));
    for (const [url, key, status] of [
      ["/v1/me", null, 401],
      ["/v1/me", KEYS.partner, 200],
      ["/v1/imports", KEYS.partner, 403],
      ["/nowhere", KEYS.admin, 404],
      ["/v1/imports?limit=0", KEYS.admin, 400],
      ["/%zz", KEYS.admin, 400],
      ["/v1/fails", KEYS.admin, 500],
    ] as const) {
      const r = await s.call("GET", url, { key });
      expect([url, r.status]).toEqual([url, status]);
      const id = r.headers["x-request-id"];
      expect(id).toMatch(/^[\w.-]{1,64}$/);
      if (status >= 400) expect([url, r.body.error.request_id]).toEqual([url, id]);
    }
    const ids = new Set<unknown>();
    for (let i = 0; i < 5; i++) ids.add((await s.call("GET", "/v1/health")).headers["x-request-id"]);
    expect(ids.size).toBe(5);
  });

  it("keeps a caller's own request id when it is a short plain token, and makes a new one otherwise", async () => {
    const sent = async (id: string) =>
      (await s.call("GET", "/v1/me", { key: null, headers: { "x-request-id": id } })).body.error.request_id;
    expect(await sent("sheet-42.call_7")).toBe("sheet-42.call_7");
    for (const unsafe of ["a b", "x".repeat(65), "<script>", "id\u00e9", "a/b", ""])
      expect(await sent(unsafe)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a failure with a plain sentence, and logs its cause with the stack under the request id", async () => {
    written.length = 0;
    const r = await s.call("GET", "/v1/fails", { headers: { "x-request-id": "failing-call-1" } });
    expect(r.status).toBe(500);
    expect(r.body.error).toEqual({
      code: "internal_error",
      message: expect.stringMatching(/^Something went wrong on our side/),
      request_id: "failing-call-1",
    });
    expect(r.text).not.toContain("secret_table");
    const failure = lines().find((l) => l.err);
    expect(failure).toMatchObject({ level: 50, reqId: "failing-call-1" });
    expect(failure?.err?.stack).toMatch(/relation secret_table does not exist\n\s+at /);
  });

  it("logs every request's outcome as a JSON line, and never an API key", async () => {
    written.length = 0;
    await s.call("GET", "/v1/me", { headers: { "x-request-id": "outcome-1" } });
    await s.call("GET", "/v1/imports", { key: KEYS.partner, headers: { "x-request-id": "outcome-2" } });
    await s.call("GET", "/v1/me", { key: "some-wrong-key-123", headers: { "x-request-id": "outcome-3" } });
    const outcomes = lines()
      .filter((l) => l.res)
      .map((l) => [l.reqId, l.res?.statusCode]);
    expect(outcomes).toEqual([
      ["outcome-1", 200],
      ["outcome-2", 403],
      ["outcome-3", 401],
    ]);
    const all = written.join("");
    for (const key of [KEYS.admin, KEYS.partner, "some-wrong-key-123"]) expect(all).not.toContain(key);
  });
});

import { connect, type Socket } from "node:net";
import type { Limits } from "../../src/server/limits";
import { KEYS, startTestService, type TestService } from "./harness";

/** The limits hold in this process's memory, whatever the database: PGlite is enough. */
const ENGINE = "pglite";

type Answer = Pick<Awaited<ReturnType<TestService["call"]>>, "status" | "body" | "headers">;

/** A request from `address`, as a client there would send it. */
async function from(
  s: TestService,
  address: string,
  url: string,
  key: string | null = KEYS.admin,
): Promise<Answer> {
  const response = await s.app.inject({
    method: "GET",
    url,
    remoteAddress: address,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  const json = response.headers["content-type"]?.toString().startsWith("application/json");
  return { status: response.statusCode, body: json ? response.json() : null, headers: response.headers };
}

/** A 429 as the add-on reads it: Retry-After in whole seconds, within the minute the limits count. */
function expectTooMany(response: Answer) {
  expect(response.status).toBe(429);
  expect(response.body.error).toMatchObject({ code: "rate_limited", request_id: expect.any(String) });
  const seconds = Number(response.headers["retry-after"]);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60).toBe(true);
  expect(response.body.error.message).toContain(`Try again in ${seconds} s.`);
}

describe("abuse limits", () => {
  let s: TestService;
  const start = async (limits: Partial<Limits> | false) => {
    s = await startTestService(ENGINE, { limits });
  };
  afterEach(() => s.close());

  it("limits each API key to its share a minute: 429 with Retry-After, other keys still answered", async () => {
    await start({ perKey: 3 });
    for (let i = 0; i < 3; i++) expect((await from(s, "10.0.0.1", "/v1/me")).status).toBe(200);
    expectTooMany(await from(s, "10.0.0.2", "/v1/imports"));
    expect((await from(s, "10.0.0.1", "/v1/me", KEYS.importer)).status).toBe(200);
  });

  it("limits each address to its share a minute, whatever keys and paths it sends; the health check is never counted", async () => {
    await start({ perAddress: 4 });
    expect((await from(s, "10.0.0.1", "/v1/me")).status).toBe(200);
    expect((await from(s, "10.0.0.1", "/v1/me", KEYS.importer)).status).toBe(200);
    expect((await from(s, "10.0.0.1", "/v1/nothing/here")).status).toBe(404);
    expect((await from(s, "10.0.0.1", "/v1/me", null)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await from(s, "10.0.0.1", "/v1/health", null)).status).toBe(200);
    expectTooMany(await from(s, "10.0.0.1", "/v1/me", KEYS.technical));
    expectTooMany(await from(s, "10.0.0.1", "/v1/openapi.json", null));
    expect((await from(s, "10.0.0.2", "/v1/me")).status).toBe(200);
  });

  it("makes an address wait after a few failed authentications, even with a good key; other addresses go on", async () => {
    await start({ failedAuth: 3 });
    for (let i = 0; i < 20; i++) expect((await from(s, "10.0.0.1", "/v1/me")).status).toBe(200);
    for (const key of [null, "made-up-key-1", "made-up-key-2"])
      expect((await from(s, "10.0.0.1", "/v1/imports", key)).status).toBe(401);
    expectTooMany(await from(s, "10.0.0.1", "/v1/me"));
    expectTooMany(await from(s, "10.0.0.1", "/v1/me", "made-up-key-3"));
    expect((await from(s, "10.0.0.1", "/v1/health", null)).status).toBe(200);
    expect((await from(s, "10.0.0.1", "/docs/json", null)).status).toBe(200);
    expect((await from(s, "10.0.0.2", "/v1/me")).status).toBe(200);
  });

  it("has limits unless told otherwise, and none with limits: false", async () => {
    await start({});
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await from(s, "10.0.0.1", "/v1/me", "made-up")).status);
    expect([...statuses]).toEqual([401, 429]);
    await s.close();

    await start(false);
    for (let i = 0; i < 40; i++) expect((await from(s, "10.0.0.1", "/v1/me", "made-up")).status).toBe(401);
  });

  it("sends the security headers on every answer, the API's and the docs page's", async () => {
    await start({});
    for (const [url, status] of [
      ["/v1/health", 200],
      ["/v1/me", 200],
      ["/nothing/here", 404],
      ["/docs/", 200],
      ["/docs/static/index.css", 200],
    ] as const) {
      const r = await from(s, "10.0.0.1", url);
      expect([url, r.status]).toEqual([url, status]);
      expect(r.headers).toMatchObject({
        "content-security-policy": expect.stringContaining("default-src 'self'"),
        "x-content-type-options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "strict-transport-security": expect.stringContaining("max-age="),
        "referrer-policy": "no-referrer",
      });
    }
  });
});

/** A socket to the service that has sent `text` and keeps the connection open. */
function sendAndHold(port: number, text: string): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(text);
      const answer = new Promise<string>((done) => {
        let received = "";
        socket.on("data", (chunk) => {
          received += chunk;
        });
        socket.on("close", () => done(received));
      });
      resolve({ socket, answer });
    });
    socket.on("error", reject);
  });
}

describe("request timeout", () => {
  let s: TestService;
  let port: number;
  beforeAll(async () => {
    s = await startTestService(ENGINE, { limits: { requestTimeoutMs: 1000 } });
    await s.app.listen({ port: 0, host: "127.0.0.1" });
    port = (s.app.server.address() as { port: number }).port;
  }, 60_000);
  afterAll(() => s.close());

  const imports = async () =>
    (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM imports")).rows[0]?.n;

  it("cuts off a body that arrives too slowly (408, with a request id) before any route sees it", async () => {
    const body = JSON.stringify({ object: "partners", headers: ["partner_email"] });
    const { socket, answer } = await sendAndHold(
      port,
      `POST /v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    // The rest comes a byte at a time, too slowly to be done within the second it is given.
    const trickle = setInterval(() => socket.writable && socket.write(" "), 200);
    const text = await answer.finally(() => clearInterval(trickle));
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    const error = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)).error;
    expect(error).toMatchObject({ code: "request_timeout", request_id: expect.any(String) });
    expect(text).toContain(`X-Request-Id: ${error.request_id}`);
    expect(await imports()).toBe(0);
  }, 30_000);

  it("cuts off headers that never end", async () => {
    const { answer } = await sendAndHold(port, "GET /v1/me HTTP/1.1\r\nHost: x\r\n");
    expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it("lets a request that arrives in time through", async () => {
    const { answer } = await sendAndHold(
      port,
      `GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.admin}\r\nConnection: close\r\n\r\n`,
    );
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
  }, 30_000);
});

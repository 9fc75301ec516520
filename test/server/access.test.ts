import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { createKey, revokeKey } from "../../src/server/keys";
import { engines, KEYS, multipart, startTestService, type TestService } from "./harness";

interface Route {
  method: string;
  url: string;
}

/**
 * Every route the app serves, read from its route tree (each line a segment of the path, indented
 * under the one before it): a route added later is in the matrix without anyone listing it.
 */
function routesOf(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const path: string[] = [];
  for (const line of app.printRoutes().split("\n")) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    path.length = (match[1] ?? "").length / 4;
    path.push(match[2] as string);
    for (const method of match[3]?.split(", ") ?? []) routes.push({ method, url: path.join("") });
  }
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}

/** The routes that answer without a key: the health check and the API description with its page. */
const PUBLIC = [
  "/docs",
  "/docs/",
  "/docs/json",
  "/docs/static/*",
  "/docs/static/index.html",
  "/docs/static/swagger-initializer.js",
  "/docs/yaml",
  "/v1/health",
  "/v1/openapi.json",
];
/** Routes for any valid key; every other route is for importers only. */
const ANY_CALLER = ["/v1/me"];

const H = ["partner_email", "partner_key", "territory"];

/** What each route is sent, so that an importer's request is one it takes and a refusal is for who sent it. */
function requestFor(route: Route, id: string) {
  const url = route.url
    .replace(":object", "partners")
    .replace(":id", id)
    .replace(":seq", "0")
    .replace("*", "index.css");
  const bodies: Record<string, { body?: unknown; headers?: Record<string, string> }> = {
    "POST /v1/import/:object": multipart("partner_email,partner_key,territory\nzed@example.com,zed,North\n"),
    "POST /v1/imports": { body: { object: "partners", headers: H } },
    "PUT /v1/imports/:id/chunks/:seq": {
      body: { rows: [{ row: 2, cells: ["zed@example.com", "zed", "N"] }] },
    },
    "POST /v1/imports/:id/chunks": {
      body: { chunks: [{ seq: 1, rows: [{ row: 3, cells: ["amy@example.com", "amy", "N"] }] }] },
    },
  };
  return { method: route.method, url, ...bodies[`${route.method} ${route.url}`] };
}

/** The status line of a request sent as written, over a socket of its own. */
function rawStatus(port: number, method: string, target: string, key: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    // Written, not ended: a client that half-closes may lose its answer; `Connection: close` ends it.
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Length: 0\r\n` +
          `${key ? `Authorization: Bearer ${key}\r\n` : ""}\r\n`,
      ),
    );
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
  });
}

/** The path with its first segment's letters percent-encoded: `/v1/me` as `/%76%31/me`. */
const percentEncoded = (url: string) =>
  url.replace(
    /^\/([^/]+)/,
    (_all, first: string) => `/${[...first].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")}`,
  );

describe.each(engines())("access to every route (%s)", (engine) => {
  let s: TestService;
  let port: number;
  let revoked: string;
  /** No import has it: an importer's call to a route for one import is 404, never a refusal. */
  const id = randomUUID();

  beforeAll(async () => {
    s = await startTestService(engine);
    revoked = await createKey(s.db, "acme", "ops@acme.test");
    await revokeKey(s.db, { programKey: "acme", key: revoked });
    await s.app.listen({ port: 0, host: "127.0.0.1" });
    port = (s.app.server.address() as { port: number }).port;
  }, 60_000);
  afterAll(() => s.close());

  const outcome = (status: number) =>
    status === 401 || status === 403 || status === 404 ? String(status) : status < 500 ? "ok" : "5xx";

  it("reads every route from the app, public ones exactly those listed", async () => {
    const routes = routesOf(s.app);
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) expect([r, s.app.hasRoute(r as never)]).toEqual([r, true]);
    const open: string[] = [];
    for (const route of routes) {
      const r = requestFor(route, id);
      if ((await s.call(r.method as never, r.url, { ...r, key: null })).status !== 401) open.push(route.url);
    }
    expect([...new Set(open)]).toEqual(PUBLIC);
  });

  it.each([
    ["no key", null, "401"],
    ["an unknown key", "acme-made-up-key", "401"],
    ["a revoked key", "revoked", "401"],
    ["a partner user", KEYS.partner, "403"],
    ["a teammate without the importer permission", KEYS.teammate, "403"],
    ["an importer", KEYS.importer, "ok"],
    ["an admin", KEYS.admin, "ok"],
  ])("answers %s on every route as its access says", async (_who, key, refusal) => {
    const routes = routesOf(s.app);
    const seen: string[] = [];
    const expected: string[] = [];
    for (const route of routes) {
      const r = requestFor(route, id);
      const response = await s.call(r.method as never, r.url, {
        ...r,
        key: key === "revoked" ? revoked : key,
      });
      // An importer's call is 404 where the import does not exist: what matters is that it got in.
      seen.push(`${route.method} ${route.url} ${outcome(response.status).replace("404", "ok")}`);
      const allowed = PUBLIC.includes(route.url) || (ANY_CALLER.includes(route.url) && refusal === "403");
      expected.push(`${route.method} ${route.url} ${allowed ? "ok" : refusal}`);
    }
    expect(seen).toEqual(expected);
  });

  it("refuses every other spelling of a path without a key: absolute form and percent-encoding, 401 or 404", async () => {
    const guarded = routesOf(s.app).filter((r) => !PUBLIC.includes(r.url));
    const base = `http://127.0.0.1:${port}`;
    const seen: string[] = [];
    for (const route of guarded) {
      const { method, url } = requestFor(route, id);
      for (const [how, status] of [
        ["plain, over HTTP", await rawStatus(port, method, url, null)],
        ["absolute form", await rawStatus(port, method, `${base}${url}`, null)],
        ["absolute form, another host", await rawStatus(port, method, `http://example.test${url}`, null)],
        [
          "absolute form, percent-encoded",
          await rawStatus(port, method, `${base}${percentEncoded(url)}`, null),
        ],
        ["percent-encoded, over HTTP", await rawStatus(port, method, percentEncoded(url), null)],
        ["percent-encoded", (await s.call(method as never, percentEncoded(url), { key: null })).status],
        [
          "percent-encoded, bad key",
          (await s.call(method as never, percentEncoded(url), { key: "x" })).status,
        ],
      ] as const)
        seen.push(`${method} ${url} ${how}: ${[401, 404].includes(status) ? "refused" : status}`);
    }
    expect(seen.filter((line) => !line.endsWith("refused"))).toEqual([]);
    expect(seen.length).toBeGreaterThan(100);
  });

  it("treats the absolute form like the path: a key gets in, a partner is refused for who they are", async () => {
    const base = `http://127.0.0.1:${port}`;
    expect(await rawStatus(port, "GET", `${base}/v1/me`, KEYS.partner)).toBe(200);
    expect(await rawStatus(port, "GET", `${base}/%76%31/imports`, KEYS.partner)).toBe(403);
    expect(await rawStatus(port, "GET", `${base}/v1/imports`, KEYS.admin)).toBe(200);
    expect(await rawStatus(port, "GET", `${base}/%76%31/%6De`, "acme-made-up-key")).toBe(401);
  });
});

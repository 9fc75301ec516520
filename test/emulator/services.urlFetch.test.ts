import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { Worker } from "node:worker_threads";
import { CallLog, LATENCY_FIGURES } from "../../src/emulator/calls";
import { BlockingHttp } from "../../src/emulator/services/blockingHttp";
import { createUrlFetchApp, type UrlFetchOptions } from "../../src/emulator/services/urlFetch";
import { createUtilities } from "../../src/emulator/services/utilities";
import { allowedByWhitelist } from "../../src/emulator/services/whitelist";

// The fetch blocks this thread until the answer is in, so the server runs on a thread of its own.
const SERVER = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
const zlib = require("node:zlib");
const seen = [];
const pattern = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255; return b; };
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, "http://server");
    seen.push(req.method + " " + req.url);
    const n = Number(url.searchParams.get("n") ?? 0);
    switch (url.pathname) {
      case "/echo":
        res.setHeader("Content-Type", "application/json");
        res.setHeader("X-Custom-Header", "Yes");
        res.setHeader("Set-Cookie", ["a=1", "b=2"]);
        return res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      case "/status":
        res.writeHead(n, { "Content-Type": "text/plain" });
        return res.end(url.searchParams.get("body") ?? "");
      case "/bytes":
        res.setHeader("Content-Type", "application/octet-stream");
        return res.end(pattern(n));
      case "/text":
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        return res.end("é".repeat(n));
      case "/latin1":
        res.setHeader("Content-Type", "text/plain; charset=ISO-8859-1");
        return res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      case "/gzip":
        res.setHeader("Content-Encoding", "gzip");
        return res.end(zlib.gzipSync("unzipped"));
      case "/redirect":
        res.writeHead(302, { Location: "/echo?from=redirect" });
        return res.end();
      case "/slow":
        return setTimeout(() => res.end("late"), n);
      default:
        res.writeHead(404);
        return res.end("no route");
    }
  });
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", () => parentPort.postMessage({ seen: seen.splice(0) }));
`;

let server: Worker;
let base: string;
const http = new BlockingHttp();

beforeAll(async () => {
  server = new Worker(SERVER, { eval: true });
  const { port } = await new Promise<{ port: number }>((resolve) => server.once("message", resolve));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await http.close();
  await server.terminate();
});

/** The requests the server has received since last asked. */
async function requestsSeen(): Promise<string[]> {
  const answer = new Promise<{ seen: string[] }>((resolve) => server.once("message", resolve));
  server.postMessage("seen");
  return (await answer).seen;
}

function urlFetch(options: Partial<UrlFetchOptions> = {}, calls = new CallLog()) {
  return createUrlFetchApp(calls, { http, whitelist: [`${base}/`], ...options });
}

function thrown(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return String(error);
  }
  throw new Error("expected the call to throw");
}

beforeEach(async () => {
  await requestsSeen();
});

test("fetch is synchronous and answers with status, text and headers as the server sent them", async () => {
  const response = urlFetch().fetch(`${base}/echo?x=1`);
  expect(response.getResponseCode()).toBe(200);
  const echo = JSON.parse(response.getContentText());
  expect(echo).toMatchObject({ method: "GET", url: "/echo?x=1" });
  expect(echo.headers["user-agent"]).toContain("Google-Apps-Script");
  expect(response.getHeaders()).toMatchObject({
    "Content-Type": "application/json",
    "X-Custom-Header": "Yes",
  });
  expect((response.getHeaders() as Record<string, string>)["Set-Cookie"]).toBe("a=1");
  expect((response.getAllHeaders() as Record<string, unknown>)["Set-Cookie"]).toEqual(["a=1", "b=2"]);
  expect(await requestsSeen()).toEqual(["GET /echo?x=1"]);
});

test("POST sends the payload, content type and headers; an object payload is form-encoded", () => {
  const fetch = urlFetch();
  const json = JSON.parse(
    fetch
      .fetch(`${base}/echo`, {
        method: "post",
        contentType: "application/json",
        headers: { Authorization: "Bearer key-1" },
        payload: JSON.stringify({ rows: [1, 2] }),
      })
      .getContentText(),
  );
  expect(json).toMatchObject({ method: "POST", body: '{"rows":[1,2]}' });
  expect(json.headers).toMatchObject({ "content-type": "application/json", authorization: "Bearer key-1" });

  const form = JSON.parse(
    fetch.fetch(`${base}/echo`, { method: "put", payload: { a: 1, b: "two words&more" } }).getContentText(),
  );
  expect(form).toMatchObject({ method: "PUT", body: "a=1&b=two+words%26more" });
  expect(form.headers["content-type"]).toBe("application/x-www-form-urlencoded");

  const typed = JSON.parse(
    fetch
      .fetch(`${base}/echo`, { method: "post", headers: { "Content-Type": "text/csv" }, payload: "a,b" })
      .getContentText(),
  );
  expect(typed.headers["content-type"]).toBe("text/csv");
});

test("an object payload holding a Blob is sent as multipart/form-data", () => {
  const calls = new CallLog();
  const file = createUtilities(calls).newBlob("a,b\n1,2", "text/csv", "rows.csv");
  const echo = JSON.parse(
    urlFetch({}, calls)
      .fetch(`${base}/echo`, { method: "post", payload: { file, note: "first" } })
      .getContentText(),
  );
  const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(echo.headers["content-type"])?.[1];
  expect(echo.body).toBe(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rows.csv"\r\nContent-Type: text/csv\r\n\r\n` +
      `a,b\n1,2\r\n--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfirst\r\n--${boundary}--\r\n`,
  );
});

test("a 4xx or 5xx answer throws Google's message with the start of the response", () => {
  const fetch = urlFetch();
  const long = "e".repeat(200);
  expect(thrown(() => fetch.fetch(`${base}/status?n=404&body=${long}`))).toBe(
    `Exception: Request failed for ${base} returned code 404. Truncated server response: ${"e".repeat(147)}... ` +
      "(use muteHttpExceptions option to examine full response)",
  );
  expect(thrown(() => fetch.fetch(`${base}/status?n=503&body=down`))).toBe(
    `Exception: Request failed for ${base} returned code 503. Truncated server response: down ` +
      "(use muteHttpExceptions option to examine full response)",
  );
});

test("with muteHttpExceptions a 4xx answer is a response like any other", () => {
  const response = urlFetch().fetch(`${base}/status?n=422&body=bad row`, { muteHttpExceptions: true });
  expect(response.getResponseCode()).toBe(422);
  expect(response.getContentText()).toBe("bad row");
});

test("a URL outside the manifest's urlFetchWhitelist is refused before any request leaves", async () => {
  const calls = new CallLog();
  const fetch = urlFetch({}, calls);
  const outside = base.replace("127.0.0.1", "localhost");
  expect(thrown(() => fetch.fetch(`${outside}/echo`))).toBe(
    `Exception: Request to ${outside}/echo failed because the URL has not been whitelisted in the script manifest.`,
  );
  expect(thrown(() => fetch.fetchAll([`${base}/echo`, `${outside}/echo`]))).toBe(
    `Exception: Request to ${outside}/echo failed because the URL has not been whitelisted in the script manifest.`,
  );
  expect(await requestsSeen()).toEqual([]);
  expect(calls.count("UrlFetchApp.fetch")).toBe(1);
  expect(calls.count("UrlFetchApp.fetchAll")).toBe(1);
});

test("a refused connection throws Address unavailable", async () => {
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const url = `http://127.0.0.1:${closed}/x`;
  expect(thrown(() => urlFetch({ whitelist: undefined }).fetch(url))).toBe(
    `Exception: Address unavailable: ${url}`,
  );
});

test("a request that outlives its deadline throws Timeout", () => {
  const url = `${base}/slow?n=3000`;
  expect(thrown(() => urlFetch({ timeoutMs: 200 }).fetch(url))).toBe(`Exception: Timeout: ${url}`);
});

test("fetchAll answers every request, in order", async () => {
  const [first, second, third] = urlFetch().fetchAll([
    `${base}/echo?i=1`,
    { url: `${base}/echo?i=2`, method: "post", payload: "two" },
    { url: `${base}/status?n=500&body=x`, muteHttpExceptions: true },
  ]);
  expect(JSON.parse(first?.getContentText() ?? "").url).toBe("/echo?i=1");
  expect(JSON.parse(second?.getContentText() ?? "").body).toBe("two");
  expect(third?.getResponseCode()).toBe(500);
  expect((await requestsSeen()).sort()).toEqual([
    "GET /echo?i=1",
    "GET /status?n=500&body=x",
    "POST /echo?i=2",
  ]);
  expect(thrown(() => urlFetch().fetchAll([`${base}/echo`, `${base}/status?n=400&body=no`]))).toContain(
    "returned code 400",
  );
});

test("a 5 MB body arrives intact, as bytes and as text", () => {
  const size = 5 * 1024 * 1024;
  const bytes = urlFetch().fetch(`${base}/bytes?n=${size}`).getContent();
  expect(bytes).toHaveLength(size);
  const expected = Buffer.alloc(size);
  for (let i = 0; i < size; i++) expected[i] = (i * 31 + 7) & 255;
  const digest = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
  expect(digest(Uint8Array.from(bytes, (b) => b & 255))).toBe(digest(expected));

  const text = urlFetch()
    .fetch(`${base}/text?n=${size / 2}`)
    .getContentText();
  expect(text).toBe("é".repeat(size / 2));
});

test("bytes are Apps Script's signed bytes; text follows the declared charset; gzip is undone", () => {
  const latin1 = urlFetch().fetch(`${base}/latin1`);
  expect(latin1.getContent()).toEqual([99, 97, 102, -23]);
  expect(latin1.getContentText()).toBe("café");
  expect(urlFetch().fetch(`${base}/gzip`).getContentText()).toBe("unzipped");
});

test("redirects are followed unless followRedirects is false", () => {
  const fetch = urlFetch();
  expect(JSON.parse(fetch.fetch(`${base}/redirect`).getContentText()).url).toBe("/echo?from=redirect");
  const stopped = fetch.fetch(`${base}/redirect`, { followRedirects: false });
  expect(stopped.getResponseCode()).toBe(302);
  expect(stopped.getHeaders()).toMatchObject({ Location: "/echo?from=redirect" });
});

test("each fetch is counted with its round trip for the latency model; reading a response costs none", () => {
  const calls = new CallLog();
  const fetch = urlFetch({}, calls);
  fetch.fetch(`${base}/echo`).getContentText();
  fetch.fetchAll([`${base}/echo`, `${base}/echo`]);
  expect(calls.count("UrlFetchApp.fetch")).toBe(1);
  expect(calls.count("UrlFetchApp.fetchAll")).toBe(1);
  expect(calls.count("HTTPResponse.getContentText")).toBe(1);
  // One fetch, and one fetchAll of two requests (a round trip and a share for the second), each plus the
  // far side's time.
  const f = LATENCY_FIGURES;
  expect(calls.projectedMs).toBeGreaterThan(2 * f.fetchMs + f.fetchAllRequestMs);
});

describe("the urlFetchWhitelist's prefix rules", () => {
  const list = ["https://example.com/foo", "https://*.acme.test/api/", "http://127.0.0.1:8787/"];
  test.each([
    ["https://example.com/foo", true],
    ["https://example.com/foo/", true],
    ["https://example.com/foo/bar", true],
    ["https://example.com/foo?bar", true],
    ["https://example.com/foo#bar", true],
    ["https://EXAMPLE.com/foo", true],
    ["https://example.com/foobar", false],
    ["https://example.com/Foo", false],
    ["http://example.com/foo", false],
    ["https://example.com.evil.test/foo", false],
    ["https://example.com@evil.test/foo", false],
    ["https://eu.acme.test/api/v1/imports", true],
    ["https://a.b.acme.test/api/", true],
    ["https://acme.test/api/", false],
    ["https://eu.acme.test/other", false],
    ["http://127.0.0.1:8787/v1/me", true],
    ["http://127.0.0.1:8788/v1/me", false],
  ])("%s: %s", (url, allowed) => {
    expect(allowedByWhitelist(url, list)).toBe(allowed);
  });

  test("a manifest without a whitelist allows every URL; an empty one allows none", () => {
    expect(allowedByWhitelist("https://anywhere.test/", undefined)).toBe(true);
    expect(allowedByWhitelist("https://anywhere.test/", [])).toBe(false);
  });
});

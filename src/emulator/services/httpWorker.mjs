// The worker half of blockingHttp.ts: performs the requests of a UrlFetchApp call while the add-on's
// thread waits, posts the outcomes on the port, then wakes that thread. Plain JavaScript, as a worker
// thread loads it.
import http from "node:http";
import https from "node:https";
import { parentPort, workerData } from "node:worker_threads";
import zlib from "node:zlib";

const { signal, port } = workerData;
const flag = new Int32Array(signal);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
// What Google's fetchers send, so a server sees the emulator as it would see Apps Script.
const USER_AGENT =
  "Mozilla/5.0 (compatible; Google-Apps-Script; beanserver; +https://script.google.com; id: emulator)";

parentPort.on("message", async ({ id, requests }) => {
  const results = await Promise.all(requests.map(perform));
  const transfer = results.flatMap((result) => (result.ok ? [result.body.buffer] : []));
  port.postMessage({ id, results }, transfer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});

function perform(request) {
  const started = performance.now();
  return new Promise((resolve) => {
    let active;
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!result.ok) active?.destroy();
      resolve({ ...result, ms: performance.now() - started });
    };
    const timer = setTimeout(
      () => finish({ ok: false, failure: "timeout", detail: `no answer in ${request.timeoutMs} ms` }),
      request.timeoutMs,
    );

    const attempt = (url, method, body, hops) => {
      try {
        send(url, method, body, hops);
      } catch (error) {
        // A header Node refuses, say: the request never left.
        finish({ ok: false, failure: "unreachable", detail: String(error) });
      }
    };

    const send = (url, method, body, hops) => {
      let target;
      try {
        target = new URL(url);
      } catch {
        return finish({ ok: false, failure: "unreachable", detail: `not an address: ${url}` });
      }
      const client = target.protocol === "https:" ? https : http;
      const headers = { "User-Agent": USER_AGENT };
      for (const [name, value] of request.headers) {
        for (const known of Object.keys(headers))
          if (known.toLowerCase() === name.toLowerCase()) delete headers[known];
        headers[name] = value;
      }
      if (body) headers["Content-Length"] = String(body.length);

      const outgoing = client.request(
        target,
        { method, headers, rejectUnauthorized: request.validateHttpsCertificates },
        (response) => {
          const status = response.statusCode ?? 0;
          const location = response.headers.location;
          if (request.followRedirects && REDIRECTS.has(status) && location && hops < MAX_REDIRECTS) {
            response.resume();
            // As browsers do: 303 turns into GET, and so does a POST answered with 301 or 302.
            const toGet =
              (status === 303 && method !== "HEAD") ||
              ((status === 301 || status === 302) && method === "POST");
            attempt(new URL(location, target).href, toGet ? "GET" : method, toGet ? null : body, hops + 1);
            return;
          }
          const chunks = [];
          let size = 0;
          response.on("data", (chunk) => {
            size += chunk.length;
            if (size > request.maxResponseBytes) {
              finish({ ok: false, failure: "too-large", detail: `over ${request.maxResponseBytes} bytes` });
              return;
            }
            chunks.push(chunk);
          });
          response.on("error", (error) => finish(failed(error)));
          response.on("end", () => {
            let bytes;
            try {
              bytes = decompress(concat(chunks, size), response.headers["content-encoding"]);
            } catch (error) {
              return finish({ ok: false, failure: "unreachable", detail: String(error) });
            }
            if (bytes.length > request.maxResponseBytes) {
              return finish({
                ok: false,
                failure: "too-large",
                detail: `over ${request.maxResponseBytes} bytes`,
              });
            }
            finish({ ok: true, status, headers: pairs(response.rawHeaders), body: bytes });
          });
        },
      );
      active = outgoing;
      outgoing.on("error", (error) => finish(failed(error)));
      outgoing.end(body ?? undefined);
    };

    attempt(request.url, request.method, request.body, 0);
  });
}

function failed(error) {
  const code = error?.code ?? "";
  const failure = code === "ENOTFOUND" || code === "EAI_AGAIN" ? "dns" : "unreachable";
  return { ok: false, failure, detail: `${code} ${error?.message ?? error}`.trim() };
}

/** Each body gets an ArrayBuffer of its own, so it can be transferred. */
function concat(chunks, size) {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function decompress(bytes, encoding) {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return new Uint8Array(zlib.gunzipSync(bytes));
    case "deflate":
      return new Uint8Array(zlib.inflateSync(bytes));
    case "br":
      return new Uint8Array(zlib.brotliDecompressSync(bytes));
    default:
      return bytes;
  }
}

function pairs(raw) {
  const out = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

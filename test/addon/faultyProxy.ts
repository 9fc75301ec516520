/**
 * An HTTP proxy between the add-on and the importer service that logs every request and fails the
 * ones a test names, the ways a network and a load balancer fail. It runs in a worker thread: the
 * add-on's UrlFetchApp blocks the test's thread while a request is out, so nothing on that thread
 * could answer.
 */
import { Worker } from "node:worker_threads";

export type Fault =
  /** Answers this status itself, with a plain-text body (as a load balancer does), never forwarding. */
  | { kind: "status"; status: number; retryAfter?: string }
  /** Closes the connection without forwarding: the service never sees the request. */
  | { kind: "drop" }
  /** Forwards, waits for the service's answer, then closes the connection: applied, never heard. */
  | { kind: "forward-then-drop" }
  /** Holds the request unanswered, never forwarding, until the client gives up (a fetch that times out). */
  | { kind: "hold" };

export interface FaultRule {
  method: string;
  /** Matched against the request's path and query. */
  path: RegExp;
  fault: Fault;
  /** How many matching requests fail; every one until lifted when not given. */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault injected, if any. */
  fault: Fault["kind"] | null;
  /** The status the service (or the fault) answered; null when no answer was given. */
  status: number | null;
  /** Rows in a chunk's body (PUT …/chunks/…), or in all the chunks of a POST …/chunks. */
  rows?: number;
  /** The chunks' seqs a POST …/chunks carries. */
  seqs?: number[];
  /** A chunk's row numbers, and the most cells a row of it carries. */
  rowNumbers?: number[];
  cells?: number;
  /** A chunked import's start (POST /v1/imports): the headers sent, and the import it retries. */
  start?: { headers: unknown[]; retry_of?: string };
}

export interface FaultyProxy {
  url: string;
  /** Fails matching requests from now on (the first rule that matches applies), instead of earlier rules. */
  inject(...rules: FaultRule[]): Promise<void>;
  /** Lets every request through again. */
  lift(): Promise<void>;
  /** Every request since the proxy started or was last cleared, in the order they arrived. */
  requests(): Promise<ProxiedRequest[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

// Plain JavaScript, evaluated as the worker's source.
const WORKER_SOURCE = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const target = new URL(workerData.target);
const agent = new http.Agent({ keepAlive: true });
let rules = [];
let log = [];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const rule = rules.find((r) => r.left !== 0 && r.method === req.method && new RegExp(r.path).test(req.url));
    if (rule && rule.left > 0) rule.left--;
    const entry = { method: req.method, path: req.url, fault: rule ? rule.fault.kind : null, status: null };
    if (req.method === "PUT" && /\\/chunks\\//.test(req.url)) {
      try {
        const rows = JSON.parse(body.toString("utf8")).rows;
        entry.rows = rows.length;
        entry.rowNumbers = rows.map((r) => r.row);
        entry.cells = Math.max(0, ...rows.map((r) => r.cells.length));
      } catch {}
    }
    if (req.method === "POST" && /\\/chunks(\\?|$)/.test(req.url)) {
      try {
        const chunks = JSON.parse(body.toString("utf8")).chunks;
        const rows = chunks.flatMap((c) => c.rows);
        entry.seqs = chunks.map((c) => c.seq);
        entry.rows = rows.length;
        entry.rowNumbers = rows.map((r) => r.row);
        entry.cells = Math.max(0, ...rows.map((r) => r.cells.length));
      } catch {}
    }
    if (req.method === "POST" && /^\\/v1\\/imports\\/?$/.test(req.url)) {
      try {
        const start = JSON.parse(body.toString("utf8"));
        entry.start = { headers: start.headers, ...(start.retry_of ? { retry_of: start.retry_of } : {}) };
      } catch {}
    }
    log.push(entry);
    if (rule && rule.fault.kind === "drop") return req.socket.destroy();
    if (rule && rule.fault.kind === "hold") return;
    if (rule && rule.fault.kind === "status") {
      entry.status = rule.fault.status;
      const headers = { "content-type": "text/plain" };
      if (rule.fault.retryAfter !== undefined) headers["retry-after"] = rule.fault.retryAfter;
      res.writeHead(rule.fault.status, headers);
      return res.end(http.STATUS_CODES[rule.fault.status] || "Unavailable");
    }
    const headers = { ...req.headers, host: target.host };
    const out = http.request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const parts = [];
        answer.on("data", (part) => parts.push(part));
        answer.on("end", () => {
          if (rule && rule.fault.kind === "forward-then-drop") return req.socket.destroy();
          entry.status = answer.statusCode;
          const back = Buffer.concat(parts);
          const answerHeaders = { ...answer.headers, "content-length": String(back.length) };
          delete answerHeaders["transfer-encoding"];
          res.writeHead(answer.statusCode, answerHeaders);
          res.end(back);
        });
      },
    );
    out.on("error", () => req.socket.destroy());
    out.end(body);
  });
});

parentPort.on("message", ({ id, op, rules: given }) => {
  if (op === "inject") rules = given.map((r) => ({ ...r, left: r.times === undefined ? -1 : r.times }));
  if (op === "lift") rules = [];
  if (op === "clear") log = [];
  if (op === "close") {
    server.close();
    server.closeAllConnections();
    agent.destroy();
  }
  parentPort.postMessage({ id, result: op === "requests" ? log : null });
});

server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
`;

/** Starts a proxy to `target` (the service's URL) on a port of its own. */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { target } });
  const waiting = new Map<number, (result: unknown) => void>();
  let sequence = 0;
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (message: { port: number }) => resolve(message.port));
  });
  worker.on("message", (message: { id: number; result: unknown }) => {
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  const ask = <T>(op: string, extra: object = {}) =>
    new Promise<T>((resolve) => {
      const id = ++sequence;
      waiting.set(id, resolve as (result: unknown) => void);
      worker.postMessage({ id, op, ...extra });
    });
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (...rules) =>
      ask("inject", {
        rules: rules.map((rule) => ({ ...rule, path: rule.path.source })),
      }),
    lift: () => ask("lift"),
    requests: () => ask<ProxiedRequest[]>("requests"),
    clear: () => ask("clear"),
    async close() {
      await ask("close");
      await worker.terminate();
    },
  };
}

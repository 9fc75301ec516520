import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { Socket } from "node:net";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "./errors";
import { hashKey } from "./programs";

/** How much one client may ask of the service. A rate of `Infinity` is no limit. */
export interface Limits {
  /** Requests a minute from one address, to any route but the health check. */
  perAddress: number;
  /** Requests a minute with one API key. */
  perKey: number;
  /** Requests a minute from one address refused for a missing or bad key; past it, the address waits. */
  failedAuth: number;
  /** Time for a whole request to arrive, body included: a client that sends slower is cut off (408). */
  requestTimeoutMs: number;
}

/**
 * Room for the add-on (a request of 5 chunks a sidebar call, then polling) and for scripts, while one
 * client cannot keep the service to itself. Apps Script calls leave from Google's shared addresses,
 * hence an address may send more than a key. A 50 MB upload needs about 3.5 Mbit/s to arrive in time.
 */
export const DEFAULT_LIMITS: Limits = {
  perAddress: 2400,
  perKey: 1200,
  failedAuth: 30,
  requestTimeoutMs: 120_000,
};

/** Every limit off: for tests that send more, faster, than any client should. */
const NO_LIMITS: Limits = {
  perAddress: Number.POSITIVE_INFINITY,
  perKey: Number.POSITIVE_INFINITY,
  failedAuth: Number.POSITIVE_INFINITY,
  requestTimeoutMs: 0,
};

export function limitsOf(option: Partial<Limits> | false | undefined): Limits {
  return option === false ? NO_LIMITS : { ...DEFAULT_LIMITS, ...option };
}

const WINDOW_MS = 60_000;

/** The rate limits a request meets on its way: its address, then its key (or its failure to give one). */
export interface Gates {
  address(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Refuses an address that has failed authentication too often of late. */
  afterFailedAuth(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  countFailedAuth(request: FastifyRequest): Promise<void>;
  key(token: string, request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

type Counter = ReturnType<FastifyInstance["createRateLimit"]>;

/** Rate limits kept by @fastify/rate-limit (in this process's memory), each over a one-minute window. */
export async function rateGates(app: FastifyInstance, limits: Limits): Promise<Gates> {
  await app.register(rateLimit, { global: false });
  const counter = (max: number, keyGenerator: (request: FastifyRequest) => string) =>
    Number.isFinite(max) ? app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator }) : null;
  const byAddress = (request: FastifyRequest) => request.ip;
  // A key is counted by its hash: the raw key is never held beyond its request.
  const keyHashes = new WeakMap<FastifyRequest, string>();
  const address = counter(limits.perAddress, byAddress);
  const failures = counter(limits.failedAuth, byAddress);
  const keys = counter(limits.perKey, (request) => keyHashes.get(request) ?? "");

  /** Counts the request (or, without `increment`, only looks), and refuses it with 429 once over. */
  const pass = async (
    count: Counter | null,
    request: FastifyRequest,
    reply: FastifyReply,
    why: string,
    increment = true,
  ) => {
    if (!count) return;
    const state = await count(request, { increment });
    if (state.isAllowed || !(increment ? state.isExceeded : state.remaining === 0)) return;
    const seconds = Math.max(1, state.ttlInSeconds);
    reply.header("retry-after", String(seconds));
    throw new ApiError(429, "rate_limited", `${why} Try again in ${seconds} s.`);
  };
  return {
    address: (request, reply) =>
      pass(address, request, reply, "Too many requests came from your address in the last minute."),
    afterFailedAuth: (request, reply) =>
      pass(
        failures,
        request,
        reply,
        "Too many requests from your address had a missing or bad API key in the last minute.",
        false,
      ),
    countFailedAuth: async (request) => {
      await failures?.(request);
    },
    key: (token, request, reply) => {
      keyHashes.set(request, hashKey(token));
      return pass(keys, request, reply, "Too many requests came with your API key in the last minute.");
    },
  };
}

/**
 * Ends a request whose body has not all arrived `ms` after it began: Node's own request timeout cuts
 * off slow headers, but not a body that keeps trickling in.
 */
export function cutOffSlowBodies(app: FastifyInstance, ms: number) {
  if (!ms) return;
  app.addHook("onRequest", async (request) => {
    const raw = request.raw;
    // An injected request (app.inject) has no connection to cut.
    if (raw.complete || !(raw.socket instanceof Socket)) return;
    const timer = setTimeout(() => {
      if (raw.complete || raw.socket.destroyed) return;
      const error = Object.assign(new Error("The request body did not arrive in time"), {
        code: "ERR_HTTP_REQUEST_TIMEOUT",
      });
      clientErrorHandler.call(app, error, raw.socket);
    }, ms).unref();
    const stop = () => clearTimeout(timer);
    raw.once("end", stop);
    raw.once("close", stop);
  });
}

/**
 * A request refused before a route could answer it: one that did not arrive in time (408), headers
 * too large (431) or not HTTP (400). Answered in the API's error shape unless an answer has begun, and
 * the connection closed.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "request_timeout", "The request took too long to arrive and was cut off; send it again."]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "headers_too_large", "The request's headers are too large."]
        : [400, "bad_request", "The request is not well-formed HTTP."];
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, err: error, status }, "request refused before a route");
  const answering = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (socket.writable && !answering?.headersSent) {
    const body = JSON.stringify({ error: { code, message, request_id: requestId } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

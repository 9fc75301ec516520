import { randomUUID } from "node:crypto";
import type { CallLog } from "../calls";
import { blobContents } from "./blob";
import type { BlockingHttp, HttpOutcome, HttpRequest } from "./blockingHttp";
import { decodeText, encodeText, fromByteArray, isByteArray } from "./bytes";
import { exception } from "./exception";
import { createHttpResponse, type EmulatedHttpResponse, responseText } from "./httpResponse";
import { allowedByWhitelist } from "./whitelist";

/** Google's limits: a URL of 2 KB, 50 MB a request or response, 60 s a request. */
export const URL_FETCH_LIMITS = {
  urlChars: 2048,
  payloadBytes: 50 * 1024 * 1024,
  responseBytes: 50 * 1024 * 1024,
  timeoutMs: 60_000,
} as const;

/** Apps Script's messages, word for word where Google's wording is known. */
export const urlFetchMessages = {
  notWhitelisted: (url: string) =>
    `Request to ${url} failed because the URL has not been whitelisted in the script manifest.`,
  requestFailed: (origin: string, status: number, text: string) =>
    `Request failed for ${origin} returned code ${status}. Truncated server response: ${abbreviate(text)} ` +
    "(use muteHttpExceptions option to examine full response)",
  addressUnavailable: (url: string) => `Address unavailable: ${url}`,
  dnsError: (url: string) => `DNS error: ${url}`,
  timeout: (url: string) => `Timeout: ${url}`,
  invalidArgument: (what: string) => `Invalid argument: ${what}`,
  urlTooLong: "Limit Exceeded: URLFetch URL Length.",
  payloadTooLarge: "Limit Exceeded: URLFetch POST Size.",
  // Google's wording for an oversized response is not known; this one is the emulator's.
  responseTooLarge: "Limit Exceeded: URLFetch response size.",
} as const;

export interface UrlFetchOptions {
  /** The thread that performs the requests; the host owns it and closes it. */
  http: BlockingHttp;
  /** The manifest's `urlFetchWhitelist`; undefined when the manifest has none. */
  whitelist?: readonly string[];
  /**
   * How long a request may wait here before it fails with `Timeout`: Apps Script's 60 s unless told
   * (tests use short ones). The latency model is charged Google's 60 s for a timed-out fetch regardless.
   */
  timeoutMs?: number;
  /** Called with the number of requests about to be sent; throws to refuse them (the daily quota). */
  beforeSend?(requests: number): void;
}

export type EmulatedUrlFetchApp = Pick<
  GoogleAppsScript.URL_Fetch.UrlFetchApp,
  "fetch" | "fetchAll" | "getRequest"
>;

type Params = GoogleAppsScript.URL_Fetch.URLFetchRequestOptions;
type Request = GoogleAppsScript.URL_Fetch.URLFetchRequest;

const METHODS = ["GET", "DELETE", "PATCH", "POST", "PUT"];

/**
 * UrlFetchApp over real HTTP, synchronous as in Apps Script. A URL outside the whitelist is refused
 * before any request leaves. Calls are counted under `UrlFetchApp`, with the measured round trip as
 * `serviceMs` for the latency model; a refused call counts too, with none.
 */
export function createUrlFetchApp(calls: CallLog, options: UrlFetchOptions): EmulatedUrlFetchApp {
  const timeoutMs = options.timeoutMs ?? URL_FETCH_LIMITS.timeoutMs;
  const fail = (message: string) => exception(message);

  /** Checks the request as Apps Script does before sending it, and turns it into bytes and headers. */
  function prepare(
    url: unknown,
    params: Params = {},
    sending = true,
  ): { request: HttpRequest; mute: boolean } {
    const address = String(url);
    let parsed: URL;
    try {
      parsed = new URL(address);
    } catch {
      throw fail(urlFetchMessages.invalidArgument(address));
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw fail(urlFetchMessages.invalidArgument(address));
    if (address.length > URL_FETCH_LIMITS.urlChars) throw fail(urlFetchMessages.urlTooLong);
    if (sending && !allowedByWhitelist(address, options.whitelist))
      throw fail(urlFetchMessages.notWhitelisted(address));

    const method = String(params.method ?? "get").toUpperCase();
    if (!METHODS.includes(method)) throw fail(urlFetchMessages.invalidArgument("method"));
    const given: [string, string][] = Object.entries(params.headers ?? {})
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => [name, String(value)]);
    const isContentType = ([name]: [string, string]) => name.toLowerCase() === "content-type";
    // The contentType parameter first, then a Content-Type header, then the payload's own type.
    const declared = params.contentType ?? given.find(isContentType)?.[1];
    const { body, contentType } = requestBody(params.payload, declared);
    if (body && body.length > URL_FETCH_LIMITS.payloadBytes) throw fail(urlFetchMessages.payloadTooLarge);

    const headers = given.filter((header) => !isContentType(header));
    if (contentType !== undefined) headers.push(["Content-Type", contentType]);

    return {
      mute: params.muteHttpExceptions === true,
      request: {
        url: parsed.href,
        method,
        headers,
        body,
        followRedirects: params.followRedirects !== false,
        validateHttpsCertificates: params.validateHttpsCertificates !== false,
        timeoutMs,
        maxResponseBytes: URL_FETCH_LIMITS.responseBytes,
      },
    };
  }

  /** The add-on's response, or the exception Apps Script throws instead. */
  function answer(url: string, mute: boolean, outcome: HttpOutcome | undefined): EmulatedHttpResponse {
    if (!outcome) throw fail(urlFetchMessages.addressUnavailable(url));
    if (!outcome.ok) {
      switch (outcome.failure) {
        case "dns":
          throw fail(urlFetchMessages.dnsError(url));
        case "timeout":
          throw fail(urlFetchMessages.timeout(url));
        case "too-large":
          throw fail(urlFetchMessages.responseTooLarge);
        default:
          throw fail(urlFetchMessages.addressUnavailable(url));
      }
    }
    if (outcome.status >= 400 && !mute) {
      throw fail(urlFetchMessages.requestFailed(new URL(url).origin, outcome.status, responseText(outcome)));
    }
    return createHttpResponse(calls, outcome);
  }

  function send(requests: HttpRequest[]): { outcomes: HttpOutcome[]; serviceMs: number } {
    const started = performance.now();
    const outcomes = options.http.requestAll(requests);
    const waited = performance.now() - started;
    // A request that timed out took Apps Script's 60 s, however short the emulator's wait was.
    const timedOut = outcomes.some((outcome) => outcome && !outcome.ok && outcome.failure === "timeout");
    return { outcomes, serviceMs: timedOut ? Math.max(waited, URL_FETCH_LIMITS.timeoutMs) : waited };
  }

  return {
    fetch(url: string, params?: Params) {
      let prepared: ReturnType<typeof prepare>;
      try {
        prepared = prepare(url, params);
        options.beforeSend?.(1);
      } catch (error) {
        calls.record("UrlFetchApp", "fetch");
        throw error;
      }
      const { outcomes, serviceMs } = send([prepared.request]);
      calls.record("UrlFetchApp", "fetch", { serviceMs });
      return full(answer(String(url), prepared.mute, outcomes[0]));
    },

    // Apps Script sends the requests side by side; one failure (not muted) throws for the whole call.
    fetchAll(requests: (Request | string)[]) {
      let prepared: ReturnType<typeof prepare>[];
      try {
        prepared = Array.from(requests, (item) =>
          typeof item === "string" ? prepare(item) : prepare((item as Request).url, item as Request),
        );
        options.beforeSend?.(prepared.length);
      } catch (error) {
        calls.record("UrlFetchApp", "fetchAll");
        throw error;
      }
      const { outcomes, serviceMs } = send(prepared.map((item) => item.request));
      calls.record("UrlFetchApp", "fetchAll", { serviceMs, requests: prepared.length });
      const urls = Array.from(requests, (item) =>
        String(typeof item === "string" ? item : (item as Request).url),
      );
      return prepared.map((item, i) => full(answer(urls[i] as string, item.mute, outcomes[i])));
    },

    getRequest(url: string, params?: Params) {
      calls.record("UrlFetchApp", "getRequest");
      // Nothing is sent, so the whitelist does not apply.
      const { request } = prepare(url, params, false);
      const contentType = request.headers.find(([name]) => name.toLowerCase() === "content-type")?.[1];
      return {
        url: request.url,
        method: request.method.toLowerCase() as GoogleAppsScript.URL_Fetch.HttpMethod,
        headers: Object.fromEntries(
          request.headers.filter(([name]) => name.toLowerCase() !== "content-type"),
        ),
        payload: request.body ? decodeText(request.body) : "",
        contentType,
        followRedirects: request.followRedirects,
        validateHttpsCertificates: request.validateHttpsCertificates,
        useIntranet: false,
      };
    },
  };
}

/**
 * The payload as bytes, with its content type: a string as UTF-8, a Blob or byte array as it is, an
 * object as form fields (URL-encoded, or multipart when a field is a Blob), as Apps Script sends them.
 */
function requestBody(
  payload: unknown,
  contentType: string | undefined,
): { body: Uint8Array | null; contentType?: string } {
  const FORM = "application/x-www-form-urlencoded";
  if (payload === undefined || payload === null) return { body: null, contentType };
  if (typeof payload === "string") return { body: encodeText(payload), contentType: contentType ?? FORM };
  const blob = blobContents(payload);
  if (blob) return { body: blob.bytes, contentType: contentType ?? blob.contentType ?? undefined };
  if (isByteArray(payload)) return { body: fromByteArray(payload), contentType: contentType ?? FORM };
  if (typeof payload !== "object")
    return { body: encodeText(String(payload)), contentType: contentType ?? FORM };

  const fields = Object.entries(payload as Record<string, unknown>);
  if (fields.some(([, value]) => blobContents(value))) return multipart(fields);
  const form = new URLSearchParams(fields.map(([name, value]) => [name, String(value)]));
  return { body: encodeText(form.toString()), contentType: contentType ?? FORM };
}

function multipart(fields: [string, unknown][]): { body: Uint8Array; contentType: string } {
  const boundary = `----AppsScriptEmulator${randomUUID().replace(/-/g, "")}`;
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    const blob = blobContents(value);
    const disposition = `Content-Disposition: form-data; name="${name}"`;
    const head = blob
      ? `--${boundary}\r\n${disposition}; filename="${blob.name ?? name}"\r\nContent-Type: ${blob.contentType ?? "application/octet-stream"}\r\n\r\n`
      : `--${boundary}\r\n${disposition}\r\n\r\n`;
    parts.push(encodeText(head), blob ? blob.bytes : encodeText(String(value)), encodeText("\r\n"));
  }
  parts.push(encodeText(`--${boundary}--\r\n`));
  const body = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The start of a server's answer, as Apps Script quotes it in an exception. */
function abbreviate(text: string): string {
  return text.length > 150 ? `${text.slice(0, 147)}...` : text;
}

/** Google's types return their whole HTTPResponse; the emulator's is the part it gives. */
function full(response: EmulatedHttpResponse): GoogleAppsScript.URL_Fetch.HTTPResponse {
  return response as GoogleAppsScript.URL_Fetch.HTTPResponse;
}

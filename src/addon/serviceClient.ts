import { builtWhitelist } from "./importerUrl";
import { requireSettings, type Settings } from "./settings";

/** A call the service refused or could not answer; `message` is meant for the person. */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

/** A body already written as JSON (a large one, measured while it was written): sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

export interface ServiceCall {
  method: "GET" | "POST" | "PUT";
  path: string;
  body?: unknown;
}

/** The code of the error a call gets when its request could not end before the caller's deadline. */
export const OUT_OF_TIME = "out_of_time";

/**
 * The longest one fetch (or one fetchAll) can take before Apps Script gives up on it: 60 s. A request
 * starts only when this much time is left before the caller's deadline.
 */
const FETCH_TIMEOUT_MS = 60_000;

export interface CallOptions {
  /** Epoch milliseconds (Date.now()) by which every request and back-off must be over. */
  deadline?: number;
  /** The URL and key to use instead of the saved ones (Settings tests what is typed before saving it). */
  settings?: Settings;
}

/**
 * Waits before each retry: 429, 5xx, time-outs and dropped connections are tried 4 times in all. A
 * failure that retrying cannot mend (an address outside the whitelist, an unknown host, nothing
 * listening at an address that has not answered in this execution) is not retried.
 */
const RETRY_DELAYS_MS = [500, 1500, 4000];
const MAX_RETRY_AFTER_MS = 10_000;

/** One call to the service, retried with back-off when the service is busy or unreachable. */
export function serviceRequest<T>(
  method: ServiceCall["method"],
  path: string,
  body?: unknown,
  options: CallOptions = {},
): T {
  const [settled] = settledServiceCalls<T>([{ method, path, body }], options);
  if (!settled || "error" in settled) throw settled?.error;
  return settled.value;
}

/**
 * Several calls at once (UrlFetchApp.fetchAll, which sends them side by side: about one round trip's wait
 * for all of them), each retried on its own when it failed in a way worth retrying. Answers each call's
 * own outcome, in order: those that worked are not lost to one that failed.
 * https://developers.google.com/apps-script/reference/url-fetch/url-fetch-app#fetchAll(Object); measured side
 * by side: https://tanaikech.github.io/2018/04/19/benchmark-fetchall-method-in-urlfetch-service-for-google-apps-script/
 */
export function settledServiceCalls<T>(
  calls: readonly ServiceCall[],
  { deadline, settings = requireSettings() }: CallOptions = {},
): ({ value: T } | { error: ServiceError })[] {
  const requests = calls.map((call) => toRequest(settings, call));
  // Whether a request started after waiting `waitMs` would be over by the deadline, even timing out.
  const inTime = (waitMs = 0) => deadline === undefined || Date.now() + waitMs + FETCH_TIMEOUT_MS <= deadline;
  const outcomes: (Outcome | undefined)[] = !inTime()
    ? requests.map(() => tooLate())
    : requests.length === 1
      ? [fetchOnce(requests[0] as Request)]
      : fetchTogether(requests);
  return outcomes.map((first, i) => {
    let outcome = first ?? (inTime() ? fetchOnce(requests[i] as Request) : tooLate());
    for (const delay of RETRY_DELAYS_MS) {
      if (!outcome.retry) break;
      const wait = Math.min(outcome.retryAfterMs ?? delay, MAX_RETRY_AFTER_MS);
      if (!inTime(wait)) {
        outcome = tooLate();
        break;
      }
      Utilities.sleep(wait);
      outcome = fetchOnce(requests[i] as Request);
    }
    return outcome.error ? { error: outcome.error } : { value: outcome.value as T };
  });
}

type Request = GoogleAppsScript.URL_Fetch.URLFetchRequest;

interface Outcome {
  value?: unknown;
  error?: ServiceError;
  retry: boolean;
  retryAfterMs?: number;
}

function toRequest(settings: { url: string; apiKey: string }, call: ServiceCall): Request {
  return {
    url: `${settings.url.replace(/\/*$/, "/")}${call.path}`,
    method: call.method.toLowerCase() as GoogleAppsScript.URL_Fetch.HttpMethod,
    headers: { Authorization: `Bearer ${settings.apiKey}`, Accept: "application/json" },
    muteHttpExceptions: true,
    followRedirects: false,
    ...(call.body === undefined
      ? {}
      : {
          contentType: "application/json",
          payload: call.body instanceof JsonText ? call.body.text : JSON.stringify(call.body),
        }),
  };
}

/**
 * Origins that answered in this execution (Apps Script starts each one with fresh globals): once an
 * address has answered, its later "Address unavailable" is a dropped connection worth retrying.
 */
const answered = new Set<string>();

/** Not sent: it might not have ended by the deadline. The caller stops, resumable, and says why. */
function tooLate(): Outcome {
  return {
    retry: false,
    error: new ServiceError("The importer is slow to answer; try again in a minute.", null, OUT_OF_TIME),
  };
}

/** fetchAll throws for all when one request cannot reach the service; then each is tried alone. */
function fetchTogether(requests: Request[]): (Outcome | undefined)[] {
  try {
    const responses = UrlFetchApp.fetchAll(requests);
    for (const request of requests) answered.add(origin(request.url));
    return responses.map(readResponse);
  } catch {
    return requests.map(() => undefined);
  }
}

function fetchOnce(request: Request): Outcome {
  let response: GoogleAppsScript.URL_Fetch.HTTPResponse;
  try {
    response = UrlFetchApp.fetch(request.url, request);
  } catch (error) {
    return fetchFailure(request.url, error instanceof Error ? error.message : String(error));
  }
  answered.add(origin(request.url));
  return readResponse(response);
}

/** What a fetch that reached no one means, in plain words; retried only when retrying can mend it. */
function fetchFailure(url: string, thrown: string): Outcome {
  const reason = thrown.replace(/^Exception: /, "");
  const at = origin(url);
  const fail = (message: string, code: string, retry = false): Outcome => ({
    retry,
    error: new ServiceError(message, null, code),
  });
  // Apps Script refuses an address outside the manifest's urlFetchWhitelist before sending anything.
  if (/whitelist|allowlist/i.test(reason)) {
    const allowed = builtWhitelist();
    return fail(
      `This add-on may only reach the addresses it was built for${allowed.length > 0 ? ` (${allowed.join(", ")})` : ""}, and ${at} is not one of them. Check the Importer URL in Settings, or ask whoever installed the add-on for one built for that address.`,
      "not_allowed",
    );
  }
  if (/^DNS error/i.test(reason))
    return fail(
      `There is no importer at ${at}: no server has that name. Check the Importer URL in Settings.`,
      "no_such_host",
    );
  // A request that outlived UrlFetchApp's 60 s: the importer is slow, not missing; tried again.
  if (/^Timeout/i.test(reason))
    return fail("The importer is slow to answer; try again in a minute.", OUT_OF_TIME, true);
  if (/^Invalid argument/i.test(reason))
    return fail(`${url} is not an address; check the Importer URL in Settings.`, "not_an_address");
  if (/^Address unavailable/i.test(reason) && !answered.has(at))
    return fail(
      `No importer answers at ${at}: nothing accepted the connection. Check the Importer URL in Settings, or try again once the importer is running.`,
      "unreachable",
    );
  return fail(
    `Could not reach the importer at ${at}: ${reason} Check the Importer URL in Settings, or try again.`,
    "unreachable",
    true,
  );
}

function readResponse(response: GoogleAppsScript.URL_Fetch.HTTPResponse): Outcome {
  const status = response.getResponseCode();
  const text = response.getContentText();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (status >= 200 && status < 300) {
    if (body === null && text)
      return {
        retry: false,
        error: new ServiceError(
          "The importer answered with something that is not JSON; check the Importer URL in Settings.",
          status,
          "not_json",
        ),
      };
    return { retry: false, value: body };
  }
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  const retry = status === 429 || status >= 500;
  const location = headerValue(response, "location");
  const message =
    status === 401
      ? `${error?.message ?? "The importer did not accept the API key."} Check the API key in Settings; an administrator of your program can create a new one.`
      : (error?.message ??
        (status === 404
          ? "The Importer URL does not lead to the importer service (it answered 404); check it in Settings."
          : status >= 300 && status < 400 && location
            ? `The Importer URL redirects to ${location}; enter that address in Settings instead.`
            : `The importer answered ${status}${retry ? " several times; try again in a minute" : ""}.`));
  const retryAfter = Number(headerValue(response, "retry-after"));
  return {
    retry,
    error: new ServiceError(message, status, error?.code ?? null, error?.details ?? null),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

function headerValue(response: GoogleAppsScript.URL_Fetch.HTTPResponse, name: string): string | undefined {
  const headers = response.getHeaders() as Record<string, string>;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return String(headers[key]);
  return undefined;
}

function origin(url: string): string {
  return /^[a-z]+:\/\/[^/]+/i.exec(url)?.[0] ?? url;
}

import type { CallLog } from "../calls";
import { createBlob } from "./blob";
import { decodeText, toByteArray } from "./bytes";

export type EmulatedHttpResponse = Pick<
  GoogleAppsScript.URL_Fetch.HTTPResponse,
  "getAllHeaders" | "getAs" | "getBlob" | "getContent" | "getContentText" | "getHeaders" | "getResponseCode"
>;

export interface ReceivedResponse {
  status: number;
  /** As received: names in the server's case, in order, repeated for a repeated header. */
  headers: [string, string][];
  body: Uint8Array;
}

/**
 * UrlFetchApp's HTTPResponse. Its calls are counted under `HTTPResponse`, not `UrlFetchApp`: reading
 * a response costs no round trip, which is what the latency model charges UrlFetchApp calls for.
 */
export function createHttpResponse(calls: CallLog, response: ReceivedResponse): EmulatedHttpResponse {
  const record = (method: string) => calls.record("HTTPResponse", method);
  const contentType = headerValue(response.headers, "content-type") ?? null;
  const blob = () => createBlob(calls, "HTTPResponse", response.body.slice(), contentType);
  return {
    getResponseCode() {
      record("getResponseCode");
      return response.status;
    },
    getContentText(charset?: string) {
      record("getContentText");
      return responseText(response, charset);
    },
    getContent() {
      record("getContent");
      return toByteArray(response.body);
    },
    // One value a name; a repeated header (Set-Cookie, say) gives its first.
    getHeaders() {
      record("getHeaders");
      const headers: Record<string, string> = {};
      for (const [name, values] of grouped(response.headers)) define(headers, name, values[0]);
      return headers;
    },
    getAllHeaders() {
      record("getAllHeaders");
      const headers: Record<string, string | string[]> = {};
      for (const [name, values] of grouped(response.headers))
        define(headers, name, values.length > 1 ? values : values[0]);
      return headers;
    },
    getBlob() {
      record("getBlob");
      return blob() as GoogleAppsScript.Base.Blob;
    },
    getAs(type: string) {
      record("getAs");
      return blob().getAs(type);
    },
  };
}

/** The body as text: in `charset` if given, else the charset the Content-Type names, else UTF-8. */
export function responseText(response: ReceivedResponse, charset?: string): string {
  const declared = /charset\s*=\s*"?([^";\s]+)/i.exec(
    headerValue(response.headers, "content-type") ?? "",
  )?.[1];
  return decodeText(response.body, charset ?? declared);
}

function headerValue(headers: [string, string][], name: string): string | undefined {
  return headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

/** Headers by name, names matched regardless of case and spelled as first received. */
function grouped(headers: [string, string][]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const spelling = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const shown = spelling.get(key) ?? name;
    spelling.set(key, shown);
    byName.set(shown, [...(byName.get(shown) ?? []), value]);
  }
  return byName;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

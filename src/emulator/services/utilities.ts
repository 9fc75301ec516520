import { createHash, createHmac, randomUUID } from "node:crypto";
import type { CallLog } from "../calls";
import { createBlob } from "./blob";
import { encodeText, fromByteArray, isByteArray, toByteArray } from "./bytes";
import { enumeration } from "./enumeration";
import { exception } from "./exception";
import { formatDate, IllegalPatternError } from "./formatDate";
import { blockFor } from "./sleep";

/** Google's longest `Utilities.sleep`: 5 minutes. */
export const MAX_SLEEP_MS = 300_000;

export type EmulatedUtilities = Pick<
  GoogleAppsScript.Utilities.Utilities,
  | "Charset"
  | "DigestAlgorithm"
  | "MacAlgorithm"
  | "base64Decode"
  | "base64DecodeWebSafe"
  | "base64Encode"
  | "base64EncodeWebSafe"
  | "computeDigest"
  | "computeHmacSha256Signature"
  | "computeHmacSignature"
  | "formatDate"
  | "getUuid"
  | "newBlob"
  | "sleep"
>;

const DIGESTS: Record<string, string> = {
  MD5: "md5",
  SHA_1: "sha1",
  SHA_256: "sha256",
  SHA_384: "sha384",
  SHA_512: "sha512",
};
const MACS: Record<string, string> = {
  HMAC_MD5: "md5",
  HMAC_SHA_1: "sha1",
  HMAC_SHA_256: "sha256",
  HMAC_SHA_384: "sha384",
  HMAC_SHA_512: "sha512",
};

type Charset = GoogleAppsScript.Utilities.Charset;

/** Utilities. `sleep` blocks the thread, as the add-on has no timers. Calls are counted under `Utilities`. */
export function createUtilities(calls: CallLog): EmulatedUtilities {
  const record = (method: string) => calls.record("Utilities", method);
  const fail = (message: string) => exception(message);
  const bytesOf = (data: unknown, charset?: Charset) =>
    isByteArray(data)
      ? fromByteArray(data)
      : encodeText(String(data), charset as unknown as string | undefined);

  function decode(encoded: string, webSafe: boolean): GoogleAppsScript.Byte[] {
    const text = String(encoded).replace(/\s+/g, "");
    const alphabet = webSafe ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
    // Google's wording for a string that is not base64 is not documented; this one is the emulator's.
    if (!alphabet.test(text) || text.replace(/=+$/, "").length % 4 === 1)
      throw fail("Could not decode string.");
    return toByteArray(Uint8Array.from(Buffer.from(text, webSafe ? "base64url" : "base64")));
  }

  return {
    Charset: enumeration(["US_ASCII", "UTF_8"]) as unknown as typeof GoogleAppsScript.Utilities.Charset,
    DigestAlgorithm: enumeration([
      "MD2",
      "MD5",
      "SHA_1",
      "SHA_256",
      "SHA_384",
      "SHA_512",
    ]) as unknown as typeof GoogleAppsScript.Utilities.DigestAlgorithm,
    MacAlgorithm: enumeration(Object.keys(MACS)) as unknown as typeof GoogleAppsScript.Utilities.MacAlgorithm,

    formatDate(date: GoogleAppsScript.Base.Date, timeZone: string, format: string) {
      record("formatDate");
      // A Date from the add-on's realm is not `instanceof Date` here.
      if (Object.prototype.toString.call(date) !== "[object Date]") throw fail("Invalid argument: date");
      const time = Date.prototype.getTime.call(date);
      if (Number.isNaN(time)) throw fail("Invalid argument: date");
      try {
        return formatDate(time, String(timeZone), String(format));
      } catch (error) {
        if (error instanceof IllegalPatternError) throw fail(error.message);
        throw error;
      }
    },

    sleep(milliseconds: number) {
      const ms = Number(milliseconds);
      if (!(ms >= 0) || ms > MAX_SLEEP_MS) {
        record("sleep");
        throw fail("Invalid argument: milliseconds");
      }
      blockFor(ms);
      // Charged as waited: the latency model (and so the virtual clock and the execution's time) counts it.
      calls.record("Utilities", "sleep", { serviceMs: ms });
    },

    getUuid() {
      record("getUuid");
      return randomUUID();
    },

    base64Encode(data: string | GoogleAppsScript.Byte[], charset?: Charset) {
      record("base64Encode");
      return Buffer.from(bytesOf(data, charset)).toString("base64");
    },
    base64EncodeWebSafe(data: string | GoogleAppsScript.Byte[], charset?: Charset) {
      record("base64EncodeWebSafe");
      // Web-safe as Apps Script makes it: - and _ for + and /, padding kept.
      return Buffer.from(bytesOf(data, charset)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    },
    base64Decode(encoded: string) {
      record("base64Decode");
      return decode(encoded, false);
    },
    base64DecodeWebSafe(encoded: string) {
      record("base64DecodeWebSafe");
      return decode(encoded, true);
    },

    computeDigest(
      algorithm: GoogleAppsScript.Utilities.DigestAlgorithm,
      value: string | GoogleAppsScript.Byte[],
      charset?: Charset,
    ) {
      record("computeDigest");
      const name = DIGESTS[String(algorithm)];
      if (!name) throw fail("Invalid argument: algorithm");
      return toByteArray(createHash(name).update(bytesOf(value, charset)).digest());
    },
    computeHmacSignature(
      algorithm: GoogleAppsScript.Utilities.MacAlgorithm,
      value: string | GoogleAppsScript.Byte[],
      key: string | GoogleAppsScript.Byte[],
      charset?: Charset,
    ) {
      record("computeHmacSignature");
      const name = MACS[String(algorithm)];
      if (!name) throw fail("Invalid argument: algorithm");
      return toByteArray(createHmac(name, bytesOf(key, charset)).update(bytesOf(value, charset)).digest());
    },
    computeHmacSha256Signature(
      value: string | GoogleAppsScript.Byte[],
      key: string | GoogleAppsScript.Byte[],
      charset?: Charset,
    ) {
      record("computeHmacSha256Signature");
      return toByteArray(
        createHmac("sha256", bytesOf(key, charset)).update(bytesOf(value, charset)).digest(),
      );
    },

    newBlob(data: string | GoogleAppsScript.Byte[], contentType?: string, name?: string) {
      record("newBlob");
      const blob = createBlob(calls, "Utilities", bytesOf(data), contentType ?? null, name ?? null);
      return blob as GoogleAppsScript.Base.Blob;
    },
  };
}

import type { CallLog } from "../calls";
import { decodeText, encodeText, fromByteArray, toByteArray } from "./bytes";
import { exception } from "./exception";

/** The part of Apps Script's Blob the emulator gives: data, content type and name. */
export type EmulatedBlob = Pick<
  GoogleAppsScript.Base.Blob,
  | "copyBlob"
  | "getAs"
  | "getBytes"
  | "getContentType"
  | "getDataAsString"
  | "getName"
  | "isGoogleType"
  | "setBytes"
  | "setContentType"
  | "setDataFromString"
  | "setName"
>;

interface BlobState {
  bytes: Uint8Array;
  contentType: string | null;
  name: string | null;
}

const states = new WeakMap<object, BlobState>();

/**
 * A Blob holding `bytes`. Its calls are counted under `service` (the service that made it, e.g.
 * `Utilities` or `HTTPResponse`), as `Blob.<method>`.
 */
export function createBlob(
  calls: CallLog,
  service: string,
  bytes: Uint8Array,
  contentType: string | null = null,
  name: string | null = null,
): EmulatedBlob {
  const state: BlobState = { bytes, contentType, name };
  const record = (method: string) => calls.record(service, `Blob.${method}`);
  const blob: EmulatedBlob = {
    copyBlob() {
      record("copyBlob");
      return full(createBlob(calls, service, state.bytes.slice(), state.contentType, state.name));
    },
    getAs(type: string) {
      record("getAs");
      if (type !== state.contentType) {
        throw exception(`Converting from ${state.contentType} to ${type} is not supported.`);
      }
      return blob.copyBlob();
    },
    getBytes() {
      record("getBytes");
      return toByteArray(state.bytes);
    },
    getContentType() {
      record("getContentType");
      return state.contentType;
    },
    getDataAsString(charset?: string) {
      record("getDataAsString");
      return decodeText(state.bytes, charset);
    },
    getName() {
      record("getName");
      return state.name;
    },
    isGoogleType() {
      record("isGoogleType");
      return false;
    },
    setBytes(data: GoogleAppsScript.Byte[]) {
      record("setBytes");
      state.bytes = fromByteArray(data);
      return self;
    },
    setContentType(type: string | null) {
      record("setContentType");
      state.contentType = type;
      return self;
    },
    setDataFromString(text: string, charset?: string) {
      record("setDataFromString");
      state.bytes = encodeText(String(text), charset);
      return self;
    },
    setName(value: string) {
      record("setName");
      state.name = value;
      return self;
    },
  };
  const self = full(blob);
  states.set(blob, state);
  return blob;
}

/** Google's types return their whole Blob; the emulator's is the part it gives. */
function full(blob: EmulatedBlob): GoogleAppsScript.Base.Blob {
  return blob as GoogleAppsScript.Base.Blob;
}

/** What a Blob made here holds, read without counting a call; undefined for anything else. */
export function blobContents(value: unknown): Readonly<BlobState> | undefined {
  return typeof value === "object" && value !== null ? states.get(value) : undefined;
}

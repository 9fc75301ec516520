/**
 * Apps Script hands binary data over as `Byte[]`: a plain array of Java's signed bytes (-128…127).
 * These turn it into bytes and back, and text into bytes in a named charset.
 */

/** Bytes as Apps Script's `Byte[]`. */
export function toByteArray(bytes: Uint8Array): number[] {
  const out = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ((bytes[i] as number) << 24) >> 24;
  return out;
}

/** A `Byte[]` from the add-on (signed or not) as bytes. */
export function fromByteArray(values: ArrayLike<unknown>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]) & 0xff;
  return out;
}

/** Text as bytes in `charset` (a name such as `UTF-8`, or a `Utilities.Charset` member); UTF-8 by default. */
export function encodeText(text: string, charset?: string): Uint8Array {
  const encoding = nodeEncoding(charset);
  return Uint8Array.from(Buffer.from(text, encoding));
}

/** Bytes read as text in `charset`; UTF-8 by default. */
export function decodeText(bytes: Uint8Array, charset?: string): string {
  const encoding = nodeEncoding(charset);
  if (encoding === "utf8") return new TextDecoder("utf-8").decode(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}

/** UTF-8 length of a string: what Google's size limits count. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Whether a value is an array of numbers, as a `Byte[]` from any realm is. */
export function isByteArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === "number");
}

function nodeEncoding(charset: string | undefined): BufferEncoding {
  const name = String(charset ?? "UTF-8")
    .toUpperCase()
    .replace(/_/g, "-");
  switch (name) {
    case "UTF-8":
    case "UTF8":
      return "utf8";
    case "US-ASCII":
    case "ASCII":
      return "ascii";
    case "ISO-8859-1":
    case "LATIN1":
    case "WINDOWS-1252":
      return "latin1";
    case "UTF-16LE":
      return "utf16le";
    default:
      return "utf8";
  }
}

import { Readable } from "node:stream";
import type { RowResult } from "../imports/types";

const HEADER = ["row", "outcome", "object_key", "codes", "messages"];

/**
 * The report as CSV, a line at a time as its results come; a row's messages are its issues, then the
 * fields it changed. A value a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) is written with a leading apostrophe, so
 * it is shown, never run.
 */
export async function* reportCsv(results: AsyncIterable<RowResult>): AsyncGenerator<string> {
  yield csvLine(HEADER);
  for await (const r of results)
    yield csvLine([
      String(r.row),
      r.outcome,
      r.object_key ?? "",
      r.issues.map((i) => i.code).join(" "),
      messagesOf(r),
    ]);
}

/** A row's issues, then each field it changed (dry run: would change), a line each: `field: "from" → "to"`. */
function messagesOf(r: RowResult): string {
  const issues = r.issues
    .map((i) => `${i.severity === "error" ? "Error" : "Warning"}: ${i.message}`)
    .join("; ");
  const changes = (r.changes ?? []).map((c) => `${c.field}: ${shown(c.from)} → ${shown(c.to)}`);
  return [...(issues ? [issues] : []), ...changes].join("\n");
}

/** A stored or new value as the report shows it: JSON (text quoted, tags as a list), or (blank). */
function shown(value: unknown): string {
  return value === null || value === undefined ? "(blank)" : JSON.stringify(value);
}

/** The report as JSON: the import, then its results, written as they come. */
export async function* reportJson(imp: unknown, results: AsyncIterable<RowResult>): AsyncGenerator<string> {
  yield `{"import":${JSON.stringify(imp)},"results":[`;
  let first = true;
  for await (const r of results) {
    yield `${first ? "" : ","}${JSON.stringify(r)}`;
    first = false;
  }
  yield "]}";
}

/** Text in pieces of about this many characters: one write each, rather than one a row. */
const PIECE = 64 * 1024;

/** A report's text as a stream for a reply, read from the database as the client takes it. */
export function reportStream(lines: AsyncIterable<string>): Readable {
  return Readable.from(inPieces(lines), { objectMode: false });
}

async function* inPieces(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let piece = "";
  for await (const line of lines) {
    piece += line;
    if (piece.length >= PIECE) {
      yield piece;
      piece = "";
    }
  }
  if (piece) yield piece;
}

export function safeForSpreadsheet(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvLine(values: readonly string[]): string {
  return `${values.map((v) => csvCell(safeForSpreadsheet(v))).join(",")}\r\n`;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

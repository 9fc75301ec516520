import { createHash } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import type { Issue } from "../../core";
import type { Caller } from "../caller";
import type { Database } from "../db/database";
import { ApiError } from "../errors";
import { requestHash } from "./idempotency";
import { type ChunkRow, getImport, type ImportResource, importResource, startImport } from "./pipeline";
import { withDefaults } from "./pipeline/start";
import { dropStaged, stageRows } from "./staging";
import type { ImportOptions } from "./types";
import type { UploadWorker } from "./worker";

/** Uploads of up to this many rows are applied inside the request (201); larger ones answer 202 at once. */
export const SYNC_ROWS = 2000;

export interface CsvUpload {
  stream: Readable;
  name: string | null;
  /** The form fields sent before the file (its options), as text; none for a text/csv body. */
  fields: Readonly<Record<string, unknown>>;
  /** Called once the file is read: refuses what follows it in the body (an option sent too late). */
  end?: () => Promise<void>;
}

interface CsvReader {
  /** The file's rows, numbered as a spreadsheet shows them; empty lines are skipped, not renumbered. */
  rows: AsyncIterator<ChunkRow>;
  /** The sha256 of the bytes read; complete once the rows are. */
  digest(): string;
  /** Stops reading (a refused upload), letting the rest of the body go by. */
  discard(): void;
}

/** The largest file taken: what Apps Script may send in one request. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/**
 * Bytes to UTF-8 text, a piece at a time: UTF-16 (little- or big-endian) when the file starts with
 * its BOM, else UTF-8 (its BOM dropped). Bytes that are not valid text, and NUL characters, become
 * U+FFFD: the row checker then names the cell (invalid_text), and nothing unstorable is staged.
 */
function decodeText(): Transform {
  let decoder: TextDecoder | null = null;
  let head = Buffer.alloc(0);
  const decode = (bytes: Buffer, stream: boolean) =>
    Buffer.from((decoder as TextDecoder).decode(bytes, { stream }).replaceAll("\0", "\uFFFD"));
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (decoder) return done(null, decode(chunk, true));
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) return done();
      decoder = new TextDecoder(encodingOf(head));
      done(null, decode(head, true));
    },
    flush(done) {
      if (decoder) return done(null, decode(Buffer.alloc(0), false));
      // A file shorter than any BOM.
      decoder = new TextDecoder(encodingOf(head));
      done(null, decode(head, false));
    },
  });
}

/** The encoding a file's first bytes (its BOM) name; UTF-8 without one. */
function encodingOf(head: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/** Reads a CSV stream record by record: quotes, embedded newlines, CRLF, and UTF-8 or UTF-16 with a BOM. */
export function readCsv(source: Readable): CsvReader {
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      // A streamed body is past Fastify's bodyLimit, so the limit is held here.
      if (bytes > MAX_FILE_BYTES)
        return done(
          new ApiError(413, "file_too_large", `The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`),
        );
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const parser = parse({ relax_column_count: true });
  // Errors reach the reader through the parser; the pipeline's own promise only repeats them.
  pipeline(source, tap, decodeText(), parser).catch(() => {});
  async function* numbered(): AsyncGenerator<ChunkRow> {
    let row = 0;
    try {
      for await (const cells of parser as AsyncIterable<string[]>) {
        row++;
        if (cells.length === 1 && cells[0] === "") continue;
        yield { row, cells };
      }
    } catch (error) {
      throw unreadable(error);
    }
  }
  return {
    rows: numbered(),
    digest: () => hash.copy().digest("hex"),
    discard: () => {
      parser.destroy();
      source.resume();
    },
  };
}

/**
 * Why a CSV could not be read, as the caller's mistake: not CSV (naming the line), or a body cut short
 * or badly framed (a multipart upload's own errors). Only this stream's errors come here, never the
 * database's.
 */
function unreadable(error: unknown): Error {
  const e = error as Error & { lines?: number; code?: string; statusCode?: number };
  if (error instanceof ApiError || (typeof e.statusCode === "number" && e.statusCode < 500)) return e;
  if (e.code?.startsWith("CSV_"))
    return new ApiError(
      400,
      "invalid_csv",
      `The file is not valid CSV${e.lines ? ` (line ${e.lines})` : ""}: ${e.message}`,
    );
  return new ApiError(
    400,
    "invalid_upload",
    "The upload ended before the file did, or is not well-formed; send the whole file again.",
  );
}

export interface ImportCsvExtras {
  idempotencyKey: string | null;
  worker: UploadWorker;
}

/**
 * Imports an uploaded CSV: the header row is checked first, then the rows are streamed into staging,
 * and the import is started with the job that applies them. A small file is applied before this
 * returns; a large one is `processing`, and the worker carries it on.
 */
export async function importCsv(
  db: Database,
  caller: Caller,
  object: string,
  options: Partial<ImportOptions>,
  upload: CsvUpload,
  ip: string | null,
  { idempotencyKey, worker }: ImportCsvExtras,
): Promise<{ resource: ImportResource; alerts: readonly Issue[]; existing: boolean }> {
  const csv = readCsv(upload.stream);
  let job: { id: string | null; inline: boolean } = { id: null, inline: false };
  let staged: string | null = null;
  let started: Awaited<ReturnType<typeof startImport>>;
  const headerRow = options.header_row ?? 1;
  try {
    const header = await headerOf(csv, headerRow);
    let totalRows = 0;
    started = await startImport(
      db,
      caller,
      {
        object,
        options,
        headers: header.cells,
        source: { kind: "file", ...(upload.name ? { name: upload.name } : {}) },
      },
      ip,
      {
        // The file's name is not part of the request's meaning; its bytes are.
        idempotency: idempotencyKey
          ? {
              key: idempotencyKey,
              hash: () => requestHash({ object, options: withDefaults(options), file_sha256: csv.digest() }),
            }
          : null,
        before: async (importId, plan) => {
          staged = importId;
          const found = await stageRows(db, importId, withoutColumns(csv.rows, plan.ignored));
          await upload.end?.();
          totalRows = found.total_rows;
          return found;
        },
        within: async (tx, importId) => {
          const inline = totalRows <= SYNC_ROWS;
          job = { id: await worker.enqueue(tx, importId, { inline }), inline };
        },
      },
    );
  } catch (error) {
    csv.discard();
    if (staged) await dropStaged(db, staged);
    throw error;
  }
  // The same upload was started before (its Idempotency-Key): these staged rows have no import.
  if (started.existing) {
    if (staged) await dropStaged(db, staged);
    return started;
  }
  const id = started.resource.id;
  if (!job.inline || !job.id) {
    worker.wake();
    return started;
  }
  await worker.runInline(id, job.id);
  return {
    resource: importResource(await getImport(db, caller.program.id, id)),
    alerts: started.alerts,
    existing: false,
  };
}

/**
 * The header row: the first record at or after `headerRow` that is not an empty line. The records
 * above it (a title, a note) are read and dropped; the rows under it keep the file's record numbers.
 */
async function headerOf(csv: CsvReader, headerRow: number): Promise<ChunkRow> {
  for (let next = await csv.rows.next(); !next.done; next = await csv.rows.next())
    if (next.value.row >= headerRow) return next.value;
  if (headerRow > 1)
    throw new ApiError(
      400,
      "empty_file",
      `The file has nothing from row ${headerRow} on, where header_row says the header row is; give the row that holds the headers (1 for the first).`,
    );
  throw new ApiError(400, "empty_file", "The file is empty: it needs a header row and rows under it.");
}

/**
 * The rows without the cells of the columns a mapping ignores (1-based): they are neither checked nor
 * stored, not even in staging. Their places stay, blank, so the other columns keep their numbers.
 */
async function* withoutColumns(rows: AsyncIterator<ChunkRow>, ignored: readonly number[]) {
  const dropped = new Set(ignored.map((column) => column - 1));
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    const { row, cells } = next.value;
    if (dropped.size === 0) yield next.value;
    else yield { row, cells: cells.map((cell, i) => (dropped.has(i) ? null : cell)) };
  }
}

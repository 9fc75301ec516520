import { Readable } from "node:stream";
import type { Multipart } from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { STORABLE_TEXT, textFault } from "../../core";
import { closest } from "../../core/suggest";
import { type Caller, requireImporter } from "../caller";
import type { Database } from "../db/database";
import { ApiError } from "../errors";
import { type CsvUpload, importCsv } from "../imports/csvImport";
import { idempotencyKeyOf, requestHash } from "../imports/idempotency";
import {
  chunkAnswer,
  finishImport,
  getImport,
  type ImportRow,
  importReport,
  importResource,
  MAX_BATCH_CHUNKS,
  sendChunk,
  sendChunks,
  startImport,
} from "../imports/pipeline";
import {
  assertChunkWithinLimits,
  chunkTooLarge,
  MAX_BATCH_BYTES,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_CELLS,
  MAX_CHUNK_ROWS,
  MAX_COLUMNS,
} from "../imports/pipeline/limits";
import { dropStaged } from "../imports/staging";
import { undoImport } from "../imports/undo";
import { UploadWorker } from "../imports/worker";
import type { Mailer } from "../outbox";
import { sendOutbox } from "../outbox";
import {
  flag,
  importOptionsOf,
  startOptions,
  UPLOAD_OPTION_NAMES,
  uploadOptions,
  uploadOptionsOf,
} from "./importOptions";
import { decodeCursor, encodeCursor, pageQuery } from "./paging";
import { reportCsv, reportJson, reportStream } from "./reportStream";
import { text } from "./text";

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const importId = z.object({ id: z.string() });
/** The largest `source` taken, as JSON: a name and its kind, never a document. */
const MAX_SOURCE_BYTES = 2048;
/** Where an import's rows come from, with only the fields DESIGN.md documents: nothing else is stored or audited. */
const source = z
  .strictObject({ kind: z.enum(["sheet", "file", "api"]), name: text().max(500).optional() })
  .refine((s) => Buffer.byteLength(JSON.stringify(s)) <= MAX_SOURCE_BYTES, {
    error: `source is at most ${MAX_SOURCE_BYTES} bytes as JSON`,
  });
/** A chunk's sequence number, and its rows. */
const MAX_SEQ = 1_000_000;
const chunkSeq = z.number().int().min(0).max(MAX_SEQ);
const chunkRows = z.array(z.object({ row: z.number().int().min(1), cells: z.array(cell) }));
/** Which rows' results a chunk's answer holds (ResultsShown in pipeline/chunk.ts). */
const resultsShown = z.object({
  results: z.enum(["all", "issues"]).default("all").meta({
    description:
      "all (the default): each row's result; issues: only the rows skipped or with an issue (the counts, column_issues and issued_usd_cents still cover every row; the full report stays at /report)",
  }),
});

function assertDistinctRows(rows: readonly { row: number }[]): void {
  if (new Set(rows.map((r) => r.row)).size !== rows.length)
    throw new ApiError(400, "invalid_request", "Each row of a chunk needs its own row number");
}
/** Where the import history left off: the last import shown. */
const importPosition = z.strictObject({ id: z.uuid() });

export async function importRoutes(
  app: FastifyInstance,
  { db, mailer }: { db: Database; mailer: Mailer | null },
) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const afterImport = () => {
    if (mailer) void sendOutbox(db, mailer).catch(() => {});
  };
  const uploads = new UploadWorker(db, {
    completed: afterImport,
    error: (error) => app.log.error(error),
  });
  await uploads.start();
  // Before anything closes (onClose hooks of the root, like the database's, may run first): the chunk
  // in hand finishes, the rest waits for the next start.
  app.addHook("preClose", () => uploads.stop());

  api.post(
    "/v1/import/:object",
    {
      schema: {
        summary:
          "Import a CSV file: multipart field 'file' (options as form fields before it, or as query parameters), or a text/csv body",
        params: z.object({ object: text() }),
        querystring: uploadOptions,
      },
    },
    async (request, reply) => {
      const { object } = request.params;
      const caller = await requireImporter(db, request, { object, options: request.query });
      const idempotencyKey = idempotencyKeyOf(request);
      const upload = await csvBodyOf(request);
      const opts = uploadOptionsOf(request.query, upload.fields);
      const { resource, alerts, existing } = await importCsv(db, caller, object, opts, upload, request.ip, {
        idempotencyKey,
        worker: uploads,
      });
      if (existing) reply.header("idempotent-replayed", "true");
      const status = resource.status === "processing" ? 202 : existing ? 200 : 201;
      return reply.status(status).send({ ...resource, header_alerts: alerts });
    },
  );

  api.post(
    "/v1/imports",
    {
      bodyLimit: 1024 * 1024,
      schema: {
        summary:
          "Start a chunked import; the same client_token, or the same Idempotency-Key and request, returns the same import",
        body: z.object({
          object: text(),
          options: startOptions.prefault({}),
          headers: z.array(cell).min(1).max(MAX_COLUMNS),
          total_rows: z.number().int().min(0).max(10_000_000).optional(),
          source: source.optional(),
          client_token: text().min(8).max(200).optional(),
          retry_of: text().max(100).nullish().meta({
            description:
              "The id of an earlier import of this program and object whose skipped rows this one imports again (the sidebar's Import skipped rows); else 422 invalid_retry_of",
            format: "uuid",
          }),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const caller = await requireImporter(db, request, { object: body.object, options: body.options });
      const key = idempotencyKeyOf(request);
      const start = { ...body, options: importOptionsOf(body.options) };
      const { resource, alerts, existing } = await startImport(db, caller, start, request.ip, {
        idempotency: key ? { key, hash: requestHash(body) } : null,
      });
      if (existing && key) reply.header("idempotent-replayed", "true");
      return reply.status(existing ? 200 : 201).send({ ...resource, header_alerts: alerts });
    },
  );

  api.put(
    "/v1/imports/:id/chunks/:seq",
    {
      bodyLimit: MAX_CHUNK_BYTES,
      // Past bodyLimit Fastify refuses the body before reading it; the answer names our limit.
      errorHandler: (error, request) => {
        if (error.code !== "FST_ERR_CTP_BODY_TOO_LARGE") throw error;
        const length = Number(request.headers["content-length"]);
        throw chunkTooLarge("bytes", MAX_CHUNK_BYTES, Number.isFinite(length) ? length : null);
      },
      schema: {
        summary: `Send a chunk of rows (at most ${MAX_CHUNK_ROWS} rows, ${MAX_CHUNK_CELLS} cells, ${MAX_CHUNK_BYTES / 1024 / 1024} MB: past one, 413 chunk_too_large); a chunk sent again returns its stored results and changes nothing`,
        params: z.object({ id: z.string(), seq: z.coerce.number().int().min(0).max(MAX_SEQ) }),
        querystring: resultsShown,
        body: z.object({ rows: chunkRows }),
      },
    },
    async (request) => {
      const caller = await requireImporter(db, request);
      const rows = request.body.rows;
      assertChunkWithinLimits(rows);
      assertDistinctRows(rows);
      const answer = await sendChunk(db, caller, request.params.id, request.params.seq, rows);
      return chunkAnswer(answer, request.query.results);
    },
  );

  api.post(
    "/v1/imports/:id/chunks",
    {
      bodyLimit: MAX_BATCH_BYTES,
      errorHandler: (error, request) => {
        if (error.code !== "FST_ERR_CTP_BODY_TOO_LARGE") throw error;
        const length = Number(request.headers["content-length"]);
        throw chunkTooLarge("bytes", MAX_BATCH_BYTES, Number.isFinite(length) ? length : null, "request");
      },
      schema: {
        summary: `Send several chunks of rows in one request (at most ${MAX_BATCH_CHUNKS} chunks, each within a chunk's limits, ${MAX_BATCH_BYTES / 1024 / 1024} MB in all): applied in the order given, each in its own transaction, as PUT …/chunks/{seq} applies one; a failing chunk stops the rest and its error names it`,
        params: importId,
        querystring: resultsShown,
        body: z.object({
          chunks: z
            .array(z.object({ seq: chunkSeq, rows: chunkRows }))
            .min(1)
            .meta({
              description: `At most ${MAX_BATCH_CHUNKS} chunks (more: 413 chunk_too_large, limit "chunks"), each with its own seq`,
            }),
        }),
      },
    },
    async (request) => {
      const caller = await requireImporter(db, request);
      const chunks = request.body.chunks;
      if (chunks.length > MAX_BATCH_CHUNKS)
        throw chunkTooLarge("chunks", MAX_BATCH_CHUNKS, chunks.length, "request");
      if (new Set(chunks.map((c) => c.seq)).size !== chunks.length)
        throw new ApiError(400, "invalid_request", "Each chunk of a request needs its own seq");
      // A chunk's bytes as a PUT of it would send them: measured only when the body could hold one too large.
      const large = Number(request.headers["content-length"] ?? Number.POSITIVE_INFINITY) > MAX_CHUNK_BYTES;
      for (const chunk of chunks)
        try {
          assertChunkWithinLimits(chunk.rows);
          const bytes = large ? Buffer.byteLength(JSON.stringify({ rows: chunk.rows })) : 0;
          if (bytes > MAX_CHUNK_BYTES) throw chunkTooLarge("bytes", MAX_CHUNK_BYTES, bytes);
          assertDistinctRows(chunk.rows);
        } catch (error) {
          throw error instanceof ApiError
            ? new ApiError(error.status, error.code, `Chunk ${chunk.seq}: ${error.message}`, {
                ...(error.details as object | undefined),
                seq: chunk.seq,
                applied: [],
              })
            : error;
        }
      const answers = await sendChunks(db, caller, request.params.id, chunks);
      return { chunks: answers.map((answer) => chunkAnswer(answer, request.query.results)) };
    },
  );

  for (const [action, to] of [
    ["complete", "completed"],
    ["cancel", "cancelled"],
  ] as const)
    api.post(
      `/v1/imports/:id/${action}`,
      {
        bodyLimit: 16 * 1024,
        schema: {
          summary: `${action === "complete" ? "Complete" : "Cancel"} an import; the summary${action === "complete" ? ' (rows missing: 409 rows_missing, unless {"partial": true})' : ""}`,
          params: importId,
          body: z.object({ partial: z.boolean().optional() }).nullish(),
        },
      },
      async (request) => {
        const caller = await requireImporter(db, request);
        const partial = request.body?.partial === true;
        const done = await finishImport(db, caller, request.params.id, to, request.ip, { partial });
        if (to === "completed") afterImport();
        else await dropStaged(db, done.id); // an upload's rows still to apply
        return done;
      },
    );

  api.post(
    "/v1/imports/:id/undo",
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary:
          'Undo an import: remove what it created, restore what it updated; refused records stay, each with its reason (?dry_run=true, or {"dry_run": true}: what it would do, nothing changed)',
        params: importId,
        querystring: z.object({ dry_run: flag }),
        body: z.object({ dry_run: flag }).nullish(),
      },
    },
    async (request) => {
      const dryRun = request.query.dry_run === true || request.body?.dry_run === true;
      const caller = await requireImporter(
        db,
        request,
        await undoAttempt(request.caller, request.params.id, dryRun),
      );
      return undoImport(db, caller, request.params.id, request.ip, { dryRun });
    },
  );

  /** What a denied undo is logged with: the import it named, when that is one of the program's. */
  const undoAttempt = async (caller: Caller, id: string, dryRun: boolean) => {
    if (caller.mayImport) return undefined;
    const named = await getImport(db, caller.program.id, id).catch(() => null);
    return {
      object: named?.object ?? null,
      options: { dry_run: dryRun },
      undo: { importId: named?.id ?? null },
    };
  };

  api.get(
    "/v1/imports",
    { schema: { summary: "Import history, newest first (cursor paging)", querystring: pageQuery } },
    async (request) => {
      const caller = await requireImporter(db, request);
      const { limit, cursor } = request.query;
      // The cursor names the last import shown; its created_at is read back at full (microsecond)
      // precision, which a JavaScript Date would round to milliseconds and so skip imports.
      const after = decodeCursor(cursor, importPosition);
      const { rows } = await db.query<ImportRow>(
        `SELECT i.*, u.email AS user_email, (SELECT count(*)::int FROM import_chunks c WHERE c.import_id = i.id) AS chunks
         FROM imports i JOIN users u ON u.id = i.user_id
         WHERE i.program_id = $1 AND ($2::uuid IS NULL OR (i.created_at, i.id) <
           (SELECT a.created_at, a.id FROM imports a WHERE a.id = $2::uuid AND a.program_id = $1))
         ORDER BY i.created_at DESC, i.id DESC LIMIT $3`,
        [caller.program.id, after?.id ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(importResource),
        next_cursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
      };
    },
  );

  api.get(
    "/v1/imports/:id",
    { schema: { summary: "One import with its counts", params: importId } },
    async (request) => {
      const caller = await requireImporter(db, request);
      return importResource(await getImport(db, caller.program.id, request.params.id));
    },
  );

  api.get(
    "/v1/imports/:id/report",
    {
      schema: {
        summary: "Per-row results, as JSON or ?format=csv",
        params: importId,
        querystring: z.object({ format: z.enum(["json", "csv"]).default("json") }),
      },
    },
    async (request, reply) => {
      const caller = await requireImporter(db, request);
      const report = await importReport(db, caller.program.id, request.params.id);
      if (request.query.format === "csv")
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="import-${report.import.id}-report.csv"`)
          .send(reportStream(reportCsv(report.results)));
      return reply
        .header("content-type", "application/json; charset=utf-8")
        .send(reportStream(reportJson(report.import, report.results)));
    },
  );
}

/**
 * The uploaded CSV as a stream: the multipart field `file`, or the body itself; with the form fields
 * sent before the file (the upload's options, as curl's -F gives them).
 */
async function csvBodyOf(request: FastifyRequest): Promise<CsvUpload> {
  if (request.isMultipart()) {
    const fields: Record<string, unknown> = {};
    const parts = request.parts()[Symbol.asyncIterator]();
    try {
      for (let next = await parts.next(); !next.done; next = await parts.next()) {
        const part = next.value;
        if (part.type === "file" && part.fieldname === "file")
          return {
            stream: part.file,
            name: fileNameOf(part.filename, () => part.file.resume()),
            fields,
            end: () => nothingAfterFile(parts),
          };
        if (part.type === "file") part.file.resume();
        else if (part.valueTruncated)
          throw new ApiError(
            413,
            "field_too_large",
            `The form field ${JSON.stringify(part.fieldname.slice(0, 60))} is longer than 1 MB; an option is far shorter`,
          );
        else fields[optionName(part.fieldname, fields)] = part.value;
      }
    } catch (error) {
      throw malformedMultipart(error);
    }
    throw new ApiError(
      400,
      "missing_file",
      "The upload has no field 'file'; send the CSV as -F file=@data.csv",
    );
  }
  if (request.body instanceof Readable) return { stream: request.body, name: null, fields: {} };
  throw new ApiError(
    415,
    "unsupported_media_type",
    "Send the CSV as multipart/form-data (field 'file') or as a text/csv body",
  );
}

/** A form field's name, if it is an upload option given once; anything else is refused. */
function optionName(name: string, fields: Record<string, unknown>): string {
  if (name === "file")
    throw new ApiError(
      400,
      "missing_file",
      "The field 'file' holds text, not a file; send the CSV as -F file=@data.csv (with the @)",
    );
  if (!UPLOAD_OPTION_NAMES.includes(name)) {
    const meant = closest(name.toLowerCase(), UPLOAD_OPTION_NAMES);
    throw new ApiError(
      400,
      "unknown_option",
      `The form field ${JSON.stringify(name.slice(0, 60))} is not an option of an upload${meant ? `; did you mean ${meant}?` : "."} The options are ${UPLOAD_OPTION_NAMES.join(", ")}, and the file goes in the field 'file'.`,
    );
  }
  if (Object.hasOwn(fields, name))
    throw new ApiError(400, "invalid_request", `The form field ${name} is given twice; give it once`);
  return name;
}

/**
 * Reads what follows the file in a multipart body: an option sent after the file would come too late
 * to apply, so it is refused (and the upload with it) rather than ignored.
 */
async function nothingAfterFile(parts: AsyncIterator<Multipart>): Promise<void> {
  let next: IteratorResult<Multipart>;
  try {
    next = await parts.next();
  } catch (error) {
    if ((error as { code?: unknown }).code === "FST_FILES_LIMIT") throw tooManyFiles();
    throw malformedMultipart(error);
  }
  if (next.done) return;
  const part = next.value;
  if (part.type === "file") {
    part.file.resume();
    throw tooManyFiles();
  }
  throw new ApiError(
    400,
    "option_after_file",
    `The form field ${JSON.stringify(part.fieldname.slice(0, 60))} comes after the file; options go before it, as in curl -F normalise=true -F file=@data.csv. Nothing was imported.`,
  );
}

const tooManyFiles = () =>
  new ApiError(
    400,
    "too_many_files",
    "The upload holds more than one file; send one CSV as -F file=@data.csv",
  );

/** The uploaded file's name, kept as the import's source; one the database cannot store is refused. */
function fileNameOf(name: string, discard: () => void): string | null {
  const fault = name ? textFault(name) : null;
  if (!fault) return name || null;
  discard();
  throw new ApiError(
    400,
    "invalid_text",
    `The file's name holds ${fault}; a file name is ${STORABLE_TEXT}. Rename the file and upload it again.`,
  );
}

/** A multipart body that does not parse (cut short, or its boundary wrong) is the caller's mistake. */
function malformedMultipart(error: unknown): Error {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error instanceof ApiError || (typeof status === "number" && status < 500)) return error as Error;
  return new ApiError(
    400,
    "invalid_multipart",
    "The multipart body is not well-formed (cut short, or its parts do not match its boundary); send the file as -F file=@data.csv",
  );
}

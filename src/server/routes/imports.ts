import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { STORABLE_TEXT, textFault } from "../../core";
import { requireImporter } from "../caller";
import type { Database } from "../db/database";
import { ApiError } from "../errors";
import { type CsvUpload, importCsv } from "../imports/csvImport";
import { idempotencyKeyOf, requestHash } from "../imports/idempotency";
import {
  applyChunk,
  finishImport,
  getImport,
  type ImportRow,
  importReport,
  importResource,
  startImport,
} from "../imports/pipeline";
import {
  assertChunkWithinLimits,
  chunkTooLarge,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_CELLS,
  MAX_CHUNK_ROWS,
  MAX_COLUMNS,
} from "../imports/pipeline/limits";
import { dropStaged } from "../imports/staging";
import { UploadWorker } from "../imports/worker";
import type { Mailer } from "../outbox";
import { sendOutbox } from "../outbox";
import { decodeCursor, encodeCursor, pageQuery } from "./paging";
import { reportCsv, reportJson, reportStream } from "./reportStream";
import { text } from "./text";

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
  .optional()
  .transform((v) => v === true || v === "true" || v === "1");

const options = z.object({
  group_key: text().min(1).optional(),
  send_invites: flag,
  dry_run: flag,
  allow_repeats: flag,
});

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
        summary: "Import a CSV file: multipart field 'file', or a text/csv body",
        params: z.object({ object: text() }),
        querystring: options,
      },
    },
    async (request, reply) => {
      const { object } = request.params;
      const opts = request.query;
      const caller = await requireImporter(db, request, { object, options: opts });
      const idempotencyKey = idempotencyKeyOf(request);
      const upload = await csvBodyOf(request);
      const { resource, existing } = await importCsv(db, caller, object, opts, upload, request.ip, {
        idempotencyKey,
        worker: uploads,
      });
      if (existing) reply.header("idempotent-replayed", "true");
      const status = resource.status === "processing" ? 202 : existing ? 200 : 201;
      return reply.status(status).send(resource);
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
          options: options.default({ send_invites: false, dry_run: false, allow_repeats: false }),
          headers: z.array(cell).min(1).max(MAX_COLUMNS),
          total_rows: z.number().int().min(0).max(10_000_000).optional(),
          source: source.optional(),
          client_token: text().min(8).max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const caller = await requireImporter(db, request, { object: body.object, options: body.options });
      const key = idempotencyKeyOf(request);
      const { resource, alerts, existing } = await startImport(db, caller, body, request.ip, {
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
        params: z.object({ id: z.string(), seq: z.coerce.number().int().min(0).max(1_000_000) }),
        body: z.object({
          rows: z.array(z.object({ row: z.number().int().min(1), cells: z.array(cell) })),
        }),
      },
    },
    async (request) => {
      const caller = await requireImporter(db, request);
      const rows = request.body.rows;
      assertChunkWithinLimits(rows);
      if (new Set(rows.map((r) => r.row)).size !== rows.length)
        throw new ApiError(400, "invalid_request", "Each row of a chunk needs its own row number");
      return applyChunk(db, caller, request.params.id, request.params.seq, rows);
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

/** The uploaded CSV as a stream: the multipart field `file`, or the body itself. */
async function csvBodyOf(request: FastifyRequest): Promise<CsvUpload> {
  if (request.isMultipart()) {
    try {
      for await (const part of request.parts()) {
        if (part.type === "file" && part.fieldname === "file")
          return { stream: part.file, name: fileNameOf(part.filename, () => part.file.resume()) };
        if (part.type === "file") part.file.resume();
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
  if (request.body instanceof Readable) return { stream: request.body, name: null };
  throw new ApiError(
    415,
    "unsupported_media_type",
    "Send the CSV as multipart/form-data (field 'file') or as a text/csv body",
  );
}

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

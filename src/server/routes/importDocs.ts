/**
 * What /v1/openapi.json says of the two ways to start an import beyond what their validated schemas
 * give: the upload's bodies (a stream its route reads itself, so no validation schema describes it),
 * the Idempotency-Key header, and the upload's answers. Plain JSON Schema: documentation only.
 */

const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

const counts = {
  type: "object",
  properties: Object.fromEntries(
    ["rows", "created", "updated", "skipped", "repeats"].map((k) => [k, { type: "integer" }]),
  ),
};

const importResource = {
  type: "object",
  required: ["id", "object", "status", "total_rows", "counts", "error"],
  properties: {
    id: { type: "string", format: "uuid" },
    object: { type: "string", enum: ["partners", "customers", "transactions", "rewards", "leads", "deals"] },
    status: { type: "string", enum: ["processing", "completed", "cancelled", "failed"] },
    options: { type: "object", additionalProperties: true },
    source: { type: "object", additionalProperties: true },
    total_rows: { type: ["integer", "null"], description: "Data rows in the file (empty lines not counted)" },
    counts: { ...counts, description: "Rows done so far, and how each ended" },
    issued_usd_cents: { type: "integer", description: "Rewards only: the money issued, in US cents" },
    chunks_received: { type: "integer" },
    user: { type: ["string", "null"] },
    error: { type: ["string", "null"], description: "Why a failed import stopped, in a sentence" },
    created_at: { type: "string", format: "date-time" },
    completed_at: { type: ["string", "null"], format: "date-time" },
  },
};

const json = (schema: object, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const idempotencyKey = {
  type: "object",
  properties: {
    "idempotency-key": {
      type: "string",
      minLength: 1,
      maxLength: 255,
      description:
        "Makes a retry safe: the same key and request give the first answer (the same import); another request under the key is 422 idempotency_mismatch. Kept at least 24 hours, per program.",
    },
  },
};

const upload = {
  headers: idempotencyKey,
  consumes: ["multipart/form-data", "text/csv"],
  body: {
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          required: ["file"],
          properties: { file: { type: "string", format: "binary", description: "The CSV file" } },
        },
      },
      "text/csv": { schema: { type: "string", description: "The CSV itself, header row first" } },
    },
  },
  response: {
    200: json(importResource, "The import an earlier request with this Idempotency-Key started"),
    201: json(importResource, "A small file, imported inside the request: the import as it ended"),
    202: json(
      importResource,
      "The file is staged and the import is processing: poll GET /v1/imports/{id} until it is no longer processing",
    ),
    400: json(errorBody, "invalid_csv (with the line), empty_file, missing_file, invalid_idempotency_key"),
    422: json(errorBody, "invalid_headers (nothing imported; details.alerts), or idempotency_mismatch"),
  },
};

/** Adds the documentation above to the routes it is for; leaves the others as they are. */
export function documentImportRoutes(method: string, url: string, schema: Record<string, unknown>) {
  if (method === "POST" && url === "/v1/import/:object") return { ...schema, ...upload };
  if (method === "POST" && url === "/v1/imports") return { ...schema, headers: idempotencyKey };
  return schema;
}

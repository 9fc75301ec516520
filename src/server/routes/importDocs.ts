import { MAPPING_EXAMPLE } from "./importOptions";

/**
 * What /v1/openapi.json says of the import routes beyond what their validated schemas give: the
 * upload's bodies (a stream its route reads itself, so no validation schema describes it), the
 * Idempotency-Key header, and the answers of the upload and of the chunk protocol. Plain JSON Schema:
 * documentation only (the answers are not filtered through it).
 */

const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "request_id"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        details: {},
        request_id: { type: "string", description: "Names the request in the service's log: quote it" },
      },
    },
  },
};

// ---- What a row changes, the import's mode, and retries (issue 13). One block, referred to below. ----

const MODES = ["create_and_update", "create_only", "update_only"];

const fieldChanges = {
  type: "array",
  description:
    "Rows that update a record (in a dry run: would update it): each field whose stored value the row changes, stored → new. A field the row leaves blank, or sets to its stored value, is not listed; a row that changes nothing has []. Fields by the import's names (partner_email, partner_joined_date, a custom or lead form field by its own name, partner_key for the record's partner). Two rows of one chunk that reach one record: each change is on the last of them that sets that field.",
  items: {
    type: "object",
    required: ["field", "from", "to"],
    properties: {
      field: { type: "string", example: "partner_email" },
      from: { description: "The stored value (tags: the list before); null when none was stored" },
      to: { description: "The value the row sets (tags: the list after, the row's tags added)" },
    },
  },
};

const modeOption = {
  type: "string",
  enum: MODES,
  description:
    "Which rows are applied: create_and_update (default); create_only skips a row that matches a stored record; update_only skips a row that matches none. A skipped row has an excluded_by_mode error and nothing is written for it. Partners, customers, leads and deals; transactions and rewards take only create_and_update (422 invalid_option otherwise).",
};

const retryOf = {
  type: ["string", "null"],
  format: "uuid",
  description:
    "The import whose skipped rows this one imports again (the sidebar's Import skipped rows): one of this program's, of the same object",
};

const ISSUE_CODES_13 =
  "email_changed (a warning: the row matched a partner by partner_key and changes its email, from → to), excluded_by_mode (an error: the import's mode leaves the row's record alone, so nothing was written)";

const MODE_ERROR =
  "invalid_option (mode is not one of create_and_update, create_only, update_only, or is not create_and_update for transactions and rewards, whose rows only create)";
const RETRY_ERROR = "invalid_retry_of (retry_of names no import of this program, or one of another object)";

// ---- End of issue 13's block. ----

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
    options: {
      type: "object",
      additionalProperties: true,
      description:
        "The options it runs with: group_key, send_invites, dry_run, allow_repeats, mapping (or null), normalise, locale, header_row, mode",
    },
    source: {
      type: "object",
      required: ["kind"],
      properties: { kind: { type: "string", enum: ["sheet", "file", "api"] }, name: { type: "string" } },
    },
    retry_of: retryOf,
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

const issue = {
  type: "object",
  required: ["row", "column", "field", "severity", "code", "message"],
  properties: {
    row: { type: "integer" },
    column: { type: ["integer", "null"] },
    field: { type: ["string", "null"] },
    severity: { type: "string", enum: ["error", "warning"] },
    code: {
      type: "string",
      description: `Stable: required, invalid_email, invalid_text (a NUL or a broken character: UTF-8 or UTF-16 with a BOM is expected), duplicate_in_file, unknown_partner, customer_not_found, transaction_exists, reward_exists, already_imported, row_already_sent, ${ISSUE_CODES_13}, …`,
    },
    message: { type: "string" },
  },
};

const rowResult = {
  type: "object",
  required: ["row", "outcome", "object_key", "issues"],
  properties: {
    row: { type: "integer" },
    outcome: { type: "string", enum: ["created", "updated", "skipped"] },
    object_key: { type: ["string", "null"] },
    issues: { type: "array", items: issue },
    amount_usd_cents: {
      type: "integer",
      description: "Rewards: the USD cents issued (or that a dry run would)",
    },
    repeat: {
      type: "boolean",
      description: "The row matched a record an earlier import created, or an earlier row of this one",
    },
    changes: fieldChanges,
  },
};

const chunkResult = {
  type: "object",
  required: ["import_id", "seq", "replayed", "results", "column_issues", "counts"],
  properties: {
    import_id: { type: "string", format: "uuid" },
    seq: { type: "integer" },
    replayed: {
      type: "boolean",
      description: "The chunk was applied before: its stored results, nothing changed",
    },
    results: { type: "array", items: rowResult },
    column_issues: {
      type: "array",
      description:
        "An issue more than 10 rows of the chunk share in one column (same code and message), said once: each of those rows still has it, with a short message naming the first row",
      items: {
        type: "object",
        required: [...issue.required.filter((k) => k !== "row"), "rows", "first_rows"],
        properties: {
          ...Object.fromEntries(Object.entries(issue.properties).filter(([k]) => k !== "row")),
          rows: { type: "integer", description: "How many rows of the chunk have it" },
          first_rows: { type: "array", items: { type: "integer" } },
        },
      },
    },
    counts,
  },
};

const started = {
  ...importResource,
  properties: {
    ...importResource.properties,
    header_alerts: {
      type: "array",
      items: issue,
      description:
        "Warnings about the header row (a header read under another name; unknown_header for a mapping entry whose header the file lacks: that entry was not used). Empty when an earlier request's import is returned.",
    },
  },
};

/** The upload's options as form fields: the same names and meanings as its query parameters. */
const formFields = {
  mapping: {
    type: "string",
    description: `JSON: how the file's headers map to fields, e.g. ${MAPPING_EXAMPLE}; null ignores a column (neither checked nor stored)`,
  },
  normalise: {
    type: "string",
    enum: ["true", "false"],
    description: "Read common forms of a value as their canonical form, each reported as a fixable warning",
  },
  locale: {
    type: "string",
    description: "The locale the values were written in (en_US by default; en_GB reads 18/03/2026)",
  },
  header_row: {
    type: "string",
    description: "The row that holds the headers (1 by default); the rows above it are skipped",
  },
  dry_run: { type: "string", enum: ["true", "false"] },
  allow_repeats: { type: "string", enum: ["true", "false"] },
  send_invites: { type: "string", enum: ["true", "false"], description: "Partners only" },
  group_key: { type: "string", description: "Leads and deals only" },
  mode: modeOption,
};

const uploadDescription = `Send the file as the multipart field \`file\` (or the body itself, as text/csv). Options go in the query or, as curl users expect, as form fields placed BEFORE the file (a field after it is refused: 400 option_after_file); an option given both ways must say the same. For example, a CRM export with a title line above its headers, a Notes column left out, and dates like 3/18/2026 read as 2026-03-18:

    curl -H "Authorization: Bearer $KEY" \\
      -F 'mapping={"Email":"partner_email","Partner Key":"partner_key","Joined":"partner_joined_date","Notes":null}' \\
      -F normalise=true -F header_row=2 \\
      -F file=@crm-export.csv https://importer.example.com/v1/import/partners

mapping reads the file's headers as fields (null: the column is neither checked nor stored); normalise=true applies the same fixes as the add-on's Fix N cells, each reported in its row's issues as a fixable warning (with the fix's from and to), and locale says whether slash dates are day first; header_row skips the records above the headers, and rows keep the file's numbers in the report. The answer's header_alerts hold the header row's warnings.`;

const upload = {
  description: uploadDescription,
  headers: idempotencyKey,
  consumes: ["multipart/form-data", "text/csv"],
  body: {
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          required: ["file"],
          properties: {
            ...formFields,
            file: { type: "string", format: "binary", description: "The CSV file, after the options" },
          },
        },
      },
      "text/csv": { schema: { type: "string", description: "The CSV itself, header row first" } },
    },
  },
  response: {
    200: json(importResource, "The import an earlier request with this Idempotency-Key started"),
    201: json(started, "A small file, imported inside the request: the import as it ended"),
    202: json(
      started,
      "The file is staged and the import is processing: poll GET /v1/imports/{id} until it is no longer processing",
    ),
    400: json(
      errorBody,
      "invalid_csv (with the line), empty_file (also: nothing at or below header_row), missing_file, invalid_multipart, invalid_upload, invalid_text (a header, with details.column, or the file's name), invalid_idempotency_key, invalid_mapping (not JSON, or not an object of header → field or null), invalid_request (another option), unknown_option (a form field that is no option), option_after_file, conflicting_options (query and form field differ), too_many_files",
    ),
    413: json(errorBody, "file_too_large (over 50 MB), field_too_large (a form field over 1 MB)"),
    422: json(
      errorBody,
      `invalid_headers (nothing imported; details.alerts: e.g. unknown_header, or unknown_field for a mapping to a field the object lacks), idempotency_mismatch, or ${MODE_ERROR}`,
    ),
  },
};

const ANSWERS: Record<string, Record<number, object>> = {
  "POST /v1/imports": {
    200: json(started, "The import started earlier with this client_token or Idempotency-Key"),
    201: json(started, "The import, started"),
    422: json(
      errorBody,
      `invalid_headers (details.alerts), idempotency_mismatch, ${MODE_ERROR}, or ${RETRY_ERROR}`,
    ),
  },
  "PUT /v1/imports/:id/chunks/:seq": {
    200: json(chunkResult, "Each row's result, and the chunk's counts"),
    400: json(errorBody, "invalid_request: a row number twice in the chunk, or a malformed body"),
    404: json(errorBody, "not_found: no such import in this program"),
    413: json(
      errorBody,
      "chunk_too_large: more rows, cells or bytes than a chunk holds (details: limit, most, held)",
    ),
    409: json(
      errorBody,
      "chunk_mismatch: this seq was applied before with other rows; import_closed: the import takes no more rows",
    ),
  },
  "POST /v1/imports/:id/chunks": {
    200: json(
      {
        type: "object",
        required: ["chunks"],
        properties: {
          chunks: {
            type: "array",
            items: chunkResult,
            description: "Each chunk's answer, as PUT …/chunks/{seq} gives it, in the order sent",
          },
        },
      },
      "Every chunk applied (or replayed: sent before), in the order given, each in its own transaction. Sending the same request again is safe: the chunks applied replay",
    ),
    400: json(
      errorBody,
      "invalid_request: a seq twice in the request, a row number twice in a chunk, or a malformed body",
    ),
    404: json(errorBody, "not_found: no such import in this program"),
    413: json(
      errorBody,
      "chunk_too_large: more than 10 chunks (limit chunks), more bytes than 10 chunks may hold (limit bytes), or a chunk past a chunk's limits (details: limit, most, held; and seq, the chunk's, with applied: [] — nothing was applied)",
    ),
    409: json(
      errorBody,
      "A chunk failed: chunk_mismatch or import_closed, as PUT …/chunks/{seq} answers. The chunks before it stay applied, the later ones were not tried; details: seq (the chunk that failed) and applied (the seqs applied or replayed before it)",
    ),
  },
  "POST /v1/imports/:id/complete": {
    200: json(importResource, "The import, completed (completing again answers the same)"),
    409: json(
      errorBody,
      'rows_missing: fewer rows than total_rows arrived (details: total_rows, received, missing; send {"partial": true} to end it as it is); import_closed',
    ),
  },
  "POST /v1/imports/:id/cancel": {
    200: json(importResource, "The import, cancelled"),
    409: json(errorBody, "import_closed: it has ended already"),
  },
  "GET /v1/imports/:id": {
    200: json(importResource, "The import: status, total_rows, counts so far, error"),
    404: json(errorBody, "not_found"),
  },
};

// Undo (issue 13): its answer and errors, kept apart from the blocks above.
const undoSummary = {
  type: "object",
  required: ["dry_run", "at", "by", "removed", "restored", "refused", "invites_sent", "invites_withdrawn"],
  properties: {
    dry_run: { type: "boolean", description: "True: what an undo would do; nothing was changed" },
    at: { type: "string", format: "date-time" },
    by: { type: "string", description: "The user who undid it" },
    removed: { type: "integer", description: "Records the import created, removed" },
    restored: {
      type: "integer",
      description:
        "Records the import updated, given back the values of the columns it changed as they were before its first change",
    },
    refused: {
      type: "array",
      description: "Records left as they are, each with why; everything else was undone",
      items: {
        type: "object",
        required: ["record_key", "row", "code", "reason"],
        properties: {
          record_key: {
            type: ["string", "null"],
            description:
              "The record's key (partner_key, customer_key, key, external_key; a lead without one: its email)",
          },
          row: { type: ["integer", "null"], description: "The import's row that made the change" },
          code: {
            type: "string",
            enum: ["changed_since", "depended_on", "reward_not_pending"],
            description:
              "changed_since: another import changed it since (named: undo that one first); depended_on: other records now refer to it (named: e.g. 3 transactions); reward_not_pending: the reward is approved, paid, … (named)",
          },
          reason: { type: "string" },
        },
      },
    },
    invites_sent: {
      type: "integer",
      description: "Invites of removed partners that were sent already: they cannot be unsent",
    },
    invites_withdrawn: {
      type: "integer",
      description: "Invites of removed partners not yet sent: taken out of the outbox",
    },
    message: { type: "string", description: "The same in a sentence" },
  },
};

const undoneImport = {
  ...importResource,
  properties: {
    ...importResource.properties,
    status: { type: "string", enum: ["processing", "completed", "cancelled", "failed", "undone"] },
    undo: { oneOf: [undoSummary, { type: "null" }], description: "What the undo did, once it is undone" },
  },
};

ANSWERS["POST /v1/imports/:id/undo"] = {
  200: json(
    { type: "object", required: ["import", "undo"], properties: { import: undoneImport, undo: undoSummary } },
    'The import (status undone; unchanged after a dry run) and what the undo did. For example: curl -X POST -H "Authorization: Bearer $KEY" "https://importer.example.com/v1/imports/$ID/undo?dry_run=true", then without dry_run to undo it',
  ),
  403: json(errorBody, "forbidden: the caller may not import (partner users never may)"),
  404: json(errorBody, "not_found: no such import in this program"),
  409: json(
    errorBody,
    "import_open: it is still processing (complete or cancel it first); already_undone; dry_run_import: a dry run changed nothing, so there is nothing to undo; undo_unavailable: the import ran before the importer kept what imports change",
  ),
};

/** Adds the documentation above to the routes it is for; leaves the others as they are. */
export function documentImportRoutes(method: string, url: string, schema: Record<string, unknown>) {
  if (method === "POST" && url === "/v1/import/:object") return { ...schema, ...upload };
  const answers = ANSWERS[`${method} ${url}`];
  const documented = answers
    ? { ...schema, response: { ...(schema.response as object), ...answers } }
    : schema;
  if (method === "POST" && url === "/v1/imports") return { ...documented, headers: idempotencyKey };
  return documented;
}

import { z } from "zod";
import { type ColumnMapping, STORABLE_TEXT, textFault } from "../../core";
import { ApiError } from "../errors";
import { requestHash } from "../imports/idempotency";
import { MAX_COLUMNS } from "../imports/pipeline/limits";
import type { ImportOptions } from "../imports/types";
import { text } from "./text";

/**
 * The import options as requests give them: JSON in `POST /v1/imports`, query parameters or form
 * fields (text) in a CSV upload. One set of schemas, so each option means the same whichever way it
 * comes; a mapping gets its own answer (400 invalid_mapping) that shows what a mapping looks like.
 */

/** A header a mapping names, and a field it maps one to: as long as the catalogue's own allow. */
export const MAX_MAPPED_HEADER_CHARS = 500;
export const MAX_MAPPED_FIELD_CHARS = 100;
/** The furthest record a header row may be in (records above it are read and dropped). */
export const MAX_HEADER_ROW = 10_000;

export const MAPPING_EXAMPLE = '{"Email": "partner_email", "Notes": null}';

/** A flag as JSON gives it, or as a query parameter or form field spells it; absent stays undefined. */
export const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])], {
    error: "Expected true or false",
  })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === true || v === "true" || v === "1"));

/** A spreadsheet locale as Sheets names it: `en_US`, `en_GB`, `de`, `es_419`. */
export const locale = z
  .string()
  .regex(/^[a-z]{2,3}(_([A-Z]{2}|[0-9]{3}))?$/, {
    error: "locale is a spreadsheet locale like en_US or en_GB: a language, then _ and a country",
  })
  .optional()
  .meta({
    description:
      "The spreadsheet locale the values were written in (default en_US): with normalise, slash dates are read day first (18/03/2026) in locales that write them so, like en_GB",
    example: "en_GB",
  });

/** The header row's record number: a number in JSON, digits in a query parameter or form field. */
export const headerRow = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^\d{1,9}$/)
        .transform(Number),
    ],
    {
      error: `header_row is the number of the row that holds the headers: a whole number from 1 to ${MAX_HEADER_ROW}`,
    },
  )
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: "header_row is a row number: 1 for the first row" })
      .max(MAX_HEADER_ROW, { error: `header_row is at most ${MAX_HEADER_ROW}` }),
  )
  .optional()
  .meta({
    description:
      "The row (1-based record number) that holds the headers, default 1. A CSV upload skips the records above it (a title); rows keep the file's numbers in the report. In a chunked import it names the row header alerts are about.",
    anyOf: [{ type: "integer", minimum: 1, maximum: MAX_HEADER_ROW }],
    example: 2,
  });

const MAPPING_DESCRIPTION = `How the file's headers map to fields, as JSON: ${MAPPING_EXAMPLE}. Each key is a header as the file writes it (compared trimmed); each value the field it holds, or null to ignore the column (neither checked nor stored). Headers the mapping leaves out are read as usual. At most ${MAX_COLUMNS} entries; a header at most ${MAX_MAPPED_HEADER_CHARS} characters, a field at most ${MAX_MAPPED_FIELD_CHARS}. A field the object lacks is a header error (422, unknown_field); a header the file lacks is a warning (unknown_header) and the entry is not used.`;

/** A mapping as a query parameter or form field gives it: JSON text. */
export const mappingText = z.string().optional().meta({ description: MAPPING_DESCRIPTION });

/** A mapping as `POST /v1/imports` gives it: an object, or the same JSON as text. */
export const mappingValue = z
  .unknown()
  .optional()
  .meta({
    description: MAPPING_DESCRIPTION,
    anyOf: [
      { type: "object", additionalProperties: { type: ["string", "null"] } },
      { type: "string" },
      { type: "null" },
    ],
    example: { Email: "partner_email", Notes: null },
  });

const fieldName = z
  .string({ error: "the field it holds must be text (a field name), or null to ignore the column" })
  .refine((field) => field.trim() !== "", {
    error: "the field is blank; name a field, or give null to ignore the column",
  })
  .refine((field) => field.length <= MAX_MAPPED_FIELD_CHARS, {
    error: `a field name is at most ${MAX_MAPPED_FIELD_CHARS} characters`,
  })
  .refine((field) => textFault(field) === null, { error: `a field name is ${STORABLE_TEXT}` })
  .nullable();

const mappingShape = z
  .record(
    z
      .string()
      .max(MAX_MAPPED_HEADER_CHARS, { error: `a header is at most ${MAX_MAPPED_HEADER_CHARS} characters` })
      .refine((header) => textFault(header) === null, { error: `a header is ${STORABLE_TEXT}` }),
    fieldName,
    { error: "it is not a JSON object" },
  )
  .refine((mapping) => Object.keys(mapping).length <= MAX_COLUMNS, {
    error: `it has more than ${MAX_COLUMNS} entries (a file has at most ${MAX_COLUMNS} columns)`,
  })
  .superRefine((mapping, ctx) => {
    const seen = new Map<string, string>();
    for (const header of Object.keys(mapping)) {
      const first = seen.get(header.trim());
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [header],
          message: `it names the same header as the entry ${quoted(first)} (headers are compared trimmed)`,
        });
      else seen.set(header.trim(), header);
    }
  });

/** A header or value quoted in a message, cut short. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function invalidMapping(what: string): ApiError {
  return new ApiError(
    400,
    "invalid_mapping",
    `${what}. mapping must be JSON like ${MAPPING_EXAMPLE}: each header of the file as written, then the field it holds, or null to ignore the column.`,
  );
}

/**
 * A mapping as given (an object, or JSON text) checked and read; undefined when not given, null for
 * none (`null`, or empty text). Anything else wrong is 400 invalid_mapping saying what and where.
 */
export function parseMapping(raw: unknown): ColumnMapping | null | undefined {
  if (raw === undefined) return undefined;
  let value = raw;
  if (typeof raw === "string") {
    if (raw.trim() === "" || raw.trim() === "null") return null;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw invalidMapping(`The mapping is not valid JSON (${(error as Error).message})`);
    }
  }
  if (value === null) return null;
  // JSON may hold a key "__proto__", which an object cannot take back as its own.
  if (typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, "__proto__"))
    throw invalidMapping('The mapping is not valid: a header "__proto__" cannot be mapped');
  const parsed = mappingShape.safeParse(value);
  if (parsed.success) return parsed.data;
  const said = parsed.error.issues.slice(0, 3).map((issue) => {
    const message =
      issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    const header = issue.path[0];
    return typeof header === "string" ? `the entry ${quoted(header)}: ${message}` : message;
  });
  throw invalidMapping(`The mapping is not valid: ${said.join("; ")}`);
}

/**
 * Which rows are applied. Taken as text here and checked when the import starts, where its object is
 * known (transactions and rewards take only the default): 422 invalid_option naming what is allowed.
 */
export const mode = text()
  .optional()
  .meta({
    description:
      "Which rows are applied: create_and_update (default) creates and updates; create_only skips a row that matches a stored record; update_only skips a row that matches none. Each skipped row has an excluded_by_mode error saying why, and nothing is written for it. Partners, customers, leads and deals; transactions and rewards take only create_and_update (their rows only create). Another value: 422 invalid_option",
    enum: ["create_and_update", "create_only", "update_only"],
    example: "update_only",
  });

/** The options of `POST /v1/imports` (its `options`). */
export const startOptions = z.object({
  group_key: text().min(1).optional(),
  send_invites: flag,
  dry_run: flag,
  allow_repeats: flag,
  mapping: mappingValue,
  normalise: flag.meta({
    description:
      "Read common forms of a value as their canonical form (3/18/2026, $1,234.56, mailto:ADA@X.COM, Yes), each reported as a fixable warning in its row's issues; off, only canonical values are taken",
  }),
  locale,
  header_row: headerRow,
  mode,
});

/** The options of a CSV upload, as query parameters (or, the same names, form fields before the file). */
export const uploadOptions = startOptions.extend({ mapping: mappingText });

/** The names of a CSV upload's options. */
export const UPLOAD_OPTION_NAMES = Object.keys(uploadOptions.shape);

type GivenOptions = z.infer<typeof startOptions>;

/** Options as the pipeline takes them, the mapping checked and read; what was not given stays out. */
export function importOptionsOf(given: GivenOptions): Partial<ImportOptions> {
  const { mapping, ...rest } = given;
  const parsed = parseMapping(mapping);
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    ...(parsed !== undefined ? { mapping: parsed } : {}),
  };
}

/**
 * A CSV upload's options from its query and its form fields: a field's text is read as its query
 * parameter would be; an option given both ways must say the same (else 400 conflicting_options).
 */
export function uploadOptionsOf(
  query: GivenOptions,
  fields: Readonly<Record<string, unknown>>,
): Partial<ImportOptions> {
  const read = uploadOptions.extend({ mapping: mappingValue }).safeParse(fields);
  if (!read.success) {
    const issue = read.error.issues[0];
    const name = String(issue?.path[0] ?? "");
    throw new ApiError(
      400,
      "invalid_request",
      `The form field ${name}: ${issue?.message ?? "not valid"}`,
      read.error.issues,
    );
  }
  const fromQuery = importOptionsOf(query);
  const fromFields = importOptionsOf(read.data);
  for (const [name, value] of Object.entries(fromFields)) {
    const other = (fromQuery as Record<string, unknown>)[name];
    if (other !== undefined && requestHash(other) !== requestHash(value))
      throw new ApiError(
        400,
        "conflicting_options",
        `${name} is given as a query parameter (${JSON.stringify(other)}) and as a form field (${JSON.stringify(value)}); give it once, or the same both ways`,
      );
  }
  return { ...fromQuery, ...fromFields };
}

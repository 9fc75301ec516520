import { createHash } from "node:crypto";
import type { Issue } from "../../core";
import type { ApplyContext, RowResult } from "./types";

/** The import key under which a row's fingerprint is remembered for the rest of its import. */
export const FINGERPRINT_KEY = "#fingerprint";

/** Tables whose records keep a fingerprint of what they are. */
export type FingerprintedTable = "rewards" | "transactions" | "leads";

/**
 * What defines a record, as one short hash: the object and the values the catalogue names for it
 * (`repeats.fields`), the partner or customer as the row resolved it.
 */
export function fingerprint(ctx: ApplyContext, values: readonly unknown[]): string {
  return createHash("sha256")
    .update(JSON.stringify([ctx.programId, ctx.object, ...values]))
    .digest("base64url");
}

export interface Candidate {
  row: number;
  fingerprint: string;
}

export interface Repeat {
  issue: Issue;
  /** Skip the row (allow_repeats off), or import it with the issue as a warning. */
  skip: boolean;
}

/**
 * Which of these rows (about to create a record without a key of its own) repeat one that exists: a record
 * an earlier import created (`already_imported`, naming that import and its row), or an earlier row of
 * this import (`duplicate_in_file`). Takes the program's lock for the object so that two imports at once
 * cannot both create the same record.
 */
async function findRepeats(
  ctx: ApplyContext,
  table: FingerprintedTable,
  candidates: readonly Candidate[],
): Promise<Map<number, Repeat>> {
  const repeats = new Map<number, Repeat>();
  if (!candidates.length) return repeats;
  const { tx } = ctx;
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`repeats:${ctx.programId}:${ctx.object}`]);
  const allow = ctx.options.allow_repeats;
  const singular = ctx.spec.label.toLowerCase().replace(/s$/, "");
  const severity = allow ? "warning" : "error";
  const consequence = allow
    ? "it was imported again because the import allows repeats"
    : `it was skipped so that it is not ${ctx.object === "rewards" ? "paid" : "created"} twice; to import it anyway, allow repeats ("Import rows that match earlier imports", or allow_repeats=true)`;
  const issue = (row: number, code: Issue["code"], message: string): Repeat => ({
    skip: !allow,
    issue: { row, column: null, field: null, severity, code, message: `${message}; ${consequence}` },
  });

  const fingerprints = [...new Set(candidates.map((c) => c.fingerprint))];
  const { rows: earlier } = await tx.query<{
    fingerprint: string;
    import_id: string;
    import_row: number | null;
    created_at: Date;
    email: string;
  }>(
    `SELECT DISTINCT ON (t.fingerprint) t.fingerprint, t.import_id, t.import_row, i.created_at, u.email
     FROM ${table} t JOIN imports i ON i.id = t.import_id JOIN users u ON u.id = i.user_id
     WHERE t.program_id = $1 AND t.fingerprint = ANY($2::text[]) AND t.import_id <> $3::uuid
     ORDER BY t.fingerprint, t.id`,
    [ctx.programId, fingerprints, ctx.importId],
  );
  const byFingerprint = new Map(earlier.map((e) => [e.fingerprint, e]));
  const firstInChunk = new Map<string, number>();

  for (const { row, fingerprint: fp } of candidates) {
    const first = ctx.keys.firstRow(FINGERPRINT_KEY, fp) ?? firstInChunk.get(fp);
    const made = byFingerprint.get(fp);
    if (made) {
      const on = new Date(made.created_at).toISOString().slice(0, 10);
      const where = made.import_row !== null ? `, from its row ${made.import_row}` : "";
      repeats.set(
        row,
        issue(
          row,
          "already_imported",
          `This ${singular} matches one that import ${made.import_id} created on ${on} by ${made.email}${where}`,
        ),
      );
    } else if (first !== undefined && first !== row) {
      repeats.set(row, issue(row, "duplicate_in_file", `This row is the same ${singular} as row ${first}`));
    }
    if (!firstInChunk.has(fp)) firstInChunk.set(fp, row);
  }
  return repeats;
}

/**
 * The records an applier is about to create, less those that repeat one (see findRepeats): their rows'
 * results become skipped, or keep the issue as a warning when the import allows repeats. A record with a
 * key of its own (`keyed`) is known by it, and not checked. Each record has `src_row` and `fingerprint`.
 */
export async function withoutRepeats<T extends Record<string, unknown>>(
  ctx: ApplyContext,
  table: FingerprintedTable,
  records: readonly T[],
  results: Map<number, RowResult>,
  keyed: (record: T) => boolean,
): Promise<T[]> {
  const repeats = await findRepeats(
    ctx,
    table,
    records
      .filter((r) => !keyed(r))
      .map((r) => ({ row: r.src_row as number, fingerprint: r.fingerprint as string })),
  );
  return records.filter((record) => {
    const row = record.src_row as number;
    const repeat = repeats.get(row);
    if (!repeat) return true;
    if (repeat.skip)
      results.set(row, { row, outcome: "skipped", object_key: null, issues: [repeat.issue], repeat: true });
    else {
      const result = results.get(row) as RowResult;
      result.issues.push(repeat.issue);
      result.repeat = true;
    }
    return !repeat.skip;
  });
}

import type { CheckedRow, ColumnMapping, Issue, ObjectName, ObjectSpec, ProgramCatalogue } from "../../core";
import type { Queryable } from "../db/database";
import type { ImportKeys } from "./pipeline/importKeys";

export interface ImportOptions {
  group_key: string | null;
  send_invites: boolean;
  dry_run: boolean;
  /** Import rows that match records an earlier import created (off: they are skipped as already_imported). */
  allow_repeats: boolean;
  /** The file's headers read as fields (`{"Email": "partner_email", "Notes": null}`; null ignores a column), or null. */
  mapping: ColumnMapping | null;
  /** Read common forms of a value (`3/18/2026`, `mailto:…`) as their canonical form, each reported as `fixable`. */
  normalise: boolean;
  /** The spreadsheet locale the values were written in (`en_US`, `en_GB`): with normalise, whether slash dates are day first. */
  locale: string;
  /** The record (1-based) that holds the headers: a CSV upload skips the records above it (a title). */
  header_row: number;
  /**
   * Which rows are applied: all (`create_and_update`), only those that create a record (`create_only`),
   * only those that update one (`update_only`); a row the mode excludes is skipped, saying why.
   * Partners, customers, leads and deals; transactions and rewards are only ever created.
   */
  mode: ImportMode;
}

export type ImportMode = "create_and_update" | "create_only" | "update_only";

/** A field a row changes (or, in a dry run, would change) on the record it updates: stored → new. */
export interface FieldChange {
  /** The import's field name (`partner_email`, `region`), as the template's headers name it. */
  field: string;
  from: unknown;
  to: unknown;
}

export type Outcome = "created" | "updated" | "skipped";

/** What became of one row. */
export interface RowResult {
  row: number;
  outcome: Outcome;
  object_key: string | null;
  issues: Issue[];
  /** Rewards: the USD cents issued (or that a dry run would issue). */
  amount_usd_cents?: number;
  /** The row matched a record an earlier import created, or an earlier row of its import. */
  repeat?: boolean;
  /** An updated row: each field whose stored value it changed (dry run: would change), stored → new. */
  changes?: FieldChange[];
  /** The fingerprint of the record the row created (kept by the pipeline for the rest of the import). */
  fingerprint?: string;
}

/**
 * How an object's stored records read as the import's fields, to name the fields a row changes: the
 * table, the column that holds the key a row's result names (object_key), and each column a row sets,
 * by the field that sets it. Two columns are read apart: `fields` (custom or form fields, each under its
 * own name) and `partner_id` (as the partner's key). A column not listed is the service's own (a
 * fingerprint, the import's group), never shown as a change.
 */
export interface StoredAs {
  table: "partners" | "customers" | "leads" | "deals";
  keyColumn: string;
  fieldOf: Readonly<Record<string, string>>;
}

export interface ApplyContext {
  tx: Queryable;
  programId: number;
  program: ProgramCatalogue;
  object: ObjectName;
  spec: ObjectSpec;
  importId: string;
  /** The keys the import's earlier chunks took (their fingerprints among them). */
  keys: ImportKeys;
  options: ImportOptions;
  /** The column (1-based) that holds a field in this import, if any. */
  column(field: string): number | null;
}

/**
 * Applies an object's rows that passed every check of `src/core`, against the program's stored data,
 * with a bounded number of set-based statements whatever the number of rows. Returns one result per
 * row given, with only the issues it found itself (the pipeline adds the row's own warnings).
 */
export type Applier = (ctx: ApplyContext, rows: readonly CheckedRow[]) => Promise<RowResult[]>;

/** An issue about a row's cell, found against stored data. */
export function rowIssue(
  ctx: ApplyContext,
  row: number,
  field: string,
  code: Issue["code"],
  message: string,
  severity: Issue["severity"] = "error",
): Issue {
  return { row, column: ctx.column(field), field, severity, code, message };
}

export const skipped = (row: number, issues: Issue[]): RowResult => ({
  row,
  outcome: "skipped",
  object_key: null,
  issues,
});

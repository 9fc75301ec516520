/** A finding about a header or a cell. `row` and `column` are 1-based, as a spreadsheet counts them. */
export interface Issue {
  row: number;
  /** The cell's column; null for a header alert about a column that is not there. */
  column: number | null;
  field: string | null;
  severity: Severity;
  code: IssueCode;
  message: string;
  /** A replacement the user probably meant (a header's "did you mean"), when there is one. */
  suggestion?: string;
  /**
   * A cell in a common form of a value (`3/18/2026`, `$1,234.56`, `Open`, `yes`, `mailto:…`) and its
   * canonical form: `from` as the cell held it, `to` what the importer reads (code `fixable`).
   */
  fix?: CellFix;
}

/** A cell's value and the canonical value a fix writes in its place. */
export interface CellFix {
  from: string | number | boolean;
  to: string | number | boolean;
}

export type Severity = "error" | "warning";

export type IssueCode =
  // header alerts
  | "missing_column"
  | "unknown_header"
  | "header_renamed"
  | "duplicate_header"
  | "blank_header"
  | "invalid_metadata_key"
  | "too_many_metadata_columns"
  | "exclusive_columns"
  | "missing_optional_column"
  /** A mapping names a field the object does not have. */
  | "unknown_field"
  // cells and rows
  | "required"
  | "one_of_required"
  | "mutually_exclusive"
  | "invalid_email"
  | "invalid_date"
  | "invalid_timestamp"
  | "invalid_amount"
  | "invalid_decimal_places"
  | "invalid_number"
  | "invalid_boolean"
  | "invalid_choice"
  | "invalid_case"
  | "invalid_currency"
  | "invalid_key"
  /** The cell holds a NUL character or a broken character: text that cannot be stored. */
  | "invalid_text"
  | "invalid_metadata_value"
  | "too_long"
  | "too_short"
  | "duplicate_in_file"
  /** A key or postal code Sheets holds as a number (typed into an Automatic column): a warning. */
  | "number_in_text_column"
  | "ignored_value"
  /** A common form of a value, read as its canonical form (the issue's `fix`): a warning. */
  | "fixable"
  // checks against the program's stored data (service only)
  | "unknown_partner"
  | "partner_conflict"
  | "partner_in_other_group"
  | "customer_not_found"
  | "customer_conflict"
  | "transaction_exists"
  | "reward_exists"
  /** The row matches a record an earlier import created (its fingerprint): skipped unless allow_repeats. */
  | "already_imported"
  /** The row's number was already applied in another chunk of this import. */
  | "row_already_sent"
  | "target_not_found"
  | "unknown_currency_rate"
  | "partner_email_required"
  /** A row matched a partner by partner_key and changes (dry run: would change) its email: a warning. */
  | "email_changed"
  /** The import's mode excludes the row (create_only: the record exists; update_only: it does not). */
  | "excluded_by_mode"
  | "internal_error";

export function hasErrors(issues: readonly Issue[]): boolean {
  for (const issue of issues) if (issue.severity === "error") return true;
  return false;
}

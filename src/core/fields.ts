/** How a column's cells are read and checked. */
export type FieldType =
  | "text"
  | "key"
  | "email"
  | "date"
  /** An integer amount in cents; may be negative unless `min` says otherwise. */
  | "cents"
  /** A decimal amount in dollars with at most 2 decimals. */
  | "dollars"
  | "number"
  | "boolean"
  | "choice"
  | "currency"
  | "tags"
  /** Epoch milliseconds or YYYY-MM-DD (rewards' created_at). */
  | "timestamp"
  /** A transaction's `metadata.<key>` column: empty, text of at most 100 characters, or a number. */
  | "metadata";

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly required?: boolean;
  /** Fields sharing a `oneOf` name: each row fills at least one of them (exactly one when `exclusive`). */
  readonly oneOf?: string;
  readonly exclusive?: boolean;
  /** Allowed values of a choice. */
  readonly options?: readonly string[];
  /** A choice whose values must match in case too; otherwise a value in another case is taken as the option. */
  readonly caseSensitive?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Read as the text the cell displays (keys, postal codes), so `02134` keeps its zero. */
  readonly asText?: boolean;
  /** A value may appear in one row only of an import. */
  readonly unique?: boolean;
  /** Where the field comes from, when not the base catalogue. */
  readonly source?: "partner_field" | "lead_field" | "metadata";
  /** For a custom field required only when a partner is created (partners are upserted). */
  readonly requiredOnCreate?: boolean;
  /** False for the second column of an exclusive pair: a template holds one of the two, so it raises no alert. */
  readonly inTemplate?: boolean;
  readonly example: string;
  readonly description: string;
}

export const TYPE_LABELS: Record<FieldType, string> = {
  text: "text",
  key: "key (text)",
  email: "email address",
  date: "date (YYYY-MM-DD)",
  cents: "whole number of cents",
  dollars: "amount in dollars (at most 2 decimals)",
  number: "number",
  boolean: "true or false",
  choice: "one of a list",
  currency: "ISO 4217 currency code",
  tags: "comma-separated tags",
  timestamp: "epoch milliseconds or YYYY-MM-DD",
  metadata: "text (at most 100 characters) or a number",
};

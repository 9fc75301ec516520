import { METADATA_PREFIX } from "./catalogue";
import { type Fixer, type FixOptions, fixerFor, type ProposedFix } from "./fixes";
import { type ColumnPlan, columnLetter, type HeaderPlan } from "./headers";
import type { Issue, IssueCode, Severity } from "./issues";
import { KeyIndex } from "./keyIndex";
import { textFault } from "./text";
import { type CellReader, cellReader, type DateFormatter, isBlank, quote, utcDateFormatter } from "./values";

/** One row as read: its normalised values, and what is wrong with it. */
export interface CheckedRow {
  readonly row: number;
  /** Values by field (blank and unreadable cells absent); `metadata` holds a transaction's metadata by key. */
  readonly record: Record<string, unknown>;
  readonly issues: readonly Issue[];
  /** No error: the row may be imported. */
  readonly ok: boolean;
  /** Every cell is blank. */
  readonly blank: boolean;
}

export interface RowCheckerOptions {
  /**
   * How `Date` cells become `YYYY-MM-DD`: in the spreadsheet's time zone (the add-on passes Apps
   * Script's `Utilities.formatDate`, the service and tests `dateFormatter`); UTC when not given.
   */
  formatDate?: DateFormatter;
  /** How many rows are coming, when known: sizes the memory of keys seen, to flag duplicates. */
  expectedRows?: number;
  /**
   * The first row a unique field's key is in, when the caller knows the whole sheet (onEdit checks a
   * few rows against keys read from every row); by default the checker remembers the rows it checked.
   */
  firstRowOf?: (field: string, key: string, row: number) => number;
  /**
   * Read common forms of a value (`3/18/2026`, `$1,234.56`, `Open`) as their canonical form, each with
   * a `fixable` warning that carries the fix. Without it only canonical values are taken.
   */
  normalise?: boolean | FixOptions;
}

/**
 * Fields whose values are text that may look like a number (keys, postal codes): a number in such a
 * cell was typed into an Automatic column, and Sheets may have dropped its leading zeros.
 */
const TEXT_ONLY_FIELDS: ReadonlySet<string> = new Set([
  "partner_key",
  "customer_key",
  "key",
  "external_key",
  "target_key",
  "shipping_address_postal",
  "postal",
]);

/** The duplicate's message, as the checker writes it (onEdit compares it with a cell's note). */
export function duplicateMessage(field: string, key: string, firstRow: number, singular: string): string {
  return `${field} ${quote(key)} is also in row ${firstRow}; a ${singular} can be in one row of an import only`;
}

/** Whether a line of a message is a duplicate's (any field, any row). */
export function isDuplicateMessage(line: string): boolean {
  return / is also in row \d+; a .+ can be in one row of an import only$/.test(line);
}

/** "partner" for partners: how messages name one row's object. */
export function singularOf(plan: HeaderPlan): string {
  return plan.spec.label.toLowerCase().replace(/s$/, "");
}

/** A unique column of a plan, and its key as the checker compares it (undefined: no key there). */
export interface KeyColumn {
  readonly index: number;
  readonly column: number;
  readonly field: string;
  key(raw: unknown): string | undefined;
}

export function keyColumns(plan: HeaderPlan, formatDate: DateFormatter = utcDateFormatter()): KeyColumn[] {
  return plan.columns
    .filter((c) => c.field.unique)
    .map((c) => {
      const read = cellReader(c.field, formatDate);
      return {
        index: c.index,
        column: c.column,
        field: c.field.name,
        key(raw: unknown) {
          if (isBlank(raw) || (typeof raw === "string" && textFault(raw) !== null)) return undefined;
          let refused = false;
          const value = read(raw, (_code, _message, severity = "error") => {
            if (severity === "error") refused = true;
          });
          return !refused && typeof value === "string" ? value : undefined;
        },
      };
    });
}

/** Checks rows one at a time; remembers keys it has seen, to flag duplicates within one import. */
export interface RowChecker {
  check(row: number, cells: readonly unknown[]): CheckedRow;
}

interface CompiledColumn {
  readonly index: number;
  readonly column: number;
  readonly name: string;
  readonly required: boolean;
  readonly read: CellReader;
  readonly metadataKey: string | null;
  readonly unique: boolean;
  readonly seen: KeyIndex | null;
  /** A number here is flagged: the column should be plain text. */
  readonly textOnly: boolean;
  /** Common forms of this column's values, when the checker normalises. */
  readonly fix: Fixer | null;
  /** Without normalising: the same forms, to name a refused cell's canonical value as its suggestion. */
  readonly suggest: Fixer | null;
}

/** What became of a cell in the row being checked. */
const BLANK = 0;
const READ = 1;
const REFUSED = 2;

const NO_ISSUES: readonly Issue[] = Object.freeze([]);

/** Reads a row's values by field name, for rules across cells. */
type Values = (field: string) => unknown;
type RowRule = (
  value: Values,
  issue: (field: string, code: IssueCode, message: string, severity?: Severity) => void,
) => void;

/** Prepares a checker for the columns a header plan found. Per row it allocates only for what it finds. */
export function createRowChecker(plan: HeaderPlan, options: RowCheckerOptions = {}): RowChecker {
  const formatDate = options.formatDate ?? utcDateFormatter();
  const singular = singularOf(plan);
  const firstRowOf = options.firstRowOf;
  const fixOptions: FixOptions | null =
    options.normalise === true ? {} : options.normalise ? options.normalise : null;
  const columns: CompiledColumn[] = plan.columns.map((c: ColumnPlan) => ({
    index: c.index,
    column: c.column,
    name: c.field.name,
    required: c.field.required === true,
    read: cellReader(c.field, formatDate),
    metadataKey: c.field.source === "metadata" ? c.field.name.slice(METADATA_PREFIX.length) : null,
    unique: c.field.unique === true,
    seen: c.field.unique && !firstRowOf ? new KeyIndex(options.expectedRows) : null,
    textOnly: TEXT_ONLY_FIELDS.has(c.field.name),
    fix: fixOptions ? fixerFor(c.field, fixOptions) : null,
    suggest: fixOptions ? null : fixerFor(c.field),
  }));
  const n = columns.length;
  const slotOf = new Map(columns.map((c, k) => [c.name, k]));
  const oneOf = plan.spec.oneOfGroups
    .map((g) => ({
      names: g.fields.join(" or "),
      exclusive: g.exclusive,
      slots: g.fields.map((f) => slotOf.get(f)).filter((k): k is number => k !== undefined),
    }))
    .filter((g) => g.slots.length > 0);
  const rules = ROW_RULES[plan.spec.object] ?? [];
  const recordFields = columns
    .map((c, slot) => ({ name: c.name, slot, metadata: c.metadataKey !== null }))
    .filter((f) => !f.metadata);

  // State of the row being checked; the checker is not re-entrant.
  const state = new Uint8Array(n);
  let values: unknown[] = [];
  let issues: Issue[] | null = null;
  let errors = 0;
  let row = 0;
  let current = 0;

  const push = (column: number, field: string, severity: Severity, code: IssueCode, message: string) => {
    if (issues === null) issues = [];
    issues.push({ row, column, field, severity, code, message });
    if (severity === "error") errors++;
  };
  const report = (code: IssueCode, message: string, severity: Severity = "error") => {
    const c = columns[current] as CompiledColumn;
    if (severity === "error") state[current] = REFUSED;
    push(c.column, c.name, severity, code, message);
  };
  const valueIn: Values = (field) => {
    const k = slotOf.get(field);
    return k === undefined ? undefined : values[k];
  };
  const ruleIssue = (field: string, code: IssueCode, message: string, severity: Severity = "error") => {
    const k = slotOf.get(field) ?? 0;
    if (severity === "error" && state[k] === REFUSED) return; // that cell has its own error already
    push((columns[k] as CompiledColumn).column, field, severity, code, message);
  };

  /** A key or postal code Sheets holds as a number: it may have lost leading zeros. */
  const numberInTextColumn = (c: CompiledColumn, raw: number) => {
    const letter = columnLetter(c.column);
    push(
      c.column,
      c.name,
      "warning",
      "number_in_text_column",
      `${c.name} ${quote(raw)} is held by Sheets as a number, so leading zeros may be lost (02134 becomes 2134): format column ${letter} as plain text (Format > Number > Plain text) and retype the values that had them`,
    );
  };

  /** A cell in a common form of a value: read as its canonical form, and said so with the fix. */
  const fixable = (c: CompiledColumn, raw: unknown, fixed: ProposedFix) => {
    if (issues === null) issues = [];
    const from = typeof raw === "number" || typeof raw === "boolean" ? raw : String(raw);
    issues.push({
      row,
      column: c.column,
      field: c.name,
      severity: "warning",
      code: "fixable",
      message: `${c.name} ${quote(from)} ${fixed.says}`,
      fix: { from, to: fixed.to },
    });
  };

  /** A refused cell in a common form of a value: its error names the canonical value as a suggestion. */
  const suggestFix = (c: CompiledColumn, raw: unknown, from: number) => {
    const fixed = c.suggest?.(raw);
    if (fixed === undefined || issues === null) return;
    const list: Issue[] = issues;
    for (let i = from; i < list.length; i++) {
      const issue = list[i] as Issue;
      if (issue.severity === "error") list[i] = { ...issue, suggestion: String(fixed.to) };
    }
  };

  return {
    check(rowNumber, cells) {
      row = rowNumber;
      issues = null;
      errors = 0;
      values = new Array(n);
      const unreadable = textIssues(row, cells, columns);
      if (unreadable) return new Checked(row, values, columns, recordFields, unreadable, false, false);
      let blank = true;
      for (let k = 0; k < n; k++) {
        const c = columns[k] as CompiledColumn;
        const raw = cells[c.index];
        if (isBlank(raw)) {
          state[k] = BLANK;
          continue;
        }
        blank = false;
        state[k] = READ;
        current = k;
        const fixed = c.fix === null ? undefined : c.fix(raw);
        if (fixed !== undefined) fixable(c, raw, fixed);
        const before = issues === null ? 0 : (issues as Issue[]).length;
        const value = c.read(fixed === undefined ? raw : fixed.to, report);
        if (value !== undefined) values[k] = value;
        else {
          state[k] = REFUSED;
          if (c.suggest !== null) suggestFix(c, raw, before);
        }
        if (c.textOnly && typeof raw === "number") numberInTextColumn(c, raw);
      }
      if (blank) return new Checked(row, values, columns, recordFields, NO_ISSUES, true, true);

      for (let k = 0; k < n; k++) {
        const c = columns[k] as CompiledColumn;
        if (c.required && state[k] === BLANK)
          push(c.column, c.name, "error", "required", `${c.name} is required for every ${singular}`);
      }
      for (const g of oneOf) {
        let filled = 0;
        let refused = false;
        let second = -1;
        for (const k of g.slots) {
          if (state[k] === READ) {
            filled++;
            if (filled === 2) second = k;
          } else if (state[k] === REFUSED) refused = true;
        }
        if (filled === 0 && !refused) {
          const c = columns[g.slots[0] as number] as CompiledColumn;
          push(
            c.column,
            c.name,
            "error",
            "one_of_required",
            g.exclusive ? `Fill one of ${g.names}` : `Fill ${g.names} (at least one)`,
          );
        } else if (g.exclusive && second >= 0) {
          const c = columns[second] as CompiledColumn;
          push(c.column, c.name, "error", "mutually_exclusive", `Fill ${g.names}, not both`);
        }
      }
      for (const rule of rules) rule(valueIn, ruleIssue);
      for (let k = 0; k < n; k++) {
        const c = columns[k] as CompiledColumn;
        const value = values[k];
        if (typeof value !== "string") continue;
        let first = row;
        if (c.seen !== null) first = c.seen.firstRow(value, row);
        else if (firstRowOf && c.unique) first = firstRowOf(c.name, value, row);
        if (first !== row)
          push(
            c.column,
            c.name,
            "error",
            "duplicate_in_file",
            duplicateMessage(c.name, value, first, singular),
          );
      }
      return new Checked(row, values, columns, recordFields, issues ?? NO_ISSUES, errors === 0, false);
    },
  };
}

/**
 * A row with an imported cell that holds text that cannot be stored: one error per such cell, and the
 * row is skipped whole, its values never quoted or written.
 */
function textIssues(
  row: number,
  cells: readonly unknown[],
  columns: readonly CompiledColumn[],
): Issue[] | null {
  let issues: Issue[] | null = null;
  for (const c of columns) {
    const cell = cells[c.index];
    const fault = typeof cell === "string" ? textFault(cell) : null;
    if (fault === null) continue;
    if (issues === null) issues = [];
    issues.push({
      row,
      column: c.column,
      field: c.name,
      severity: "error",
      code: "invalid_text",
      message: `${c.name} holds ${fault}, which cannot be stored; retype the cell`,
    });
  }
  return issues;
}

/** A checked row; its record is built when asked for, as validating alone does not need it. */
class Checked implements CheckedRow {
  // `private`, not `#`: the add-on's bundle targets ES2020, where a `#` field is a WeakMap entry a row.
  private built: Record<string, unknown> | null = null;
  constructor(
    readonly row: number,
    private readonly values: readonly unknown[],
    private readonly columns: readonly CompiledColumn[],
    private readonly recordFields: readonly { name: string; slot: number }[],
    readonly issues: readonly Issue[],
    readonly ok: boolean,
    readonly blank: boolean,
  ) {}

  get record(): Record<string, unknown> {
    if (this.built) return this.built;
    const record: Record<string, unknown> = {};
    for (const { name, slot } of this.recordFields)
      if (this.values[slot] !== undefined) record[name] = this.values[slot];
    const metadata: Record<string, unknown> = {};
    let hasMetadata = false;
    this.columns.forEach((c, k) => {
      if (c.metadataKey === null || this.values[k] === undefined) return;
      metadata[c.metadataKey] = this.values[k];
      hasMetadata = true;
    });
    if (hasMetadata) record.metadata = metadata;
    this.built = record;
    return record;
  }

  toJSON() {
    return { row: this.row, record: this.record, issues: this.issues, ok: this.ok, blank: this.blank };
  }
}

/** Rules across a row's cells that the field list cannot say on its own. */
const ROW_RULES: Partial<Record<string, readonly RowRule[]>> = {
  rewards: [
    (value, issue) => {
      const type = value("target_type");
      const key = value("target_key");
      if (type !== undefined && key === undefined)
        issue(
          "target_key",
          "required",
          `target_key is required when target_type is ${quote(type)}: the ${String(type)}'s key`,
        );
      if (key !== undefined && type === undefined)
        issue(
          "target_type",
          "required",
          "target_type is required when target_key is given: customer or transaction",
        );
    },
    (value, issue) => {
      const status = value("status");
      if (value("decline_reason") !== undefined && status !== "declined")
        issue(
          "decline_reason",
          "ignored_value",
          `decline_reason is shown only for a declined reward; this one's status is ${quote(status ?? "pending")}`,
          "warning",
        );
    },
  ],
};

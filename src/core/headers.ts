import { MAX_METADATA_COLUMNS, METADATA_KEY_PATTERN, METADATA_PREFIX } from "./catalogue";
import type { FieldDef } from "./fields";
import type { Issue, IssueCode, Severity } from "./issues";
import type { ObjectSpec } from "./spec";
import { closest, foldHeader } from "./suggest";

/** A column of the sheet that maps to a field. */
export interface ColumnPlan {
  /** 0-based index into a row's cells. */
  readonly index: number;
  /** 1-based column number, as issues give it. */
  readonly column: number;
  readonly header: string;
  readonly field: FieldDef;
}

/** What the header row says: which column holds which field, and the alerts about it. */
export interface HeaderPlan {
  readonly spec: ObjectSpec;
  readonly headerRow: number;
  readonly columns: readonly ColumnPlan[];
  readonly alerts: readonly Issue[];
  /** An error among the alerts: nothing may be imported until the header row is fixed. */
  readonly blocked: boolean;
  /** Columns a mapping ignores, and results columns (1-based): neither checked nor imported. */
  readonly ignored: readonly number[];
}

/**
 * How a sheet's own headers map to an object's fields: `{"<header as written>": "<field>" | null}`,
 * null ignoring the column (neither checked nor imported). Keys are compared trimmed; a header the
 * mapping does not name is read as usual (exact name, renamed, alias). The service takes the same JSON.
 */
export type ColumnMapping = Readonly<Record<string, string | null>>;

export interface HeaderOptions {
  /** The header's row number (1 unless the sheet has rows above it). */
  headerRow?: number;
  /** The person's mapping of this sheet's headers to fields. */
  mapping?: ColumnMapping | null;
  /** Whether any cell below the header in a column (0-based) holds data; a blank header over data is an error. */
  columnHasData?: (index: number) => boolean;
}

/**
 * The columns the add-on writes at a sheet's right after an import (each row's outcome and when, and
 * the key the importer gave it). Whoever reads the sheet next (Validate, onEdit, a mapping, a later
 * import, a CSV export of it uploaded to the REST API) ignores them, as a column mapped to null is
 * ignored, unless a mapping names them as a field.
 */
export const RESULTS_HEADERS = { status: "Import status", key: "Imported key" } as const;

/** Whether a header (as written, trimmed or not) is one of RESULTS_HEADERS. */
export function isResultsHeader(header: unknown): boolean {
  const text = headerText(header);
  return text === RESULTS_HEADERS.status || text === RESULTS_HEADERS.key;
}

/** A1 column letters for a 1-based column number. */
export function columnLetter(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Reads a header row against an object's spec. */
export function analyseHeaders(
  spec: ObjectSpec,
  headers: readonly unknown[],
  options: HeaderOptions = {},
): HeaderPlan {
  const headerRow = options.headerRow ?? 1;
  const hasData = options.columnHasData ?? (() => false);
  const alerts: Issue[] = [];
  const columns: ColumnPlan[] = [];
  const seen = new Map<string, number>();
  const alert = (
    column: number | null,
    field: string | null,
    severity: Severity,
    code: IssueCode,
    message: string,
    suggestion?: string,
  ) =>
    alerts.push({
      row: headerRow,
      column,
      field,
      severity,
      code,
      message,
      ...(suggestion ? { suggestion } : {}),
    });
  let metadataColumns = 0;
  const label = spec.label.toLowerCase();
  const mapping = mappingByHeader(options.mapping);
  const ignored: number[] = [];

  headers.forEach((raw, index) => {
    const column = index + 1;
    const at = `column ${columnLetter(column)}`;
    const header = headerText(raw);
    const mapped = mapping.get(header);
    if (mapped === null || (mapped === undefined && isResultsHeader(header))) {
      ignored.push(column);
      return;
    }
    if (header === "") {
      if (hasData(index))
        alert(
          column,
          null,
          "error",
          "blank_header",
          `${at} has data but no header; name it or delete the column`,
        );
      return;
    }

    if (mapped !== undefined && !spec.byName.has(mapped) && !mapped.startsWith(METADATA_PREFIX)) {
      alert(
        column,
        null,
        "error",
        "unknown_field",
        `${at}: the mapping reads "${header}" as ${mapped}, which is not a ${label} field`,
        closest(mapped, spec.byName.keys()),
      );
      return;
    }
    const name = mapped ?? header;
    let field = spec.byName.get(name);
    if (!field && name.toLowerCase().startsWith(METADATA_PREFIX)) {
      const key = name.slice(METADATA_PREFIX.length);
      if (!spec.metadata) {
        alert(
          column,
          null,
          "error",
          "unknown_header",
          `${at}: metadata columns are for transactions only, not ${label}`,
        );
        return;
      }
      if (!METADATA_KEY_PATTERN.test(key)) {
        alert(
          column,
          name,
          "error",
          "invalid_metadata_key",
          `${at}: the metadata key "${key}" must be 1 to 30 letters, digits or _`,
        );
        return;
      }
      metadataColumns++;
      field = {
        name: `${METADATA_PREFIX}${key}`,
        type: "metadata",
        source: "metadata",
        example: "",
        description: `Metadata ${key}`,
      };
    }

    if (!field) {
      const folded = foldHeader(header);
      const renamed = spec.byName.get(folded);
      if (renamed) {
        field = renamed;
        alert(
          column,
          renamed.name,
          "warning",
          "header_renamed",
          `${at}: "${header}" is read as ${renamed.name}`,
          renamed.name,
        );
      } else {
        const alias = spec.aliases[folded];
        const meant = alias && spec.byName.has(alias) ? alias : closest(folded, spec.byName.keys());
        const otherGroup = spec.otherGroupFields.get(folded);
        const message = otherGroup
          ? `${at}: "${header}" is a lead form field of the group ${otherGroup}, not of ${spec.group?.name ?? "this group"}`
          : meant
            ? `${at}: "${header}" is not a ${label} header. Did you mean ${meant}?`
            : `${at}: "${header}" is not a ${label} header; rename it to one of the template's headers or delete the column`;
        alert(column, null, "error", "unknown_header", message, meant);
        return;
      }
    }

    const first = seen.get(field.name);
    if (first !== undefined) {
      alert(
        column,
        field.name,
        "error",
        "duplicate_header",
        `${field.name} is in columns ${columnLetter(first)} and ${columnLetter(column)}; keep one`,
      );
      return;
    }
    seen.set(field.name, column);
    columns.push({ index, column, header, field });
  });

  for (const field of spec.fields) {
    if (seen.has(field.name)) continue;
    if (field.required)
      alert(null, field.name, "error", "missing_column", `The required column ${field.name} is missing`);
    else if (field.requiredOnCreate)
      alert(
        null,
        field.name,
        "warning",
        "missing_optional_column",
        `There is no ${field.name} column; it is required for new ${label}, so rows that would create one are skipped`,
      );
  }
  for (const group of spec.oneOfGroups) {
    const present = group.fields.filter((f) => seen.has(f));
    const names = group.fields.join(" or ");
    if (present.length === 0)
      alert(
        null,
        group.fields[0] ?? null,
        "error",
        "one_of_required",
        `A column ${names} is required; there is neither`,
      );
    else if (group.exclusive && present.length > 1)
      alert(
        seen.get(present[1] ?? "") ?? null,
        present[1] ?? null,
        "warning",
        "exclusive_columns",
        `Both ${names} are columns: each row must fill exactly one of them`,
      );
  }
  if (metadataColumns > MAX_METADATA_COLUMNS)
    alert(
      null,
      null,
      "error",
      "too_many_metadata_columns",
      `There are ${metadataColumns} metadata columns; a transaction takes at most ${MAX_METADATA_COLUMNS}`,
    );

  return {
    spec,
    headerRow,
    columns,
    alerts,
    blocked: alerts.some((a) => a.severity === "error"),
    ignored,
  };
}

/** A header cell's text as the importer compares headers: trimmed, "" for an empty cell. */
export function headerText(raw: unknown): string {
  return raw === null || raw === undefined ? "" : String(raw).trim();
}

/** A mapping by trimmed header, its fields trimmed (anything but a field name ignores the column). */
export function mappingByHeader(mapping: ColumnMapping | null | undefined): Map<string, string | null> {
  const byHeader = new Map<string, string | null>();
  if (!mapping) return byHeader;
  for (const [header, field] of Object.entries(mapping))
    byHeader.set(header.trim(), typeof field === "string" ? field.trim() : null);
  return byHeader;
}

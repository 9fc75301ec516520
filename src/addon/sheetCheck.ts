/** The core checks run over a sheet's values: the header row, then every row below it. */
import { analyseHeaders, type ColumnMapping, type HeaderPlan } from "../core/headers";
import type { Issue } from "../core/issues";
import { createRowChecker } from "../core/rows";
import type { ObjectSpec } from "../core/spec";
import type { DateFormatter } from "../core/values";
import type { Finding } from "./contract";
import { a1, columnHasData, isBlankRow } from "./sheetTable";

/** How many findings travel to the sidebar; the sheet's highlights show them all. */
export const MAX_FINDINGS = 300;

export interface SheetCheck {
  plan: HeaderPlan;
  /** Header alerts, then every row's issues in sheet order. */
  issues: Issue[];
  rows: number;
  rowsWithErrors: number;
  errors: number;
  warnings: number;
}

/** How the add-on reads a sheet: its headers through the mapping in use, values in the locale's forms. */
export interface ReadOptions {
  mapping: ColumnMapping | null;
  /** Slash dates read day first (the spreadsheet's locale). */
  dayFirst: boolean;
}

/** Checks the header row at `headerIndex` and, unless it blocks, every non-blank row under it. */
export function checkSheet(
  spec: ObjectSpec,
  values: readonly unknown[][],
  headerIndex: number,
  formatDate: DateFormatter,
  read: ReadOptions = { mapping: null, dayFirst: false },
): SheetCheck {
  const headerRow = headerIndex + 1;
  const plan = headerPlanOf(spec, values, headerIndex, read.mapping);
  const issues: Issue[] = [...plan.alerts];
  const result: SheetCheck = { plan, issues, rows: 0, rowsWithErrors: 0, errors: 0, warnings: 0 };
  for (const alert of plan.alerts) count(result, alert);
  if (plan.blocked) return result;
  const checker = createRowChecker(plan, {
    formatDate,
    expectedRows: values.length - headerRow,
    normalise: { dayFirst: read.dayFirst },
  });
  for (let i = headerIndex + 1; i < values.length; i++) {
    const cells = values[i] as unknown[];
    if (isBlankRow(cells)) continue;
    const checked = checker.check(i + 1, cells);
    result.rows++;
    if (!checked.ok) result.rowsWithErrors++;
    for (const issue of checked.issues) {
      issues.push(issue);
      count(result, issue);
    }
  }
  return result;
}

/**
 * The header row at `headerIndex` read against the spec through a mapping; a blank header over data is
 * an error.
 */
export function headerPlanOf(
  spec: ObjectSpec,
  values: readonly unknown[][],
  headerIndex: number,
  mapping: ColumnMapping | null,
): HeaderPlan {
  return analyseHeaders(spec, values[headerIndex] ?? [], {
    headerRow: headerIndex + 1,
    mapping,
    columnHasData: columnHasData(values, headerIndex),
  });
}

function count(result: SheetCheck, issue: Issue): void {
  if (issue.severity === "error") result.errors++;
  else result.warnings++;
}

export function toFinding(sheetId: number, issue: Issue): Finding {
  return {
    sheetId,
    row: issue.row,
    column: issue.column,
    a1: issue.column === null ? null : a1(issue.row, issue.column),
    field: issue.field,
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    ...(issue.suggestion ? { suggestion: issue.suggestion } : {}),
  };
}

import type { Issue } from "../../../core";
import type { RowResult } from "../types";

/**
 * More rows of one chunk than this with the same issue in the same column (same code, same message):
 * the issue is reported once for the column. A column whose every cell holds the same bad value
 * would otherwise repeat one long message on every row of the answer and of the report.
 */
export const REPEATS_BEFORE_COLLAPSE = 10;
/** The rows a column-level issue names. */
const FIRST_ROWS = 5;

/** One issue that many rows of a chunk share in one column, said once. */
export interface ColumnIssue {
  column: number | null;
  field: string | null;
  severity: Issue["severity"];
  code: Issue["code"];
  message: string;
  /** How many rows of the chunk have it. */
  rows: number;
  first_rows: number[];
}

/**
 * Says each issue repeated on more than REPEATS_BEFORE_COLLAPSE rows once: the first row keeps the
 * whole message, every other row keeps the issue (its code, column and severity, so it is still
 * skipped, flagged and highlighted) with a short message pointing at that first row. Returns the
 * column-level issues; the results' issue lists are changed in place.
 */
export function collapseRepeatedIssues(results: readonly RowResult[]): ColumnIssue[] {
  const groups = new Map<string, { result: RowResult; at: number }[]>();
  for (const result of results)
    result.issues.forEach((issue, at) => {
      const key = JSON.stringify([issue.column, issue.field, issue.code, issue.severity, issue.message]);
      const group = groups.get(key);
      if (group) group.push({ result, at });
      else groups.set(key, [{ result, at }]);
    });
  const collapsed: ColumnIssue[] = [];
  for (const group of groups.values()) {
    if (group.length <= REPEATS_BEFORE_COLLAPSE) continue;
    const issueOf = ({ result, at }: { result: RowResult; at: number }) => result.issues[at] as Issue;
    const first = issueOf(group[0] as { result: RowResult; at: number });
    collapsed.push({
      column: first.column,
      field: first.field,
      severity: first.severity,
      code: first.code,
      message: first.message,
      rows: group.length,
      first_rows: group.slice(0, FIRST_ROWS).map(({ result }) => result.row),
    });
    for (const place of group.slice(1))
      place.result.issues[place.at] = {
        ...issueOf(place),
        message: `Same issue as row ${first.row} (${first.code})`,
      };
  }
  return collapsed;
}

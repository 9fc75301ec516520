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
 * Says each issue repeated on more than REPEATS_BEFORE_COLLAPSE rows once. The first row keeps the
 * whole message. An error stays on every other row (it is why the row was skipped, and the add-on
 * highlights its cell) with a short message pointing at that first row; a warning, which changes
 * nothing for its row, is left on the first row only, saying how many more share it. So an answer
 * grows with its rows, not with its cells. Returns the column-level issues; the results' issue lists
 * are changed in place.
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
  const dropped = new Set<Issue>();
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
    if (first.severity === "warning") {
      // A warning changes nothing for its row: said on the first row only, with how many share it.
      const firstPlace = group[0] as { result: RowResult; at: number };
      firstPlace.result.issues[firstPlace.at] = {
        ...first,
        message: `${first.message} (the same on ${group.length - 1} more rows of this chunk)`,
      };
      for (const place of group.slice(1)) dropped.add(issueOf(place));
    } else
      for (const place of group.slice(1))
        place.result.issues[place.at] = {
          ...issueOf(place),
          message: `Same issue as row ${first.row} (${first.code})`,
        };
  }
  if (dropped.size)
    for (const result of results) result.issues = result.issues.filter((issue) => !dropped.has(issue));
  return collapsed;
}

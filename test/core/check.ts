import {
  analyseHeaders,
  createRowChecker,
  dateFormatter,
  type Issue,
  type ObjectName,
  objectSpec,
  type RowCheckerOptions,
  type SpecOptions,
} from "../../src/core";

/** Reads a sheet (header row, then data rows) the way the add-on and the service do. */
export function readSheet(
  object: ObjectName,
  sheet: readonly (readonly unknown[])[],
  options: SpecOptions & RowCheckerOptions & { timeZone?: string } = {},
) {
  const spec = objectSpec(object, options);
  const [headers = [], ...rows] = sheet;
  const plan = analyseHeaders(spec, headers, {
    columnHasData: (i) => rows.some((r) => r[i] !== undefined && r[i] !== null && r[i] !== ""),
  });
  const { timeZone, ...rest } = options;
  const checker = createRowChecker(plan, timeZone ? { ...rest, formatDate: dateFormatter(timeZone) } : rest);
  const checked = rows.map((cells, i) => checker.check(i + 2, cells));
  return { spec, plan, checked, issues: checked.flatMap((r) => r.issues) };
}

/** The codes found in each data row, in order. */
export function codesByRow(
  object: ObjectName,
  sheet: readonly (readonly unknown[])[],
  options?: SpecOptions,
) {
  return readSheet(object, sheet, options).checked.map((r) => r.issues.map((i: Issue) => i.code));
}

/** Checks one row against one header row, and gives its issues. */
export function rowIssues(
  object: ObjectName,
  headers: string[],
  cells: unknown[],
  options?: SpecOptions,
): Issue[] {
  return readSheet(object, [headers, cells], options).issues;
}

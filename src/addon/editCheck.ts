/**
 * onEdit: a person changed cells of the sheet last validated, so their rows are checked again and
 * their highlights redrawn. A simple trigger: no URL fetches, at most 30 s, so it works from what
 * validation left in the document's properties and reads only the header and the edited rows.
 */
import { analyseHeaders } from "../core/headers";
import { createRowChecker } from "../core/rows";
import { dateFormatter } from "../core/values";
import { readState } from "./documentState";
import { highlightedExtent, Marks, paintBlock, readBlock } from "./highlights";
import { specFor } from "./programCatalogue";
import { isBlankRow } from "./sheetTable";
import type { CheckState } from "./validation";

/** A paste larger than this is left for the next Validate, to stay well within the trigger's 30 s. */
const MAX_EDITED_ROWS = 5000;

export function recheckEditedRows(e: GoogleAppsScript.Events.SheetsOnEdit | undefined): void {
  const check = readState<CheckState>("check");
  if (!check || !e?.range) return;
  const sheet = e.range.getSheet();
  if (sheet.getName() !== check.sheetName) return;
  const first = Math.max(e.range.getRow(), check.headerRow + 1);
  const last = e.range.getLastRow();
  if (last < first || last - first + 1 > MAX_EDITED_ROWS) return;

  const width = Math.max(sheet.getLastColumn(), highlightedExtent(check.sheetName).columns, 1);
  const headers = (sheet.getRange(check.headerRow, 1, 1, width).getValues()[0] ?? []) as unknown[];
  const plan = analyseHeaders(specFor(check.choice, check.catalogue), headers, {
    headerRow: check.headerRow,
  });
  if (plan.blocked) return;
  const range = sheet.getRange(first, 1, last - first + 1, width);
  const values = range.getValues() as unknown[][];
  const checker = createRowChecker(plan, { formatDate: dateFormatter(check.timeZone) });
  const marks = new Marks();
  values.forEach((cells, i) => {
    if (isBlankRow(cells)) return;
    for (const issue of checker.check(first + i, cells).issues) if (issue.column !== null) marks.add(issue);
  });
  paintBlock(check.sheetName, readBlock(range, first, 1), marks);
}

/**
 * onEdit: a person changed cells of the sheet last validated, so the rows they touched are checked
 * again and their highlights redrawn. A simple trigger: no URL fetches and at most 30 s, so it works
 * from what validation left in the document's properties. It reads the sheet's values once, so a key
 * typed twice is still caught, and keeps the service's reasons on cells the person did not touch.
 */
import { analyseHeaders } from "../core/headers";
import { createRowChecker } from "../core/rows";
import { dateFormatter } from "../core/values";
import { readState } from "./documentState";
import { highlightedExtent, Marks, paintBlock, readBlock, readOurNote } from "./highlights";
import { specFor } from "./programCatalogue";
import { isBlankRow } from "./sheetTable";
import type { CheckState } from "./validation";

/** A paste larger than this is left for the next Validate, to stay well within the trigger's 30 s. */
const MAX_EDITED_ROWS = 5000;

export function recheckEditedRows(e: GoogleAppsScript.Events.SheetsOnEdit | undefined): void {
  const check = readState<CheckState>("check");
  if (!check || !e?.range) return;
  const edited = e.range;
  const sheet = edited.getSheet();
  if (sheet.getSheetId() !== check.sheetId) return;
  const editedFirstRow = edited.getRow();
  const editedLastRow = edited.getLastRow();
  const editedFirstColumn = edited.getColumn();
  const editedLastColumn = edited.getLastColumn();
  const first = Math.max(editedFirstRow, check.headerRow + 1);
  const last = editedLastRow;
  if (last < first || last - first + 1 > MAX_EDITED_ROWS) return;

  const values = sheet.getDataRange().getValues() as unknown[][];
  const headers = values[check.headerRow - 1] ?? [];
  const plan = analyseHeaders(specFor(check.choice, check.catalogue), headers, {
    headerRow: check.headerRow,
  });
  if (plan.blocked) return;
  const checker = createRowChecker(plan, {
    formatDate: dateFormatter(check.timeZone),
    expectedRows: values.length,
  });
  const marks = new Marks();
  // Every row up to the last edited one goes through the checker, so duplicates see earlier keys.
  for (let r = check.headerRow + 1; r <= Math.min(last, values.length); r++) {
    const cells = values[r - 1] as unknown[];
    if (isBlankRow(cells)) continue;
    const checked = checker.check(r, cells);
    if (r >= first) for (const issue of checked.issues) if (issue.column !== null) marks.add(issue);
  }

  const width = Math.max(values[0]?.length ?? 1, highlightedExtent(check.sheetId).columns, 1);
  const block = readBlock(sheet.getRange(first, 1, last - first + 1, width), first, 1);
  for (let i = 0; i < block.notes.length; i++) {
    const line = block.notes[i] ?? [];
    for (let j = 0; j < line.length; j++) {
      const column = j + 1;
      if (column >= editedFirstColumn && column <= editedLastColumn) continue;
      const ours = readOurNote(line[j] ?? "");
      if (ours?.source === "service") marks.put(first + i, column, ours.severity, "service", ours.lines);
    }
  }
  paintBlock(check.sheetId, block, marks);
}

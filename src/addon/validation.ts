import type { ProgramCatalogue } from "../core/program";
import type { ImportChoice, ValidationView } from "./contract";
import { writeState } from "./documentState";
import { highlightedExtent, Marks, paintBlock, readBlock } from "./highlights";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { checkSheet, MAX_FINDINGS, toFinding } from "./sheetCheck";
import { readActiveTable, spreadsheetTimeZone } from "./sheetTable";

/** What onEdit needs to re-check a row without the service: the validated sheet and its spec's inputs. */
export interface CheckState {
  sheetName: string;
  choice: ImportChoice;
  headerRow: number;
  timeZone: string;
  catalogue: ProgramCatalogue;
}

/**
 * Checks the active sheet in place: header alerts first (an error there stops the check), then every
 * cell; bad cells are coloured with the message in their note. Eight Spreadsheet calls whatever the
 * sheet's size: read values, name, backgrounds and notes once, write backgrounds and notes once.
 */
export function validateActiveSheet(input: ImportChoice): ValidationView {
  const choice = readChoice(input);
  writeState("choice", choice);
  const timeZone = spreadsheetTimeZone();
  const { catalogue } = fetchCatalogue();
  const spec = specFor(choice, catalogue);
  const table = readActiveTable();
  const check = checkSheet(spec, table.values, table.headerIndex, timeZone);

  const marks = new Marks();
  for (const issue of check.issues) if (issue.column !== null) marks.add(issue);
  const rows = table.values.length;
  const columns = table.values[0]?.length ?? 0;
  const extent = highlightedExtent(table.sheetName);
  const block =
    extent.rows > rows || extent.columns > columns
      ? readBlock(
          table.sheet.getRange(1, 1, Math.max(rows, extent.rows), Math.max(columns, extent.columns)),
          1,
          1,
        )
      : readBlock(table.range, 1, 1);
  const highlighted = paintBlock(table.sheetName, block, marks);

  const headerRow = table.headerIndex + 1;
  writeState("check", {
    sheetName: table.sheetName,
    choice,
    headerRow,
    timeZone,
    catalogue,
  } satisfies CheckState);

  const alerts = check.plan.alerts.length;
  return {
    sheetName: table.sheetName,
    headerRow,
    blocked: check.plan.blocked,
    headerAlerts: check.plan.alerts.map((issue) => toFinding(table.sheetName, issue)),
    rows: check.rows,
    rowsWithErrors: check.rowsWithErrors,
    errors: check.errors,
    warnings: check.warnings,
    findings: check.issues
      .slice(alerts, alerts + MAX_FINDINGS)
      .map((issue) => toFinding(table.sheetName, issue)),
    truncated: check.issues.length - alerts > MAX_FINDINGS,
    highlighted,
  };
}

import { columnLetter } from "../core/headers";
import type { ProgramCatalogue } from "../core/program";
import type { ObjectSpec } from "../core/spec";
import type { ImportChoice, ValidationView } from "./contract";
import { sheetDateFormatter } from "./dates";
import { withDocumentLock } from "./documentLock";
import { writeState } from "./documentState";
import { Marks, paintBlock, wholeSheetBlock } from "./highlights";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { checkSheet, fixesOf, MAX_FINDINGS, type SheetCheck, toFinding } from "./sheetCheck";
import { knownSheetName, readActiveTable, type SheetTable, spreadsheetTimeZone } from "./sheetTable";

/** What onEdit needs to re-check a row without the service: the validated sheet and its spec's inputs. */
export interface CheckState {
  sheetId: number;
  choice: ImportChoice;
  headerRow: number;
  timeZone: string;
  catalogue: ProgramCatalogue;
}

/**
 * Checks the active sheet in place: header alerts first (an error there stops the check), then every
 * cell; bad cells are coloured with the message in their note. Eight Spreadsheet calls whatever the
 * sheet's size: the sheet, its data range, values, id, backgrounds and notes, then one write of
 * backgrounds and one of notes.
 */
export function validateActiveSheet(input: ImportChoice): ValidationView {
  const setup = prepareCheck(input);
  const { choice, timeZone, catalogue } = setup;
  writeState("choice", choice);
  const table = readActiveTable();
  const check = checkTable(setup, table);

  const marks = marksOf(check);
  const rows = table.values.length;
  const columns = table.values[0]?.length ?? 0;
  const headerRow = table.headerIndex + 1;
  // Repainting reads each cell's look and writes it back, and the record says what is highlighted:
  // an onEdit (or another person's Validate) in between would lose a cell's own note or colour.
  const highlighted = withDocumentLock(() => {
    const block = wholeSheetBlock(table.sheet, table.sheetId, table.range, rows, columns);
    const painted = paintBlock(table.sheetId, block, marks);
    writeState("check", {
      sheetId: table.sheetId,
      choice,
      headerRow,
      timeZone,
      catalogue,
    } satisfies CheckState);
    return painted;
  });
  return validationView(table, check, highlighted);
}

/** What checking a tab needs before it reads the sheet: the choice, and its spec (a call to the importer). */
export interface CheckSetup {
  choice: ImportChoice;
  timeZone: string;
  catalogue: ProgramCatalogue;
  spec: ObjectSpec;
}

export function prepareCheck(input: ImportChoice): CheckSetup {
  const choice = readChoice(input);
  const timeZone = spreadsheetTimeZone();
  const { catalogue } = fetchCatalogue();
  return { choice, timeZone, catalogue, spec: specFor(choice, catalogue) };
}

/** A tab's values checked as Validate checks them; `values` stand for the table's own (after a fix). */
export function checkTable(setup: CheckSetup, table: SheetTable, values = table.values): SheetCheck {
  return checkSheet(setup.spec, values, table.headerIndex, sheetDateFormatter(setup.timeZone));
}

/** The cells Validate colours for a check. */
export function marksOf(check: SheetCheck): Marks {
  const marks = new Marks();
  for (const issue of check.issues) if (issue.column !== null) marks.add(issue);
  return marks;
}

/** What the sidebar shows of a check; `highlighted`: the cells coloured in the sheet. */
export function validationView(table: SheetTable, check: SheetCheck, highlighted: number): ValidationView {
  const headerRow = table.headerIndex + 1;
  const alerts = check.plan.alerts.length;
  const finding = (issue: (typeof check.issues)[number]) => toFinding(table.sheetId, issue);
  return {
    sheetId: table.sheetId,
    sheetName: knownSheetName(table.sheetId),
    headerRow,
    blocked: check.plan.blocked,
    headerAlerts: check.plan.alerts.map(finding),
    rows: check.rows,
    rowsWithErrors: check.rowsWithErrors,
    errors: check.errors,
    warnings: check.warnings,
    findings: check.issues.slice(alerts, alerts + MAX_FINDINGS).map(finding),
    truncated: check.issues.length - alerts > MAX_FINDINGS,
    highlighted,
    // Placeholder until Map columns: the header row as read, no fixes.
    mapping: {
      sheetId: table.sheetId,
      headerRow,
      headerRows: [],
      columns: check.plan.columns.map((c) => ({
        column: c.column,
        letter: columnLetter(c.column),
        header: c.header,
        field: c.field.name,
        how: "exact" as const,
        sample: "",
      })),
      fields: [],
      missing: [],
      matches: !check.plan.blocked,
      saved: false,
    },
    ...fixesOf(check),
  };
}

import { dayFirstLocale } from "../core/fixes";
import { type ColumnMapping, headerText } from "../core/headers";
import { mappingFromProposal, proposeMapping } from "../core/mapping";
import type { ProgramCatalogue } from "../core/program";
import type { ObjectSpec } from "../core/spec";
import type { ImportChoice, ValidationView } from "./contract";
import { sheetDateFormatter } from "./dates";
import { withDocumentLock } from "./documentLock";
import { writeState } from "./documentState";
import { type HeaderReading, mappingView, readHeaderRow } from "./headerReading";
import { Marks, paintBlock, wholeSheetBlock } from "./highlights";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { checkSheet, fixesOf, MAX_FINDINGS, type SheetCheck, toFinding } from "./sheetCheck";
import {
  knownSheetName,
  readActiveTable,
  type SheetTable,
  spreadsheetLocale,
  spreadsheetTimeZone,
} from "./sheetTable";
import { readTab, rememberedChoice, type SavedMapping, type TabState, updateTab } from "./tabState";

/** What onEdit needs to re-check a row without the service: the validated sheet and its spec's inputs. */
export interface CheckState {
  sheetId: number;
  choice: ImportChoice;
  headerRow: number;
  timeZone: string;
  catalogue: ProgramCatalogue;
  /** The mapping the sheet was checked with (absent in states written before mappings). */
  mapping?: ColumnMapping | null;
  /** The spreadsheet's locale: slash dates read day or month first. */
  locale?: string;
}

/** What a sidebar button does besides checking: keep the mapping for the tab, or write it as headers. */
type MappingAction = "save" | "rename" | null;

/**
 * Checks the active sheet in place: header alerts first (an error there stops the check), then every
 * cell; bad cells are coloured with the message in their note. Eight Spreadsheet calls whatever the
 * sheet's size: the sheet, its data range, values, id, backgrounds and notes, then one write of
 * backgrounds and one of notes. Remembers the tab's choice and header row (not a mapping not saved).
 */
export function validateActiveSheet(input: ImportChoice): ValidationView {
  return checkActiveTab(input, null);
}

/**
 * `Save mapping`: keeps the mapping (as set, else as proposed) and header row for the active tab, for
 * as long as its header row reads the same, then checks the tab with it. Validate's calls, no more.
 */
export function saveTabMapping(input: ImportChoice): ValidationView {
  return checkActiveTab(input, "save");
}

/**
 * `Rename headers`: writes each mapped column's field name into its header cell (two Spreadsheet calls
 * more than Validate: one range, one setValues). Ignored columns keep their header, and the mapping is
 * saved for them alone, as nothing else needs it any more.
 */
export function renameTabHeaders(input: ImportChoice): ValidationView {
  return checkActiveTab(input, "rename");
}

function checkActiveTab(input: ImportChoice, action: MappingAction): ValidationView {
  const setup = prepareCheck(input);
  const { choice, spec, timeZone, locale, catalogue } = setup;
  writeState("choice", rememberedChoice(choice));
  const table = readActiveTable();
  let reading = readHeaderRow(spec, table.values, choice, readTab(table.sheetId));
  let saved: SavedMapping | null | undefined; // undefined: the tab's saved mapping stays as it is
  if (action === "save") {
    const mapping = reading.mapping ?? mappingFromProposal(proposeMapping(spec, reading.headers));
    saved = { headers: reading.headers, mapping };
    reading = { ...reading, mapping, source: "saved" };
  } else if (action === "rename") {
    ({ reading, saved } = renameHeaderCells(table, reading, spec));
  }
  const check = checkTable(setup, table, table.values, reading);
  const marks = marksOf(check);
  const rows = table.values.length;
  const columns = table.values[0]?.length ?? 0;
  const headerRow = reading.headerIndex + 1;
  const chosenRow = choice.headerRow ?? null;
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
      mapping: reading.mapping,
      locale,
    } satisfies CheckState);
    updateTab(table.sheetId, (t) => remember(t, choice, chosenRow, saved, reading));
    return painted;
  });
  return validationView(table, check, highlighted);
}

/** What checking a tab needs before it reads the sheet: the choice, the program, the sheet's zone and locale. */
export interface CheckSetup {
  choice: ImportChoice;
  timeZone: string;
  locale: string;
  catalogue: ProgramCatalogue;
  spec: ObjectSpec;
}

export function prepareCheck(input: ImportChoice): CheckSetup {
  const choice = readChoice(input);
  const timeZone = spreadsheetTimeZone();
  const locale = spreadsheetLocale();
  const { catalogue } = fetchCatalogue();
  return { choice, timeZone, locale, catalogue, spec: specFor(choice, catalogue) };
}

/** A tab checked: the check, how its header row was read, and the values it was checked from. */
export type TabCheck = SheetCheck & {
  reading: HeaderReading;
  setup: CheckSetup;
  values: readonly unknown[][];
};

/**
 * Checks a tab's values (as read, or as a fix left them) through the header row and mapping in use,
 * common forms of values read in the spreadsheet's locale.
 */
export function checkTable(
  setup: CheckSetup,
  table: SheetTable,
  values: unknown[][] = table.values,
  reading: HeaderReading = readHeaderRow(setup.spec, values, setup.choice, readTab(table.sheetId)),
): TabCheck {
  const check = checkSheet(setup.spec, values, reading.headerIndex, sheetDateFormatter(setup.timeZone), {
    mapping: reading.mapping,
    dayFirst: dayFirstLocale(setup.locale),
  });
  return Object.assign(check, { reading, setup, values });
}

/** The cells to colour: every finding with a cell, but fixable ones (Marks leaves those out). */
export function marksOf(check: SheetCheck): Marks {
  const marks = new Marks();
  for (const issue of check.issues) if (issue.column !== null) marks.add(issue);
  return marks;
}

export function validationView(table: SheetTable, check: TabCheck, highlighted: number): ValidationView {
  const { reading, setup } = check;
  const alerts = check.plan.alerts.length;
  const finding = (issue: (typeof check.issues)[number]) => toFinding(table.sheetId, issue);
  return {
    sheetId: table.sheetId,
    sheetName: knownSheetName(table.sheetId),
    headerRow: reading.headerIndex + 1,
    blocked: check.plan.blocked,
    headerAlerts: check.plan.alerts.map(finding),
    rows: check.rows,
    rowsWithErrors: check.rowsWithErrors,
    errors: check.errors,
    warnings: check.warnings,
    findings: check.issues.slice(alerts, alerts + MAX_FINDINGS).map(finding),
    truncated: check.issues.length - alerts > MAX_FINDINGS,
    highlighted,
    mapping: mappingView(
      table.sheetId,
      setup.spec,
      check.values,
      reading,
      check.plan,
      sheetDateFormatter(setup.timeZone),
    ),
    ...fixesOf(check),
  };
}

/** The tab's record after a check: its choice, the header row a person chose, the mapping saved. */
function remember(
  tab: TabState,
  choice: ImportChoice,
  chosenRow: number | null,
  saved: SavedMapping | null | undefined,
  reading: HeaderReading,
): TabState {
  const next: TabState = {
    ...tab,
    choice: rememberedChoice(choice),
    guessed: false,
    headerRow: chosenRow ?? tab.headerRow,
  };
  if (saved !== undefined) next.saved = saved;
  // A mapping set but not saved says nothing of whether the saved one still fits the header row.
  if (reading.source !== "chosen") next.savedApplies = reading.source === "saved";
  return next;
}

/**
 * Writes the mapped fields' names into the header row (one range, one setValues) and reads the sheet
 * as renamed; what is left of the mapping (the ignored columns) is what is saved.
 */
function renameHeaderCells(
  table: SheetTable,
  reading: HeaderReading,
  spec: ObjectSpec,
): { reading: HeaderReading; saved: SavedMapping | null } {
  const mapping = reading.mapping ?? mappingFromProposal(proposeMapping(spec, reading.headers));
  const row = table.values[reading.headerIndex] as unknown[];
  const renamed = row.map((cell) => {
    const field = mapping[headerText(cell)];
    return typeof field === "string" ? field : cell;
  });
  if (renamed.some((cell, i) => cell !== row[i])) {
    table.sheet.getRange(reading.headerIndex + 1, 1, 1, renamed.length).setValues([renamed]);
    table.values[reading.headerIndex] = renamed;
  }
  const headers = renamed.map(headerText);
  const left: Record<string, string | null> = {};
  for (const header of headers) if (header !== "" && mapping[header] === null) left[header] = null;
  const saved = Object.keys(left).length > 0 ? { headers, mapping: left } : null;
  return {
    reading: { ...reading, headers, mapping: saved?.mapping ?? null, source: saved ? "saved" : null },
    saved,
  };
}

/**
 * onEdit: a person changed cells of the sheet last validated, so the rows they touched are checked
 * again and their highlights redrawn. A simple trigger: no URL fetches and at most 30 s, so it works
 * from what validation left in the document's properties, and never reads the whole sheet: the header
 * row, the edited rows, and the unique columns (one read each, values and notes) so that a key typed
 * twice is still caught, against rows above or below. A row elsewhere whose duplicate finding the edit
 * changed (its key was typed again above it, or the row it repeated was changed) is repainted too. The
 * service's reasons stay on cells the person did not touch.
 */
import { dayFirstLocale } from "../core/fixes";
import { analyseHeaders } from "../core/headers";
import {
  createRowChecker,
  duplicateMessage,
  isDuplicateMessage,
  type KeyColumn,
  keyColumns,
  singularOf,
} from "../core/rows";
import { sheetDateFormatter } from "./dates";
import { ifDocumentLockFree } from "./documentLock";
import { readState } from "./documentState";
import { highlightedExtent, Marks, paintBlock, readBlock, readOurNote } from "./highlights";
import { specFor } from "./programCatalogue";
import { isBlankRow } from "./sheetTable";
import { rememberedChoice, updateTab } from "./tabState";
import type { CheckState } from "./validation";

/** A paste larger than this is left for the next Validate, to stay well within the trigger's 30 s. */
const MAX_EDITED_ROWS = 5000;
/** At most this many separate blocks are read and repainted (6 Spreadsheet calls each). */
const MAX_BLOCKS = 10;
/** Rows read and repainted in all, the edit included; beyond it, rows elsewhere wait for Validate. */
const MAX_BLOCK_ROWS = 20_000;
/**
 * How long onEdit waits for Validate or another onEdit to let go of the document lock: they change
 * the same highlights. Within the 30 s a simple trigger has, leaving room for the work itself.
 * https://developers.google.com/apps-script/reference/lock/lock#tryLock(Integer)
 */
const LOCK_WAIT_MS = 15_000;
const ALSO_IN_ROW = / is also in row (\d+);/;

interface Span {
  first: number;
  last: number;
}

export function recheckEditedRows(e: GoogleAppsScript.Events.SheetsOnEdit | undefined): void {
  if (!e?.range) return;
  const before = readState<CheckState>("check");
  if (!before) return;
  const edited = e.range;
  const sheet = edited.getSheet();
  const sheetId = sheet.getSheetId();
  if (sheetId !== before.sheetId) return;
  const edit = { first: edited.getRow(), last: edited.getLastRow() };
  const editedColumns = { first: edited.getColumn(), last: edited.getLastColumn() };
  if (edit.last - Math.max(edit.first, before.headerRow + 1) + 1 > MAX_EDITED_ROWS) return;

  // Validate writes the same highlights: one at a time. When the lock does not come, Validate is
  // still running and will be run again by the person; the edit is not lost, only its highlights.
  ifDocumentLockFree(LOCK_WAIT_MS, () => {
    const check = readState<CheckState>("check");
    if (!check || check.sheetId !== sheetId) return;
    recheck(sheet, check, edit, editedColumns);
  });
}

function recheck(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  check: CheckState,
  edit: Span,
  editedColumns: Span,
): void {
  const dataFirst = check.headerRow + 1;
  const first = Math.max(edit.first, dataFirst);
  const last = edit.last;
  if (last < first) return;
  const lastColumn = sheet.getLastColumn();
  if (lastColumn < 1) return;
  const lastRow = Math.max(sheet.getLastRow(), last);
  const headers = sheet.getRange(check.headerRow, 1, 1, lastColumn).getValues()[0] ?? [];
  const plan = analyseHeaders(specFor(check.choice, check.catalogue), headers, {
    headerRow: check.headerRow,
    mapping: check.mapping ?? null,
  });
  if (plan.blocked) return;
  const formatDate = sheetDateFormatter(check.timeZone);
  const singular = singularOf(plan);

  // Each unique column read whole, once: the first row of every key, and the findings on its cells.
  const unique = keyColumns(plan, formatDate).map((column) =>
    readKeyColumn(sheet, column, dataFirst, lastRow - dataFirst + 1),
  );
  const firstRows = new Map(unique.map((u) => [u.column.field, u.firstRows]));
  const checker = createRowChecker(plan, {
    formatDate,
    firstRowOf: (field, key, row) => firstRows.get(field)?.get(key) ?? row,
    normalise: { dayFirst: dayFirstLocale(check.locale) },
  });

  const stale = staleDuplicates(unique, { first, last }, dataFirst, singular);
  const width = Math.max(lastColumn, highlightedExtent(check.sheetId).columns, 1);
  for (const block of blocksToRepaint({ first, last }, stale)) {
    const range = sheet.getRange(block.first, 1, block.last - block.first + 1, width);
    const values = range.getValues() as unknown[][];
    const cells = readBlock(range, block.first, 1);
    const marks = new Marks();
    for (let i = 0; i < values.length; i++) {
      const row = block.first + i;
      const line = values[i] as unknown[];
      if (!isBlankRow(line))
        for (const issue of checker.check(row, line).issues) if (issue.column !== null) marks.add(issue);
      // The service's reasons stay where the person did not type: the next import decides them.
      const inEdit = row >= first && row <= last;
      const notes = cells.notes[i] ?? [];
      for (let j = 0; j < notes.length; j++) {
        const column = j + 1;
        if (inEdit && column >= editedColumns.first && column <= editedColumns.last) continue;
        const ours = readOurNote(notes[j] ?? "");
        if (ours?.source !== "service") continue;
        const lines = ours.lines.filter((text) => !isDuplicateMessage(text));
        marks.put(row, column, ours.severity, "service", lines);
      }
    }
    paintBlock(check.sheetId, cells, marks);
  }
  // The sidebar's findings for this tab are from before the edit: it sees the version move.
  updateTab(check.sheetId, (tab) => ({
    ...tab,
    choice: tab.choice ?? rememberedChoice(check.choice),
    editVersion: tab.editVersion + 1,
  }));
}

interface KeyColumnRead {
  column: KeyColumn;
  /** By 0-based index from the first data row: the cell's key, if any, and its note. */
  keys: (string | undefined)[];
  notes: string[];
  firstRows: Map<string, number>;
}

function readKeyColumn(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  column: KeyColumn,
  dataFirst: number,
  rows: number,
): KeyColumnRead {
  const range = sheet.getRange(dataFirst, column.column, rows, 1);
  const values = range.getValues() as unknown[][];
  const notes = range.getNotes() as string[][];
  const keys: (string | undefined)[] = new Array(rows);
  const firstRows = new Map<string, number>();
  for (let i = 0; i < rows; i++) {
    const key = column.key(values[i]?.[0]);
    keys[i] = key;
    if (key !== undefined && !firstRows.has(key)) firstRows.set(key, dataFirst + i);
  }
  return { column, keys, notes: notes.map((line) => line[0] ?? ""), firstRows };
}

/**
 * Rows outside the edit whose duplicate finding no longer reads as it should: they hold a key the edit
 * typed, or their note points at an edited row as the key's first. Validate's rule: the first row of a
 * key is fine, every later one says where the first is.
 */
function staleDuplicates(
  unique: readonly KeyColumnRead[],
  edit: Span,
  dataFirst: number,
  singular: string,
): number[] {
  const stale = new Set<number>();
  for (const { column, keys, notes, firstRows } of unique) {
    const typed = new Set<string>();
    for (let row = edit.first; row <= edit.last; row++) {
      const key = keys[row - dataFirst];
      if (key !== undefined) typed.add(key);
    }
    for (let i = 0; i < keys.length; i++) {
      const row = dataFirst + i;
      if (row >= edit.first && row <= edit.last) continue;
      const key = keys[i];
      const note = notes[i] ?? "";
      const said = note === "" ? [] : (readOurNote(note)?.lines.filter(isDuplicateMessage) ?? []);
      const pointsAtEdit = said.some((line) => {
        const at = Number(ALSO_IN_ROW.exec(line)?.[1]);
        return at >= edit.first && at <= edit.last;
      });
      if (!pointsAtEdit && (key === undefined || !typed.has(key))) continue;
      const firstRow = key === undefined ? row : (firstRows.get(key) ?? row);
      const expected =
        firstRow < row ? duplicateMessage(column.field, key as string, firstRow, singular) : null;
      const right = expected === null ? said.length === 0 : said.length === 1 && said[0] === expected;
      if (!right) stale.add(row);
    }
  }
  return [...stale].sort((a, b) => a - b);
}

/**
 * The edit, and the stale rows elsewhere, as at most MAX_BLOCKS blocks of rows: neighbours are joined
 * where the gap between them is smallest. Rows elsewhere are left for Validate when they would take
 * more than MAX_BLOCK_ROWS rows in all.
 */
function blocksToRepaint(edit: Span, stale: readonly number[]): Span[] {
  if (stale.length === 0) return [edit];
  const spans: Span[] = [];
  for (const row of [...stale, edit.first].sort((a, b) => a - b)) {
    const span = row === edit.first ? { ...edit } : { first: row, last: row };
    const previous = spans[spans.length - 1];
    if (previous && span.first <= previous.last + 1) previous.last = Math.max(previous.last, span.last);
    else spans.push(span);
  }
  while (spans.length > MAX_BLOCKS) {
    let at = 1;
    for (let i = 2; i < spans.length; i++) {
      const gap = (spans[i] as Span).first - (spans[i - 1] as Span).last;
      if (gap < (spans[at] as Span).first - (spans[at - 1] as Span).last) at = i;
    }
    const [joined] = spans.splice(at, 1) as [Span];
    (spans[at - 1] as Span).last = joined.last;
  }
  const rows = spans.reduce((sum, s) => sum + s.last - s.first + 1, 0);
  return rows > MAX_BLOCK_ROWS ? [edit] : spans;
}

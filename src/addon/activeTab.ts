/**
 * The tab on screen, as the sidebar follows it: polled every few seconds, so it costs three Spreadsheet
 * calls and the document's properties. A tab the add-on has never seen has its first rows read once, to
 * guess its object from its headers against the base catalogue (no request to the importer).
 */
import { OBJECTS } from "../core/catalogue";
import { guessHeaderRow, guessObject } from "../core/mapping";
import { objectSpec } from "../core/spec";
import type { ImportChoice, TabView } from "./contract";
import { readState } from "./documentState";
import { rememberSheetName } from "./sheetTable";
import { readTab, type TabState, updateTab } from "./tabState";

/** Rows read to guess a new tab's object: its header row sits among the first few. */
const GUESS_ROWS = 10;

export function activeTabView(): TabView {
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
  const tab = readTab(sheetId) ?? guessTab(sheet, sheetId);
  const own = tab?.choice ?? null;
  // A tab with nothing to go by (empty, or headers of no object) shows the spreadsheet's last choice.
  const choice: ImportChoice | null = own
    ? { ...own, ...(tab?.headerRow ? { headerRow: tab.headerRow } : {}) }
    : readState<ImportChoice>("choice");
  return {
    sheetId,
    sheetName,
    choice,
    guessed: own !== null && tab?.guessed === true,
    savedMapping: tab?.saved != null && tab.savedApplies,
    editVersion: tab?.editVersion ?? 0,
    lastImport: tab?.lastImport ?? null,
  };
}

/**
 * Guesses a new tab's object from the first rows (four Spreadsheet calls, once) and remembers the guess,
 * or that there was none. An empty tab is not remembered: it is guessed again once it holds something.
 */
function guessTab(sheet: GoogleAppsScript.Spreadsheet.Sheet, sheetId: number): TabState | null {
  const columns = sheet.getLastColumn();
  if (columns < 1) return null;
  const rows = Math.min(sheet.getLastRow(), GUESS_ROWS);
  if (rows < 1) return null;
  const values = sheet.getRange(1, 1, rows, columns).getValues() as unknown[][];
  const specs = OBJECTS.map((object) => objectSpec(object));
  const first = guessHeaderRow(values, null);
  const order = [first, ...values.keys()].filter((i, at, all) => all.indexOf(i) === at);
  let object = null;
  for (const index of order) {
    object = guessObject(values[index] ?? [], specs);
    if (object) break;
  }
  const choice: ImportChoice | null = object
    ? { object, groupKey: null, sendInvites: false, allowRepeats: false, mode: "create_and_update" }
    : null;
  // Someone may have used the tab meanwhile: their choice stands.
  return updateTab(sheetId, (t) => (t.choice ? t : { ...t, choice, guessed: choice !== null }));
}

/**
 * What a person does to a spreadsheet and sees in it, for the add-on tests: typing rows (which fires
 * onEdit), and looking at cells through a SpreadsheetApp of the test's own, so the add-on's call
 * counts stay its own.
 */
import type { ObjectName } from "../../src/addon/contract";
import { columnLetter } from "../../src/core/headers";
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { createSpreadsheetApp } from "../../src/emulator/spreadsheet/spreadsheetApp";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { loadAddonFor, runImport, type TestService } from "./harness";

export function choiceOf(
  object: ObjectName,
  groupKey: string | null = null,
  sendInvites = false,
  allowRepeats = false,
) {
  return { object, groupKey, sendInvites, allowRepeats };
}

/** A SpreadsheetApp for looking at the workbook; its calls are not counted against the add-on. */
export function look(workbook: Workbook): GoogleAppsScript.Spreadsheet.SpreadsheetApp {
  return createSpreadsheetApp(workbook, new CallLog());
}

/** The sheet of that name (the active one when no name is given), as the test sees it. */
export function sheetOf(workbook: Workbook, name?: string): GoogleAppsScript.Spreadsheet.Sheet {
  const app = look(workbook);
  const sheet = name === undefined ? app.getActiveSheet() : app.getActiveSpreadsheet().getSheetByName(name);
  if (!sheet) throw new Error(`no sheet "${name}"`);
  return sheet;
}

/** Types rows into the active sheet from a cell on, as a person would; onEdit fires for the block. */
export function typeRows(host: AddonHost, workbook: Workbook, row: number, column: number, rows: string[][]) {
  const sheet = workbook.activeSheet;
  const block = writeRows(workbook, sheet, row, column, rows);
  host.runOnEdit({ sheetId: sheet.sheetId, ...block });
}

/** A1 notation of a cell. */
export function a1(row: number, column: number): string {
  return `${columnLetter(column)}${row}`;
}

/** The add-on's highlight notes begin with this; a person's own notes do not. */
const NOTE_MARK = "Channel Importer";

export interface Highlight {
  background: string;
  note: string;
}

/** Every highlighted cell of a sheet by A1 address: its background and note (the add-on's). */
export function highlights(workbook: Workbook, name?: string): Record<string, Highlight> {
  const sheet = sheetOf(workbook, name);
  const range = sheet.getRange(1, 1, sheet.getMaxRows(), sheet.getMaxColumns());
  const notes = range.getNotes();
  const backgrounds = range.getBackgrounds();
  const found: Record<string, Highlight> = {};
  notes.forEach((line, i) => {
    line.forEach((note, j) => {
      if (note.startsWith(NOTE_MARK))
        found[a1(i + 1, j + 1)] = { background: backgrounds[i]?.[j] ?? "", note };
    });
  });
  return found;
}

/** Backgrounds and notes of a whole sheet, to show that nothing changed. */
export function looks(workbook: Workbook, name?: string): { backgrounds: string[][]; notes: string[][] } {
  const sheet = sheetOf(workbook, name);
  const range = sheet.getRange(1, 1, sheet.getMaxRows(), sheet.getMaxColumns());
  return { backgrounds: range.getBackgrounds(), notes: range.getNotes() };
}

/**
 * Rows (header first) imported through the add-on from a spreadsheet of their own: the data a flow
 * needs to exist first (the test service starts empty). Fails unless every row was imported.
 */
export async function importFirst(
  service: TestService,
  object: ObjectName,
  groupKey: string | null,
  rows: string[][],
): Promise<void> {
  const workbook = new Workbook();
  const host = loadAddonFor({ url: service.url, workbook });
  try {
    writeRows(workbook, workbook.activeSheet, 1, 1, rows);
    const done = runImport(host, choiceOf(object, groupKey), false);
    if (done.status !== "completed" || done.counts.skipped > 0)
      throw new Error(`importing ${object} first failed: ${JSON.stringify(done)}`);
  } finally {
    await host.close();
  }
}

/**
 * Colours and notes on the cells themselves. A highlighted cell's own background and note are kept
 * (in the document's properties, only where they were not the default) so clearing restores them
 * exactly; our notes begin with NOTE_MARK, which is how a later pass knows a cell is ours.
 */
import type { Issue, Severity } from "../core/issues";
import { clearState, readState, writeState } from "./documentState";

export const HIGHLIGHT_COLORS: Record<Severity, string> = { error: "#f4c7c3", warning: "#fce8b2" };
export const NOTE_MARK = "Channel Importer · ";
const DEFAULT_BACKGROUND = "#ffffff";
/** Cells with a background or note of their own that may be highlighted at once (their originals are stored). */
const MAX_KEPT_ORIGINALS = 20_000;

/** A cell's own look before we touched it: background (null for the default) and note. */
type Original = [string | null, string];

interface SheetHighlights {
  /** By "row,column" (1-based): cells highlighted now whose own background or note was not the default. */
  originals: Record<string, Original>;
  /** The last row and column ever highlighted, so clearing reaches them even after rows were emptied. */
  rows: number;
  columns: number;
}

type HighlightState = Record<string, SheetHighlights>;

/** What to show on one cell: the worst severity, and every message. */
interface CellMark {
  severity: Severity;
  lines: string[];
}

/** Issues by cell; an issue without a column marks its row's first cell. */
export class Marks {
  readonly cells = new Map<string, CellMark>();

  add(issue: Pick<Issue, "row" | "column" | "severity" | "message">): void {
    const key = `${issue.row},${issue.column ?? 1}`;
    const mark = this.cells.get(key);
    if (!mark) this.cells.set(key, { severity: issue.severity, lines: [issue.message] });
    else {
      if (issue.severity === "error") mark.severity = "error";
      if (!mark.lines.includes(issue.message)) mark.lines.push(issue.message);
    }
  }

  get size(): number {
    return this.cells.size;
  }
}

/** A block of a sheet as read: its top-left cell, and its backgrounds and notes. */
export interface Block {
  range: GoogleAppsScript.Spreadsheet.Range;
  row: number;
  column: number;
  backgrounds: string[][];
  notes: string[][];
}

export function readBlock(range: GoogleAppsScript.Spreadsheet.Range, row: number, column: number): Block {
  return { range, row, column, backgrounds: range.getBackgrounds(), notes: range.getNotes() };
}

/**
 * Repaints a block: every cell of it we had highlighted gets its own look back, then the marked cells
 * are highlighted. Two writes at most (backgrounds, notes), none when nothing changes.
 * Returns how many cells are highlighted.
 */
export function paintBlock(sheetName: string, block: Block, marks: Marks): number {
  const state = readState<HighlightState>("highlights") ?? {};
  const sheet = state[sheetName] ?? { originals: {}, rows: 0, columns: 0 };
  const { backgrounds, notes } = block;
  let kept = Object.keys(sheet.originals).length;
  let changed = false;
  let painted = 0;
  for (let i = 0; i < backgrounds.length; i++) {
    const bgRow = backgrounds[i] as (string | null)[];
    const noteRow = notes[i] as (string | null)[];
    const row = block.row + i;
    for (let j = 0; j < bgRow.length; j++) {
      const column = block.column + j;
      const mark = marks.cells.get(`${row},${column}`);
      const note = noteRow[j] ?? "";
      const ours = note.startsWith(NOTE_MARK);
      if (!mark && !ours) continue;
      const key = `${row},${column}`;
      let own: Original = [bgRow[j] ?? null, note];
      if (ours) {
        own = sheet.originals[key] ?? [null, ""];
        if (sheet.originals[key]) {
          delete sheet.originals[key];
          kept--;
        }
      }
      const plain = (own[0] === null || own[0] === DEFAULT_BACKGROUND) && own[1] === "";
      if (mark && (plain || kept < MAX_KEPT_ORIGINALS)) {
        if (!plain) {
          sheet.originals[key] = own;
          kept++;
        }
        bgRow[j] = HIGHLIGHT_COLORS[mark.severity];
        noteRow[j] = `${NOTE_MARK}${mark.severity}\n${mark.lines.join("\n")}`;
        sheet.rows = Math.max(sheet.rows, row);
        sheet.columns = Math.max(sheet.columns, column);
        painted++;
      } else {
        bgRow[j] = own[0] === DEFAULT_BACKGROUND ? null : own[0];
        noteRow[j] = own[1];
      }
      changed = true;
    }
  }
  if (changed) {
    block.range.setBackgrounds(backgrounds);
    block.range.setNotes(notes);
  }
  if (painted === 0 && Object.keys(sheet.originals).length === 0 && !hasOurNotesOutside(block, sheet))
    delete state[sheetName];
  else state[sheetName] = sheet;
  saveHighlights(state);
  return painted;
}

/** Whether highlights may remain beyond the block (it did not cover all the sheet's highlighted area). */
function hasOurNotesOutside(block: Block, sheet: SheetHighlights): boolean {
  const rows = block.backgrounds.length;
  const columns = block.backgrounds[0]?.length ?? 0;
  return (
    block.row > 1 ||
    block.column > 1 ||
    sheet.rows > block.row + rows - 1 ||
    sheet.columns > block.column + columns - 1
  );
}

function saveHighlights(state: HighlightState): void {
  if (Object.keys(state).length === 0) clearState("highlights");
  else writeState("highlights", state);
}

/** The area of a sheet that may hold our highlights beyond its data. */
export function highlightedExtent(sheetName: string): { rows: number; columns: number } {
  const sheet = readState<HighlightState>("highlights")?.[sheetName];
  return { rows: sheet?.rows ?? 0, columns: sheet?.columns ?? 0 };
}

/** Restores every highlighted cell's own background and note, in every sheet; returns how many. */
export function clearSheetHighlights(): number {
  const state = readState<HighlightState>("highlights") ?? {};
  let restored = 0;
  const names = Object.keys(state);
  const spreadsheet = names.length > 0 ? SpreadsheetApp.getActive() : null;
  for (const name of names) {
    const sheet = spreadsheet?.getSheetByName(name);
    const extent = state[name] as SheetHighlights;
    if (sheet && extent.rows > 0 && extent.columns > 0) {
      const block = readBlock(sheet.getRange(1, 1, extent.rows, extent.columns), 1, 1);
      const before = countOurs(block);
      paintBlock(name, block, new Marks());
      restored += before;
    }
  }
  clearState("highlights");
  clearState("check");
  return restored;
}

function countOurs(block: Block): number {
  let n = 0;
  for (const row of block.notes) for (const note of row) if (note?.startsWith(NOTE_MARK)) n++;
  return n;
}

/** Selects a cell (a finding the person clicked), switching to its sheet. */
export function selectSheetCell(sheetName: string, row: number, column: number | null): void {
  const sheet = SpreadsheetApp.getActive().getSheetByName(sheetName);
  if (!sheet) throw new Error(`The sheet "${sheetName}" is no longer in this spreadsheet.`);
  sheet.activate();
  sheet.getRange(row, column ?? 1).activate();
}

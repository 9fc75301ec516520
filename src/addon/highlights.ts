/**
 * Colours and notes on the cells themselves. A highlighted cell carries its own background and note
 * inside the note we give it (after KEPT_LINE), so they move with the cell when rows are inserted or
 * sorted, and clearing puts them back exactly. Our notes begin with NOTE_MARK: that is how a later
 * pass knows a cell is ours. Besides errors and warnings, a cell may be marked as a change: a field an
 * import updates (or a dry run would), its stored and new values in the note.
 */
import type { Issue, Severity } from "../core/issues";
import { withDocumentLock } from "./documentLock";
import { clearState, readState, writeState } from "./documentState";

/** What a mark says of its cell: an error or warning, or a value the import changes (or would). */
export type MarkKind = Severity | "change";

export const HIGHLIGHT_COLORS: Record<MarkKind, string> = {
  error: "#f4c7c3",
  warning: "#fce8b2",
  change: "#cfe2f3",
};
/** A cell marked for several reasons shows the gravest. */
const RANK: Record<MarkKind, number> = { error: 2, warning: 1, change: 0 };
export const NOTE_MARK = "Channel Importer · ";
/** Longer than any quoted value in a message (quote() cuts at 60), so a message never holds it. */
const KEPT_LINE = "— This cell's own note and colour, put back when highlights are cleared —";
const DEFAULT_BACKGROUND = "#ffffff";
const SERVICE_TAG = " (the importer)";

/** Where a finding came from: the sheet's own check, or the service (a row it skipped). */
export type Source = "check" | "service";

interface CellMark {
  /** The cell, 1-based. */
  row: number;
  column: number;
  severity: MarkKind;
  source: Source;
  lines: string[];
}

/**
 * Issues by cell ("row,column", 1-based); an issue without a column marks its row's first cell. A
 * `fixable` cell is not marked: the importer reads it as its canonical form, so it is listed in the
 * sidebar (with `Fix N cells`) but never coloured, and fixing it needs no repaint.
 */
export class Marks {
  readonly cells = new Map<string, CellMark>();

  add(
    issue: Pick<Issue, "row" | "column" | "severity" | "message" | "code">,
    source: Source = "check",
  ): void {
    if (issue.code === "fixable") return;
    this.put(issue.row, issue.column ?? 1, issue.severity, source, [issue.message]);
  }

  put(row: number, column: number, severity: MarkKind, source: Source, lines: readonly string[]): void {
    const key = `${row},${column}`;
    const mark = this.cells.get(key);
    if (!mark) {
      this.cells.set(key, { row, column, severity, source, lines: [...lines] });
      return;
    }
    if (RANK[severity] > RANK[mark.severity]) mark.severity = severity;
    if (source === "service") mark.source = "service";
    for (const line of lines) if (!mark.lines.includes(line)) mark.lines.push(line);
  }
}

/** Our note read back: what it says, and the cell's own look it keeps. */
export interface OurNote {
  severity: MarkKind;
  source: Source;
  lines: string[];
  own: { background: string | null; note: string };
}

export function readOurNote(note: string): OurNote | null {
  if (!note.startsWith(NOTE_MARK)) return null;
  const at = note.indexOf(`\n${KEPT_LINE}\n`);
  const body = at < 0 ? note : note.slice(0, at);
  const [head = "", ...lines] = body.split("\n");
  let background: string | null = null;
  let own = "";
  if (at >= 0) {
    const kept = note.slice(at + KEPT_LINE.length + 2);
    const colour = /^colour: (\S*)\n/.exec(kept);
    background = colour?.[1] ? colour[1] : null;
    own = kept.slice(colour ? colour[0].length : 0).replace(/^note:\n?/, "");
  }
  return {
    severity: kindOf(head.slice(NOTE_MARK.length).split(" ")[0]),
    source: head.endsWith(SERVICE_TAG) ? "service" : "check",
    lines,
    own: { background, note: own },
  };
}

function kindOf(word: string | undefined): MarkKind {
  return word === "warning" || word === "change" ? word : "error";
}

function ourNote(mark: CellMark, own: { background: string | null; note: string }): string {
  const head = `${NOTE_MARK}${mark.severity}${mark.source === "service" ? SERVICE_TAG : ""}`;
  const text = `${head}\n${mark.lines.join("\n")}`;
  const plainBackground = own.background === null || own.background === DEFAULT_BACKGROUND;
  if (plainBackground && own.note === "") return text;
  return `${text}\n${KEPT_LINE}\n${plainBackground ? "" : `colour: ${own.background}\n`}note:\n${own.note}`;
}

/** A block of a sheet as read: its top-left cell, and its backgrounds and notes. */
export interface Block {
  range: GoogleAppsScript.Spreadsheet.Range;
  row: number;
  column: number;
  backgrounds: (string | null)[][];
  notes: (string | null)[][];
}

export function readBlock(range: GoogleAppsScript.Spreadsheet.Range, row: number, column: number): Block {
  return { range, row, column, backgrounds: range.getBackgrounds(), notes: range.getNotes() };
}

/**
 * Repaints a block: every cell of it we had highlighted gets its own look back, then the marked cells
 * are highlighted. Two writes (backgrounds, notes), none when nothing changes. Returns how many cells
 * are highlighted. Callers hold the document lock (withDocumentLock) from reading the block on.
 *
 * The work follows the marks and our earlier notes, not the block's size: the one look at every cell
 * is whether its note is empty (nearly all are), and each mark is put at its place in the block.
 */
export function paintBlock(sheetId: number, block: Block, marks: Marks): number {
  const { backgrounds, notes } = block;
  let changed = false;
  for (let i = 0; i < notes.length; i++) {
    const noteRow = notes[i] as (string | null)[];
    for (let j = 0; j < noteRow.length; j++) {
      const note = noteRow[j];
      if (!note?.startsWith(NOTE_MARK)) continue;
      const { own } = readOurNote(note) as OurNote;
      (backgrounds[i] as (string | null)[])[j] =
        own.background === DEFAULT_BACKGROUND ? null : own.background;
      noteRow[j] = own.note;
      changed = true;
    }
  }
  // Each cell now has its own look, which the note of a mark keeps (a cell marked again included).
  let painted = 0;
  let lastRow = 0;
  let lastColumn = 0;
  for (const mark of marks.cells.values()) {
    const i = mark.row - block.row;
    const j = mark.column - block.column;
    const bgRow = backgrounds[i];
    const noteRow = notes[i];
    if (i < 0 || j < 0 || !bgRow || !noteRow || j >= bgRow.length) continue;
    noteRow[j] = ourNote(mark, { background: bgRow[j] ?? null, note: noteRow[j] ?? "" });
    bgRow[j] = HIGHLIGHT_COLORS[mark.severity];
    painted++;
    lastRow = Math.max(lastRow, mark.row);
    lastColumn = Math.max(lastColumn, mark.column);
    changed = true;
  }
  if (changed) {
    block.range.setBackgrounds(backgrounds);
    block.range.setNotes(notes);
  }
  if (painted > 0) noteExtent(sheetId, lastRow, lastColumn);
  return painted;
}

/** The furthest cell a sheet ever had highlighted, by sheet id, so clearing reaches rows since emptied. */
type Extents = Record<string, { rows: number; columns: number }>;

function noteExtent(sheetId: number, rows: number, columns: number): void {
  withDocumentLock(() => recordExtent(sheetId, rows, columns));
}

function recordExtent(sheetId: number, rows: number, columns: number): void {
  const extents = readState<Extents>("highlights") ?? {};
  const known = extents[sheetId];
  if (known && known.rows >= rows && known.columns >= columns) return;
  extents[sheetId] = {
    rows: Math.max(rows, known?.rows ?? 0),
    columns: Math.max(columns, known?.columns ?? 0),
  };
  writeState("highlights", extents);
}

export function highlightedExtent(sheetId: number): { rows: number; columns: number } {
  return readState<Extents>("highlights")?.[sheetId] ?? { rows: 0, columns: 0 };
}

/**
 * The block to repaint when a whole sheet is redrawn: its data, and beyond it as far as highlights
 * ever reached.
 */
export function wholeSheetBlock(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  sheetId: number,
  dataRange: GoogleAppsScript.Spreadsheet.Range,
  rows: number,
  columns: number,
): Block {
  const extent = highlightedExtent(sheetId);
  if (extent.rows <= rows && extent.columns <= columns) return readBlock(dataRange, 1, 1);
  return readBlock(
    sheet.getRange(1, 1, Math.max(rows, extent.rows), Math.max(columns, extent.columns)),
    1,
    1,
  );
}

/** Restores every highlighted cell's own background and note, in every sheet; returns how many. */
export function clearSheetHighlights(): number {
  return withDocumentLock(() => {
    const extents = readState<Extents>("highlights") ?? {};
    const ids = Object.keys(extents);
    let restored = 0;
    const spreadsheet = ids.length > 0 ? SpreadsheetApp.getActive() : null;
    for (const id of ids) {
      const sheet = spreadsheet?.getSheetById(Number(id));
      if (!sheet) continue;
      const data = sheet.getDataRange();
      const block = wholeSheetBlock(sheet, Number(id), data, data.getNumRows(), data.getNumColumns());
      for (const row of block.notes) for (const note of row) if (note?.startsWith(NOTE_MARK)) restored++;
      paintBlock(Number(id), block, new Marks());
    }
    clearState("highlights");
    clearState("check");
    return restored;
  });
}

/** Selects a cell (a finding the person clicked), switching to its sheet. */
export function selectSheetCell(sheetId: number, row: number, column: number | null): void {
  const sheet = SpreadsheetApp.getActive().getSheetById(sheetId);
  if (!sheet) throw new Error("That sheet is no longer in this spreadsheet.");
  sheet.activate();
  sheet.getRange(row, column ?? 1).activate();
}

/** What the preview's page and its server say to each other (JSON over /api). */

import type { MenuModel } from "../services/ui";

export type { MenuEntry, MenuModel } from "../services/ui";

/** A block of cells, 1-based, as Apps Script counts. */
export interface Block {
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
}

export interface SheetSummary {
  sheetId: number;
  name: string;
  /** The tab's size: its rows and columns, empty ones included. */
  maxRows: number;
  maxColumns: number;
  /** The last row and column with a value or formula. */
  lastRow: number;
  lastColumn: number;
  frozenRows: number;
  frozenColumns: number;
}

export interface PreviewState {
  /** Goes up with every change to the workbook, so the page knows when its cells are stale. */
  version: number;
  name: string;
  timeZone: string;
  sheets: SheetSummary[];
  activeSheetId: number;
  /** The active sheet's selection, which getActiveRange gives the add-on. */
  selection: Block;
  /** The menus the add-on's onOpen added. */
  menus: MenuModel[];
  /** The open sidebar; `seq` changes each time the add-on shows one, so the page reloads it. */
  sidebar: { title: string; seq: number } | null;
  /** The last alert and toast, each numbered so the page shows a new one once. */
  alert: { seq: number; title: string; prompt: string } | null;
  toast: { seq: number; title: string; message: string; timeoutSeconds: number } | null;
}

/** One cell as the grid draws it; properties left out are at their defaults. */
export interface CellView {
  row: number;
  column: number;
  /** The display value (getDisplayValue); "" for an unevaluated formula. */
  text?: string;
  /** "number" (numbers and dates, right-aligned) or "boolean" (centred); text otherwise. */
  kind?: "number" | "boolean";
  formula?: string;
  background?: string;
  fontColor?: string;
  bold?: true;
  note?: string;
  /** The values of a drop-down list on the cell. */
  options?: string[];
}

export interface CellWindow {
  sheetId: number;
  fromRow: number;
  toRow: number;
  cells: CellView[];
}

/** The answer to an action: what went wrong, when something did, and the state after it. */
export interface ActionResult {
  ok: boolean;
  error?: string;
  state: PreviewState;
}

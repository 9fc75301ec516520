/**
 * What the add-on remembers of each tab (document state `tabs`, by sheet id): the object and options last
 * used there, its header row when a person chose one, the mapping saved for it, and how many times onEdit
 * re-checked it. Kept small, as document properties hold 500 KB in all: the tabs used longest ago are
 * forgotten beyond MAX_TABS.
 */
import type { ColumnMapping } from "../core/headers";
import type { ImportChoice, TabImport } from "./contract";
import { withDocumentLock } from "./documentLock";
import { readState, writeState } from "./documentState";

const MAX_TABS = 40;

/** A mapping saved for a tab: it applies while the header row reads as `headers`. */
export interface SavedMapping {
  headers: string[];
  mapping: ColumnMapping;
}

export interface TabState {
  sheetId: number;
  /** Object and options (never a mapping or header row: those have their own places). */
  choice: ImportChoice | null;
  /** The choice was guessed from the headers, not used by a person. */
  guessed: boolean;
  /** The header row a person chose; null: guessed each time. */
  headerRow: number | null;
  saved: SavedMapping | null;
  /** The header row read as the saved mapping's when last read (Validate, an import). */
  savedApplies: boolean;
  editVersion: number;
  /** The tab's last import (not a dry run), for `Undo import`; absent in records written before it was kept. */
  lastImport?: TabImport | null;
}

/** Most recently used last. */
type Tabs = TabState[];

export function readTab(sheetId: number): TabState | null {
  return readState<Tabs>("tabs")?.find((t) => t.sheetId === sheetId) ?? null;
}

export function emptyTab(sheetId: number): TabState {
  return {
    sheetId,
    choice: null,
    guessed: false,
    headerRow: null,
    saved: null,
    savedApplies: false,
    editVersion: 0,
  };
}

/**
 * Changes one tab's record under the document lock (the sidebar, onEdit and another person's sidebar
 * all write it): one read and one write of the document's properties.
 */
export function updateTab(sheetId: number, change: (tab: TabState) => TabState): TabState {
  return withDocumentLock(() => {
    const tabs = readState<Tabs>("tabs") ?? [];
    const at = tabs.findIndex((t) => t.sheetId === sheetId);
    const before = at >= 0 ? (tabs.splice(at, 1)[0] as TabState) : emptyTab(sheetId);
    const after = change({ ...before });
    tabs.push(after);
    writeState("tabs", tabs.slice(-MAX_TABS));
    return after;
  });
}

/** The choice as a tab remembers it: object and options only (an unsaved mapping is not remembered). */
export function rememberedChoice(choice: ImportChoice): ImportChoice {
  return {
    object: choice.object,
    groupKey: choice.groupKey,
    sendInvites: choice.sendInvites,
    allowRepeats: choice.allowRepeats,
    ...(choice.writeKeys ? { writeKeys: true } : {}),
    mode: choice.mode ?? "create_and_update",
  };
}

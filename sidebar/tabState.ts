/**
 * What the sidebar remembers of each tab while it is open, keyed by sheet id: the last check of that
 * tab and what came with it, so that a tab on screen shows its own findings and nothing of another's.
 * The add-on keeps the lasting part (object, group, saved mapping) in the document; this is the page's.
 */
import type { ColumnMapping, FixResult, ImportChoice, TabView, ValidationView } from "../src/addon/contract";

export interface TabRecord {
  /** The tab as last polled. */
  tab: TabView;
  /** Its last check, or null: not validated since the sidebar opened (or highlights cleared). */
  view: ValidationView | null;
  /** The tab's editVersion when that check read the sheet; null when not known. */
  checkedVersion: number | null;
  /** Rows were edited since the check and it was not run again (a large sheet). */
  stale: boolean;
  /** What `Fix N cells` last did here, shown until the next check. */
  fixed: FixResult | null;
  /** A dry run of this tab skipped no rows, after its last check. */
  dryRunClean: boolean;
  /** The object and options on screen when the person left this tab. */
  choice: ImportChoice | null;
  /** `Map columns` as the person set it and has not saved; null: the tab's saved (or guessed) mapping. */
  mapping: ColumnMapping | null;
  /** `Header row` as the person chose it; null: the tab's own. */
  headerRow: number | null;
}

const records = new Map<number, TabRecord>();
let shownId: number | null = null;
const listeners: ((record: TabRecord) => void)[] = [];

/** The record of the tab on screen; null before the sidebar knows which tab that is. */
export function shownRecord(): TabRecord | null {
  return shownId === null ? null : (records.get(shownId) ?? null);
}

/** The record of a tab, made empty when the sidebar has not met it yet. */
export function recordOf(tab: TabView): TabRecord {
  let record = records.get(tab.sheetId);
  if (!record) {
    record = {
      tab,
      view: null,
      checkedVersion: null,
      stale: false,
      fixed: null,
      dryRunClean: false,
      choice: null,
      mapping: null,
      headerRow: null,
    };
    records.set(tab.sheetId, record);
  }
  record.tab = tab;
  return record;
}

/** The record of the tab called `sheetName` (a run names its sheet by name). */
export function recordNamed(sheetName: string): TabRecord | null {
  for (const record of records.values()) if (record.tab.sheetName === sheetName) return record;
  return null;
}

/** Puts `tab` on screen; says whether it is another tab than the one shown. */
export function showTab(tab: TabView): boolean {
  const changed = shownId !== tab.sheetId;
  recordOf(tab);
  shownId = tab.sheetId;
  if (changed) shownChanged();
  return changed;
}

/** Keeps a fresh check of a tab; `version` is its editVersion when the check read the sheet. */
export function recordCheck(
  view: ValidationView,
  version: number | null,
  fixed: FixResult | null = null,
): void {
  const known = records.get(view.sheetId);
  const record = known ?? recordOf(placeholderTab(view));
  record.view = view;
  // Not known: the last polled version (a re-check at worst), else the next poll's.
  record.checkedVersion = version ?? (known ? known.tab.editVersion : null);
  record.stale = false;
  record.fixed = fixed;
  record.dryRunClean = false;
  if (view.sheetId === shownId) shownChanged();
}

/** The shown record changed in place (a note, a dry run): panels draw it again. */
export function shownChanged(): void {
  const record = shownRecord();
  if (record) for (const listener of listeners) listener(record);
}

/** Called with the shown tab's record whenever it, or which tab is shown, changes. */
export function onShownChange(listener: (record: TabRecord) => void): void {
  listeners.push(listener);
}

/** A tab known only from a check of it (the sidebar had not polled it yet). */
function placeholderTab(view: ValidationView): TabView {
  return {
    sheetId: view.sheetId,
    sheetName: view.sheetName ?? "",
    choice: null,
    guessed: false,
    savedMapping: view.mapping.saved,
    editVersion: 0,
    lastImport: null,
  };
}

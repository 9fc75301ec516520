/**
 * What the sidebar and the add-on's server side pass each other through google.script.run. Only
 * plain data crosses (no Dates: Google turns a return value holding one into null), so times are ISO
 * strings. The sidebar imports these types only.
 */
import type { ColumnMapping, ObjectName, Severity } from "../core";

export type { ColumnMapping, ObjectName, Severity };

/** The object and options a person chose in the sidebar. */
export interface ImportChoice {
  object: ObjectName;
  /** The group of a leads or deals import. */
  groupKey: string | null;
  /** Partners only: e-mail each created partner an invitation to claim their account. */
  sendInvites: boolean;
  /**
   * Objects the service fingerprints (rewards, transactions, leads): import rows that match a record an
   * earlier import created, instead of skipping them. Off unless the person ticks it for this import.
   */
  allowRepeats: boolean;
  /**
   * `Write keys back` (partners, customers, transactions): the key the importer gives each row it creates
   * goes into the row's key cell when that is blank, so the next import updates it. Off unless ticked.
   */
  writeKeys?: boolean;
  /**
   * The sheet's headers mapped to fields as set in `Map columns` and not yet saved; absent or null: the
   * tab's saved mapping, when its header row is the same as when it was saved.
   */
  mapping?: ColumnMapping | null;
  /** The row that holds the headers (`Header row`); absent or null: the tab's own, else the one guessed. */
  headerRow?: number | null;
  /**
   * Partners, customers, leads and deals: which rows are applied (`Create and update`, `Create only`,
   * `Update only`); a row the mode excludes is skipped. Absent: create_and_update.
   */
  mode?: ImportMode;
}

export type ImportMode = "create_and_update" | "create_only" | "update_only";

/** The tab's last import (not a dry run), for `Undo import`. */
export interface TabImport {
  importId: string;
  object: ObjectName;
  label: string;
  /** ISO time it finished. */
  finishedAt: string;
  counts: { created: number; updated: number };
  /** It was undone (from this sheet or elsewhere, as far as this spreadsheet knows). */
  undone: boolean;
}

/** The tab on screen as the sidebar follows it (polled): what it remembers for this tab. */
export interface TabView {
  sheetId: number;
  sheetName: string;
  /** This tab's object, group and options: as last used here, else guessed from its headers; null when neither. */
  choice: ImportChoice | null;
  /** The choice was guessed from the headers (a tab never used with the importer). */
  guessed: boolean;
  /** A mapping is saved for this tab and its header row is still the same. */
  savedMapping: boolean;
  /** Grows each time onEdit re-checks rows of this tab: findings shown from before are out of date. */
  editVersion: number;
  /** The last import of this tab (not a dry run), which `Undo import` takes back; null when none. */
  lastImport: TabImport | null;
}

/** One column of the sheet in `Map columns`. */
export interface MappedColumn {
  /** 1-based. */
  column: number;
  letter: string;
  header: string;
  /** The field the column is read as; null: ignored (neither checked nor imported). */
  field: string | null;
  /** How it came to be: the header is the field's name, folded to it, an alias, a "did you mean", saved, chosen by the person, or not known. */
  how: "exact" | "renamed" | "alias" | "suggested" | "saved" | "chosen" | "unknown";
  /** The first non-blank value under the header, to recognise the column by (cut to 40 characters). */
  sample: string;
}

/** How a tab's header row maps to the object's fields: what `Map columns` shows. */
export interface MappingView {
  sheetId: number;
  headerRow: number;
  /** Rows that may hold the headers instead (the first rows with anything in them): their number and text. */
  headerRows: { row: number; text: string }[];
  columns: MappedColumn[];
  /** The object's fields, for each column's select. */
  fields: { name: string; required: boolean; typeLabel: string }[];
  /** Required fields no column is read as. */
  missing: string[];
  /** The headers are the object's own: no mapping is needed. */
  matches: boolean;
  /** The mapping in use is saved for this tab. */
  saved: boolean;
}

/** A cell `Fix N cells` rewrites: where, and its value before and after, as text. */
export interface FixView {
  row: number;
  column: number;
  a1: string;
  field: string;
  from: string;
  to: string;
}

/** What `Fix N cells` did, and the tab checked again after it. */
export interface FixResult {
  fixed: number;
  /** The first cells fixed, before → after, in sheet order. */
  changes: FixView[];
  /** Cells not rewritten: changed since they were read, or holding a formula. */
  skipped: number;
  validation: ValidationView;
}

export interface SettingsView {
  url: string;
  /** The saved key's last characters ("…3f9a"); the key itself never returns to the sidebar. */
  keyHint: string | null;
  configured: boolean;
}

/** What `Save` answers: the settings it saved, and who they connect as (it tests before it saves). */
export interface SavedSettings extends SettingsView {
  connection: ConnectionView;
}

/** Who a key belongs to, as the service says. */
export interface ConnectionView {
  user: string;
  role: string;
  mayImport: boolean;
  /** Why the user may not import, when they may not. */
  reason: string | null;
  program: { key: string; name: string; currency: string };
}

/** What the menu asked the sidebar to do when it opened it. */
export type PendingAction = "validate" | "insertTemplate" | "settings";

export interface SidebarContext {
  settings: SettingsView;
  /** The choice last used in this spreadsheet. */
  choice: ImportChoice | null;
  pendingAction: PendingAction | null;
  /** An import that has not finished (closed sidebar, failed call): resume or cancel it. */
  activeImport: ImportProgress | null;
  /** The last report tab written in this spreadsheet. */
  lastReport: string | null;
  /** The tab on screen. */
  tab: TabView;
  /** The tab on screen holds skipped rows of its last import (its Import status column says so). */
  skippedRows: SkippedRowsView | null;
}

/** Rows the last import of a tab skipped: `Import skipped rows` and `Copy skipped rows to a new tab` offer them. */
export interface SkippedRowsView {
  sheetId: number;
  /** How many rows that import skipped. */
  rows: number;
}

/** What `Copy skipped rows to a new tab` made. */
export interface SkippedRowsCopy {
  sheetName: string;
  rows: number;
}

/** A template column, as `View headers` lists it. */
export interface ColumnView {
  name: string;
  required: boolean;
  requirementText: string;
  typeLabel: string;
  example: string;
  description: string;
  options?: readonly string[];
  inTemplate: boolean;
}

export interface CatalogueView {
  program: { key: string; name: string; currency: string };
  objects: {
    object: ObjectName;
    label: string;
    needsGroup: boolean;
    columns: ColumnView[];
    /** Leads and deals: the groups that have the feature, each with its own columns. */
    groups: { key: string; name: string; columns: ColumnView[] }[];
    /** What makes a row a repeat of one an earlier import created, for objects without a key of their own. */
    repeats: string | null;
    /** The key column `Write keys back` fills for this object (partner_key…), or null when it has none to fill. */
    keyWrittenBack: string | null;
  }[];
}

/** One thing wrong with a header or a cell of a sheet; `a1` is where to select it. */
export interface Finding {
  sheetId: number;
  row: number;
  column: number | null;
  a1: string | null;
  field: string | null;
  severity: Severity;
  code: string;
  message: string;
  suggestion?: string;
}

export interface ValidationView {
  sheetId: number;
  /** The sheet's name as last seen (validating does not spend a Spreadsheet call on it). */
  sheetName: string | null;
  headerRow: number;
  /** A header error: nothing is checked or imported until the header row is fixed. */
  blocked: boolean;
  headerAlerts: Finding[];
  /** Data rows (blank rows not counted). */
  rows: number;
  rowsWithErrors: number;
  errors: number;
  warnings: number;
  /** The first findings, in sheet order; `truncated` when there are more. */
  findings: Finding[];
  truncated: boolean;
  /** Cells coloured in the sheet. */
  highlighted: number;
  /** How the header row was read: `Map columns` shows it, at once when the headers do not match. */
  mapping: MappingView;
  /** Cells in a common form of a value (`fixable` warnings) that `Fix N cells` rewrites. */
  fixable: number;
  /** The first of them, before → after, in sheet order. */
  fixes: FixView[];
}

export interface TemplateResult {
  sheetName: string;
  columns: number;
  /** A row was inserted above existing data to hold the headers. */
  insertedRow: boolean;
}

export type ImportStatus = "running" | "stopped" | "completed" | "cancelled";

export interface ImportCounts {
  created: number;
  updated: number;
  skipped: number;
  /** Rows that match a record an earlier import created, or another row: skipped, or with allowRepeats created. */
  repeats: number;
}

/**
 * What `Import` shows before any row is sent: the choice, the sheet as read now, and the last dry run when
 * it was of these same rows and options. `fingerprint` goes back with `Confirm import`, so the import
 * sends exactly the rows the person confirmed.
 */
export interface ImportReview {
  choice: ImportChoice;
  label: string;
  sheetId: number;
  sheetName: string;
  rows: number;
  groupName: string | null;
  fingerprint: string;
  dryRun: DryRunFigures | null;
}

export interface DryRunFigures {
  importId: string;
  /** ISO time the dry run finished. */
  finishedAt: string;
  counts: ImportCounts;
  /** Rewards: the US cents the import would issue. */
  issuedUsdCents: number | null;
  /** Records that would change, per field (ImportProgress.changeCounts). */
  changeCounts: FieldChangeCount[];
}

/** Where an import (or dry run) stands; the sidebar drives it with continueImport until it is done. */
export interface ImportProgress {
  importId: string;
  object: ObjectName;
  label: string;
  dryRun: boolean;
  /** Rows that match earlier imports are imported again (ImportChoice.allowRepeats). */
  allowRepeats: boolean;
  /** Import skipped rows: the import whose skipped rows this one imports again (null when not known). */
  retryOf: string | null;
  /** Only the rows whose Import status said skipped were sent (Import skipped rows). */
  skippedOnly: boolean;
  status: ImportStatus;
  sheetName: string;
  rowsTotal: number;
  rowsSent: number;
  chunksTotal: number;
  chunksSent: number;
  counts: ImportCounts;
  /** Rewards: the money issued (or, in a dry run, that would be), in US cents. */
  issuedUsdCents: number | null;
  /** Why the import stopped, and what to do. */
  message: string | null;
  /** Whether Resume import may go on: after a failed call, or once rows that changed are as they were. */
  resumable: boolean;
  /** The report tab, once written. */
  reportSheet: string | null;
  /** Rows the service skipped, highlighted in the source sheet with its reasons. */
  skippedFindings: Finding[];
  /** Who started it (or took it over), as the importer knows them; null when not known. */
  startedBy: string | null;
  /** Whether it is this person's: only its holder resumes or cancels it. */
  mine: boolean;
  /** Someone else's import that has not moved for 30 minutes: this person may take it over. */
  mayTakeOver: boolean;
  /**
   * Per field, how many records the rows change (a dry run: would change), most first: only fields
   * whose stored value differs from the row's. Counts only, to keep the state small.
   */
  changeCounts: FieldChangeCount[];
  /**
   * Someone else's unfinished import, as the sidebar says it: "ops@demo.test is importing Partners from
   * “Sheet1”: 4,000 of 20,000 rows sent." and what this person may do about it; null when it is theirs.
   */
  holderLine: string | null;
}

/** How many records an import changes (or would change) one field of. */
export interface FieldChangeCount {
  field: string;
  /** The field as the sidebar says it ("email", "tags", "shipping address city"). */
  words: string;
  records: number;
}

/** A refusal of an undo: a record it leaves as it is, and why. */
export interface UndoRefusal {
  recordKey: string | null;
  row: number | null;
  code: string;
  reason: string;
}

/** What `Undo import` would do (dry run) or did, for the tab's last import. */
export interface UndoView {
  importId: string;
  object: ObjectName;
  label: string;
  sheetName: string;
  dryRun: boolean;
  /** Records the import created, removed (or that would be). */
  removed: number;
  /** Records the import updated, given back their values from before it. */
  restored: number;
  refused: UndoRefusal[];
  /** Invite emails already sent to created partners: they cannot be unsent. */
  invitesSent: number;
  /** Invites not yet sent, withdrawn. */
  invitesWithdrawn: number;
  /** The import's status as the importer answered ("undone" once undone). */
  importStatus: string;
  /** The whole answer in a sentence or two, as the sidebar says it. */
  summary: string;
}

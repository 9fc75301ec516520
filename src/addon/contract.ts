/**
 * What the sidebar and the add-on's server side pass each other through google.script.run. Only
 * plain data crosses (no Dates: Google turns a return value holding one into null), so times are ISO
 * strings. The sidebar imports these types only.
 */
import type { ObjectName, Severity } from "../core";

export type { ObjectName, Severity };

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
}

/** Where an import (or dry run) stands; the sidebar drives it with continueImport until it is done. */
export interface ImportProgress {
  importId: string;
  object: ObjectName;
  label: string;
  dryRun: boolean;
  /** Rows that match earlier imports are imported again (ImportChoice.allowRepeats). */
  allowRepeats: boolean;
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
   * Someone else's unfinished import, as the sidebar says it: "ops@demo.test is importing Partners from
   * “Sheet1”: 4,000 of 20,000 rows sent." and what this person may do about it; null when it is theirs.
   */
  holderLine: string | null;
}

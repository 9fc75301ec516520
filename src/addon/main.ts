/**
 * The functions Apps Script calls, and nothing else: each hands over to a module.
 * Every export must be listed in entryPoints.ts (build.mjs checks both ways).
 */

import { activeTabView } from "./activeTab";
import type {
  CatalogueView,
  ConnectionView,
  FixResult,
  ImportChoice,
  ImportProgress,
  ImportReview,
  SavedSettings,
  SidebarContext,
  SkippedRowsCopy,
  TabView,
  TemplateResult,
  UndoView,
  ValidationView,
} from "./contract";
import { recheckEditedRows } from "./editCheck";
import { fixActiveSheet } from "./fixCells";
import { clearSheetHighlights, selectSheetCell } from "./highlights";
import { reviewSheetImport } from "./importReview";
import {
  cancelRunningImport,
  continueRunningImport,
  startSheetImport,
  startSkippedRowsImport,
} from "./importRun";
import { addImporterMenu } from "./menu";
import { loadCatalogueView } from "./programCatalogue";
import { openReportTab } from "./reportTab";
import { checkConnection, saveUserSettings } from "./settings";
import { openSidebarFor, showImporterSidebar } from "./sidebar";
import { sidebarContext } from "./sidebarContext";
import { copySkippedRowsToTab } from "./skippedRows";
import { insertTemplateRow, templateFile } from "./templateHeaders";
import { previewTabUndo, undoTabImport } from "./undo";
import { renameTabHeaders, saveTabMapping, validateActiveSheet } from "./validation";

type OpenEvent = GoogleAppsScript.Events.SheetsOnOpen | GoogleAppsScript.Events.AddonOnInstall;

/** Simple trigger; may run in AuthMode.NONE, so it only builds the menu. */
export function onOpen(_e?: OpenEvent): void {
  addImporterMenu();
}

/** Runs once when the add-on is installed; the document is already open, so add the menu now. */
export function onInstall(e?: GoogleAppsScript.Events.AddonOnInstall): void {
  onOpen(e);
}

/**
 * Simple trigger (30 s): re-checks rows a person edited in a validated sheet. Under AuthMode.NONE (the
 * add-on installed but not yet used in this spreadsheet) document properties are refused, and nothing
 * was validated here anyway: it returns at once. Enums are objects in Apps Script, so the mode is
 * compared with ScriptApp.AuthMode.NONE, never with the string "NONE".
 * https://developers.google.com/workspace/add-ons/concepts/editor-auth-lifecycle#authorization_modes
 */
export function onEdit(e: GoogleAppsScript.Events.SheetsOnEdit): void {
  if (e?.authMode === ScriptApp.AuthMode.NONE) return;
  recheckEditedRows(e);
}

// menu items

export function showImporter(): void {
  showImporterSidebar();
}

export function insertTemplateHeaders(): void {
  openSidebarFor("insertTemplate");
}

export function validateSheet(): void {
  openSidebarFor("validate");
}

/** Menu item and sidebar button: restores every highlighted cell's own background and note. */
export function clearHighlights(): number {
  return clearSheetHighlights();
}

export function showSettings(): void {
  openSidebarFor("settings");
}

// called by the sidebar

export function loadSidebar(): SidebarContext {
  return sidebarContext();
}

/** Tests the URL and key as typed, and saves them only when the importer accepts them. */
export function saveSettings(url: string, apiKey: string): SavedSettings {
  return saveUserSettings(url, apiKey);
}

/** Who the URL and key as typed connect as (an empty key: the saved one); no arguments: the saved settings. */
export function testConnection(url?: string, apiKey?: string): ConnectionView {
  return checkConnection(url, apiKey);
}

export function loadCatalogue(): CatalogueView {
  return loadCatalogueView();
}

export function insertTemplate(choice: ImportChoice): TemplateResult {
  return insertTemplateRow(choice);
}

/** The template's header row as CSV text, for `Download CSV template`. */
export function templateCsv(choice: ImportChoice): { fileName: string; csv: string } {
  return templateFile(choice);
}

export function validate(choice: ImportChoice): ValidationView {
  return validateActiveSheet(choice);
}

/** The tab on screen and what it remembers (the sidebar polls it to follow the person's tab). */
export function activeTab(): TabView {
  return activeTabView();
}

/** `Save mapping`: keeps the mapping for this tab while its headers stay the same, and validates with it. */
export function saveMapping(choice: ImportChoice): ValidationView {
  return saveTabMapping(choice);
}

/** `Rename headers`: writes the mapped fields' names into the header row, and validates. */
export function renameHeaders(choice: ImportChoice): ValidationView {
  return renameTabHeaders(choice);
}

/** `Fix N cells`: rewrites the cells Validate found in a common form of a value with their canonical form. */
export function fixCells(choice: ImportChoice): FixResult {
  return fixActiveSheet(choice);
}

/** Selects a finding's cell (its row's first cell when the finding has no column). */
export function selectCell(sheetId: number, row: number, column: number | null): void {
  selectSheetCell(sheetId, row, column);
}

/** What `Import` shows before any row is sent (the sheet, the options, the matching dry run). */
export function reviewImport(choice: ImportChoice): ImportReview {
  return reviewSheetImport(choice);
}

/** `confirmed`: the review's fingerprint, so rows changed since the confirmation are not sent. */
export function startImport(
  choice: ImportChoice,
  dryRun: boolean,
  confirmed?: string | null,
): ImportProgress {
  return startSheetImport(choice, dryRun, confirmed);
}

export function continueImport(): ImportProgress {
  return continueRunningImport();
}

export function cancelImport(): ImportProgress | null {
  return cancelRunningImport();
}

export function openReport(): string | null {
  return openReportTab();
}

/** `Import skipped rows`: imports again the active sheet's rows whose Import status says skipped. */
export function importSkippedRows(choice: ImportChoice): ImportProgress {
  return startSkippedRowsImport(choice);
}

/** `Copy skipped rows to a new tab`: the header row and the skipped rows of the active sheet, in a new tab. */
export function copySkippedRows(): SkippedRowsCopy {
  return copySkippedRowsToTab();
}

/** What `Undo import` would do to the last import of the tab on screen; changes nothing. */
export function previewUndo(): UndoView {
  return previewTabUndo();
}

/** `Confirm undo`: undoes the import the preview showed (`importId`), if it is still the tab's last. */
export function undoLastImport(importId: string): UndoView {
  return undoTabImport(importId);
}

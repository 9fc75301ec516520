/**
 * The functions Apps Script calls by name: triggers, menu items and what the sidebar calls.
 * build.mjs declares each one at the top level of Code.js and fails when this list and the
 * exports of main.ts disagree, so a function is reachable from Sheets exactly when it is listed here.
 */
export const entryPoints = [
  // triggers
  "onOpen",
  "onInstall",
  "onEdit",
  // menu items
  "showImporter",
  "insertTemplateHeaders",
  "validateSheet",
  "clearHighlights",
  "showSettings",
  // called by the sidebar
  "loadSidebar",
  "saveSettings",
  "testConnection",
  "loadCatalogue",
  "insertTemplate",
  "templateCsv",
  "validate",
  "activeTab",
  "saveMapping",
  "renameHeaders",
  "fixCells",
  "selectCell",
  "reviewImport",
  "startImport",
  "continueImport",
  "cancelImport",
  "openReport",
  "importSkippedRows",
  "copySkippedRows",
  "previewUndo",
  "undoLastImport",
] as const;

export type EntryPoint = (typeof entryPoints)[number];

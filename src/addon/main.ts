/**
 * The functions Apps Script calls, and nothing else: each hands over to a module.
 * Every export must be listed in entryPoints.ts (build.mjs checks both ways).
 */
import { showComingSoon } from "./comingSoon";
import { addImporterMenu } from "./menu";
import { showImporterSidebar } from "./sidebar";

type OpenEvent = GoogleAppsScript.Events.SheetsOnOpen | GoogleAppsScript.Events.AddonOnInstall;

/** Simple trigger; may run in AuthMode.NONE, so it only builds the menu. */
export function onOpen(_e?: OpenEvent): void {
  addImporterMenu();
}

/** Runs once when the add-on is installed; the document is already open, so add the menu now. */
export function onInstall(e?: GoogleAppsScript.Events.AddonOnInstall): void {
  onOpen(e);
}

export function showImporter(): void {
  showImporterSidebar();
}

export function insertTemplateHeaders(): void {
  showComingSoon("Insert template headers");
}

export function validateSheet(): void {
  showComingSoon("Validate sheet");
}

export function clearHighlights(): void {
  showComingSoon("Clear highlights");
}

export function showSettings(): void {
  showComingSoon("Settings");
}

import type { PendingAction } from "./contract";
import { writeState } from "./documentState";

/** Opens the importer sidebar (dist/addon/Sidebar.html, built from sidebar/). */
export function showImporterSidebar(): void {
  const page = HtmlService.createHtmlOutputFromFile("Sidebar").setTitle("Channel Importer");
  SpreadsheetApp.getUi().showSidebar(page);
}

/**
 * A menu item that needs the sidebar's choices (which object, which group): the sidebar opens and
 * does it once it has them.
 */
export function openSidebarFor(action: PendingAction): void {
  writeState("pending", action);
  showImporterSidebar();
}

import type { EntryPoint } from "./entryPoints";

/** The add-on's menu, in order: what a person reads, and the entry point it runs. */
export const importerMenu: readonly { caption: string; handler: EntryPoint }[] = [
  { caption: "Open importer", handler: "showImporter" },
  { caption: "Insert template headers", handler: "insertTemplateHeaders" },
  { caption: "Validate sheet", handler: "validateSheet" },
  { caption: "Clear highlights", handler: "clearHighlights" },
  { caption: "Settings", handler: "showSettings" },
];

/**
 * Adds `Extensions › Channel Importer`. Runs from onOpen, possibly in AuthMode.NONE, so it must not
 * read properties or the document.
 */
export function addImporterMenu(): void {
  const menu = SpreadsheetApp.getUi().createAddonMenu();
  for (const { caption, handler } of importerMenu) menu.addItem(caption, handler);
  menu.addToUi();
}

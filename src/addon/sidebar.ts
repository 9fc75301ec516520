/** Opens the importer sidebar (dist/addon/Sidebar.html, built from sidebar/). */
export function showImporterSidebar(): void {
  const page = HtmlService.createHtmlOutputFromFile("Sidebar").setTitle("Channel Importer");
  SpreadsheetApp.getUi().showSidebar(page);
}

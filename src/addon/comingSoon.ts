/** Stands in for a menu item whose feature is not built yet. */
export function showComingSoon(feature: string): void {
  const ui = SpreadsheetApp.getUi();
  ui.alert("Channel Importer", `${feature} is coming soon.`, ui.ButtonSet.OK);
}

import type { ImportChoice, PendingAction, SidebarContext } from "./contract";
import { clearState, readState } from "./documentState";
import { unfinishedImport } from "./importRun";
import { settingsView } from "./settings";
import { refreshTimeZone, rememberSheetName } from "./sheetTable";

/** Everything the sidebar shows when it opens, in one call. */
export function sidebarContext(): SidebarContext {
  refreshTimeZone();
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
  const pendingAction = readState<PendingAction>("pending");
  if (pendingAction) clearState("pending");
  return {
    settings: settingsView(),
    choice: readState<ImportChoice>("choice"),
    pendingAction,
    activeImport: unfinishedImport(),
    lastReport: readState<string>("lastReport"),
    // Placeholder until tabs are followed: the spreadsheet's last choice.
    tab: {
      sheetId,
      sheetName,
      choice: readState<ImportChoice>("choice"),
      guessed: false,
      savedMapping: false,
      editVersion: 0,
    },
  };
}

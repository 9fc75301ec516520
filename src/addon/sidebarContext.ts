import { activeTabView } from "./activeTab";
import type { ImportChoice, PendingAction, SidebarContext } from "./contract";
import { clearState, readState } from "./documentState";
import { unfinishedImport } from "./importRun";
import { settingsView } from "./settings";
import { refreshLocale, refreshTimeZone } from "./sheetTable";
import { skippedRowsOfTab } from "./skippedRows";

/** Everything the sidebar shows when it opens, in one call. */
export function sidebarContext(): SidebarContext {
  refreshTimeZone();
  refreshLocale();
  const pendingAction = readState<PendingAction>("pending");
  if (pendingAction) clearState("pending");
  const tab = activeTabView();
  return {
    settings: settingsView(),
    choice: readState<ImportChoice>("choice"),
    pendingAction,
    activeImport: unfinishedImport(),
    lastReport: readState<string>("lastReport"),
    tab,
    skippedRows: skippedRowsOfTab(tab.sheetId),
  };
}

/**
 * The importer sidebar: asks the server where this spreadsheet stands, loads the program's catalogue
 * once the settings allow it, then does what the menu opened the sidebar for.
 */
import type { PendingAction } from "../src/addon/contract";
import { loadCatalogue } from "./catalogue";
import { setChoice } from "./choicePanel";
import { insertTemplateHeaders } from "./headersPanel";
import { showActiveImport, showLastReport, showSkippedRows } from "./importPanel";
import { callServer } from "./serverClient";
import { onSettingsSaved, openSettings, showSettings } from "./settingsPanel";
import "./mappingPanel";
import "./fixPanel";
import "./undoPanel";
import { followTabs } from "./tabFollower";
import { runTask, showStatus } from "./tasks";
import { validateSheet } from "./validationPanel";

/** What the menu asked for; waits for the catalogue (and so for working settings). */
let pending: PendingAction | null = null;

async function start(): Promise<void> {
  const context = await runTask("Loading…", () => callServer("loadSidebar"));
  if (!context) return;
  showSettings(context.settings);
  // The tab on screen brings its own object and options; the spreadsheet's last choice is for a new tab.
  if (context.choice && !context.tab.choice) setChoice(context.choice);
  followTabs(context.tab);
  showLastReport(context.lastReport);
  showSkippedRows(context.skippedRows);
  pending = context.pendingAction;
  if (pending === "settings") {
    pending = null;
    openSettings();
  }
  if (context.settings.configured) await refreshCatalogue();
  else showStatus("Set up the importer in Settings: enter its address and your API key, then Save.");
  if (context.activeImport) showActiveImport(context.activeImport);
}

/** Loads the catalogue; when it fails the message shows and the rest of the page stays usable. */
async function refreshCatalogue(): Promise<void> {
  const catalogue = await runTask("Loading the program's columns…", loadCatalogue);
  if (!catalogue) return;
  showStatus(`Connected to ${catalogue.program.name}.`);
  const action = pending;
  pending = null;
  if (action === "validate") await validateSheet();
  else if (action === "insertTemplate") await insertTemplateHeaders();
}

onSettingsSaved(() => refreshCatalogue());
void start();

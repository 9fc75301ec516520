/**
 * `Undo import`: offered for the last import of the tab on screen (never a dry run). It asks first: the
 * importer's dry run of the undo says what would be removed and restored, and what cannot be undone;
 * then `Confirm undo` undoes that same import, or `Back` leaves it as it is.
 */
import type { ImportProgress, TabImport, TabView, UndoView } from "../src/addon/contract";
import { callServer, onServerAnswer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { element, fill, requireElement } from "./view";

const undoButton = requireElement<HTMLButtonElement>("#undo-import");
const undoNote = requireElement<HTMLParagraphElement>("#undo-note");
const panel = requireElement<HTMLDivElement>("#undo-panel");
const title = requireElement<HTMLHeadingElement>("#undo-title");
const summary = requireElement<HTMLParagraphElement>("#undo-summary");
const refusedList = requireElement<HTMLUListElement>("#undo-refused");
const backButton = requireElement<HTMLButtonElement>("#undo-back");
const confirmButton = requireElement<HTMLButtonElement>("#confirm-undo");

/** Refusals listed one a line; the summary counts them all. */
const SHOWN_REFUSALS = 10;

/** The tab on screen, as last heard from the add-on. */
let tab: TabView | null = null;
/** The undo the panel shows (a dry run), waiting for Confirm undo or Back. */
let asked: UndoView | null = null;

function heardTab(view: TabView): void {
  if (tab && tab.sheetId !== view.sheetId) close();
  tab = view;
  render();
}

/** An import that just finished is its tab's last: offered at once, before the next poll says so. */
function heardRun(progress: ImportProgress | null): void {
  if (
    !progress ||
    progress.dryRun ||
    progress.status !== "completed" ||
    tab?.sheetName !== progress.sheetName
  )
    return;
  if (tab.lastImport?.importId === progress.importId) return;
  const last: TabImport = {
    importId: progress.importId,
    object: progress.object,
    label: progress.label,
    finishedAt: new Date().toISOString(),
    counts: { created: progress.counts.created, updated: progress.counts.updated },
    undone: false,
  };
  tab = { ...tab, lastImport: last };
  render();
}

function render(): void {
  const last = tab?.lastImport ?? null;
  undoButton.hidden = last === null || last.undone || asked !== null;
  undoNote.textContent =
    last?.undone === true ? `The last import of ${last.label.toLowerCase()} from this tab is undone.` : "";
  undoNote.hidden = undoNote.textContent === "";
}

async function ask(): Promise<void> {
  const view = await runTask("Asking the importer what undoing the last import would do…", () =>
    callServer("previewUndo"),
  );
  if (!view) return;
  asked = view;
  title.textContent = `Undo the import of ${view.label.toLowerCase()} from "${view.sheetName}"?`;
  summary.textContent = view.summary;
  fill(
    refusedList,
    ...view.refused.slice(0, SHOWN_REFUSALS).map((refusal) => {
      const where = refusal.row !== null ? `Row ${refusal.row}` : (refusal.recordKey ?? "A record");
      return element("li", null, `${where}: ${refusal.reason}`);
    }),
  );
  refusedList.hidden = view.refused.length === 0;
  panel.hidden = false;
  render();
  showStatus("Check what the undo would do, then Confirm undo or Back.");
  title.focus({ preventScroll: true });
  panel.scrollIntoView({ block: "nearest" });
}

async function confirmUndo(): Promise<void> {
  const shown = asked;
  if (!shown) return;
  const done = await runTask("Undoing the import…", () => callServer("undoLastImport", shown.importId));
  close();
  if (!done) return;
  if (tab?.lastImport?.importId === done.importId)
    tab = { ...tab, lastImport: { ...tab.lastImport, undone: true } };
  render();
  showStatus(`Import undone. ${done.summary}`);
}

function close(): void {
  asked = null;
  panel.hidden = true;
  render();
}

undoButton.addEventListener("click", ask);
confirmButton.addEventListener("click", confirmUndo);
backButton.addEventListener("click", () => {
  close();
  showStatus("Nothing was undone.");
  undoButton.focus();
});
onServerAnswer("loadSidebar", (context) => heardTab(context.tab));
onServerAnswer("activeTab", heardTab);
onServerAnswer("startImport", heardRun);
onServerAnswer("continueImport", heardRun);

/**
 * Which tab the last run (dry run or import) belongs to, learnt from the add-on's answers about it.
 * A finished run's result and `Open report` show only while its tab (or its report) is on screen, and a
 * dry run that skipped no rows makes its tab "ready to import".
 */
import type { ImportProgress, TabView } from "../src/addon/contract";
import { onServerAnswer } from "./serverClient";
import { recordNamed, shownChanged, shownRecord } from "./tabState";

let run: ImportProgress | null = null;

function seen(progress: ImportProgress | null): void {
  if (!progress) return;
  run = progress;
  if (progress.dryRun && progress.status === "completed") {
    const record = recordNamed(progress.sheetName);
    if (record?.view) {
      record.dryRunClean = progress.counts.skipped === 0;
      if (record === shownRecord()) shownChanged();
    }
  }
  showRunFor(shownRecord()?.tab ?? null);
}

/**
 * Hides a finished run's result and the report link on another tab than the run's. An unfinished run
 * stays in sight wherever the person is: Resume import and Cancel import act on it from any tab.
 */
export function showRunFor(tab: TabView | null): void {
  const finished = run !== null && (run.status === "completed" || run.status === "cancelled");
  const elsewhere =
    finished && tab !== null && tab.sheetName !== run?.sheetName && tab.sheetName !== run?.reportSheet;
  document.body.toggleAttribute("data-run-elsewhere", elsewhere);
}

onServerAnswer("startImport", seen);
onServerAnswer("continueImport", seen);
onServerAnswer("cancelImport", seen);
onServerAnswer("loadSidebar", (context) => seen(context.activeImport));

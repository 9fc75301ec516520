/**
 * `Dry run` and `Import`: `Import` first asks the person to confirm (confirmPanel); then an import starts
 * and is driven chunk by chunk with continueImport while the server says it is running, showing
 * progress; a stopped or interrupted import can be resumed or cancelled, here or after the sidebar was
 * closed (loadSidebar's activeImport).
 */
import type { ImportChoice, ImportProgress, ImportReview, SkippedRowsView } from "../src/addon/contract";
import { catalogueObject } from "./catalogue";
import { changeCountParts } from "./changeCounts";
import { currentChoice, onChoiceChange } from "./choicePanel";
import { askToConfirm, closeConfirmation } from "./confirmPanel";
import { renderFindings } from "./findingsList";
import { countRows, countsSentence, paceLine, repeatsSentence } from "./importWording";
import { callServer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { lastValidation } from "./validationPanel";
import { countOf, element, fill, formatCount, formatUsdCents, requireElement } from "./view";

const dryRunButton = requireElement<HTMLButtonElement>("#dry-run");
const importButton = requireElement<HTMLButtonElement>("#import");
const state = requireElement<HTMLDivElement>("#import-state");
const title = requireElement<HTMLHeadingElement>("#import-title");
const bar = requireElement<HTMLProgressElement>("#import-progress");
const line = requireElement<HTMLParagraphElement>("#import-line");
const note = requireElement<HTMLParagraphElement>("#import-note");
const cancelButton = requireElement<HTMLButtonElement>("#cancel-import");
const resumeButton = requireElement<HTMLButtonElement>("#resume-import");
const result = requireElement<HTMLDivElement>("#import-result");
const reportButton = requireElement<HTMLButtonElement>("#open-report");
const skippedActions = requireElement<HTMLDivElement>("#skipped-actions");
const importSkippedButton = requireElement<HTMLButtonElement>("#import-skipped");
const copySkippedButton = requireElement<HTMLButtonElement>("#copy-skipped");
/** Under the progress line: rows per second and time left, while this page drives an import. */
const pace = element("p", "progress-line");
pace.id = "import-pace";
pace.hidden = true;
line.after(pace);

/** The server's last word on the import. */
let progress: ImportProgress | null = null;
/** This page is calling continueImport in a loop. */
let driving = false;
let cancelRequested = false;
/** A continueImport call failed: the server still holds the import, ready to go on. */
let interrupted = false;
/** Said while an import runs whose sheet the last check found errors in. */
let skipNote = "";
/** An import or dry run asked for and not yet answered: shown at 0 of its rows, in place of any earlier run. */
let starting: { dryRun: boolean; label: string; sheetName: string | null; rows: number | null } | null = null;
/** This page's run of calls: when it began and the rows sent before it, to measure its pace. */
let run: { since: number; rowsBefore: number } | null = null;
/** Skipped rows of the tab's last import, as the sidebar found them when it opened. */
let knownSkipped: SkippedRowsView | null = null;

/** Shows an import that has not finished (found on load): resume or cancel it. */
export function showActiveImport(active: ImportProgress): void {
  if (active.status === "completed" || active.status === "cancelled") return;
  closeConfirmation();
  progress = active;
  render();
  // Someone else's: who is importing what and how far, and whether this person may take it over.
  if (active.holderLine) {
    showStatus(active.holderLine);
    return;
  }
  const what = `${active.dryRun ? "A dry run" : "An import"} of ${active.label.toLowerCase()} from "${active.sheetName}"`;
  showStatus(`${what} has not finished: resume or cancel it.`);
}

/** Offers `Import skipped rows` and `Copy skipped rows to a new tab` for rows an earlier import skipped. */
export function showSkippedRows(view: SkippedRowsView | null): void {
  knownSkipped = view;
  renderSkippedActions();
}

/** Offers `Open report` for the report tab an earlier import wrote. */
export function showLastReport(sheetName: string | null): void {
  reportButton.hidden = sheetName === null;
}

/**
 * Starts a dry run, or the import the person confirmed: `confirmed` is the fingerprint of the rows the
 * confirmation showed, so rows that changed since are refused by the server before anything is sent.
 */
async function start(
  choice: ImportChoice,
  dryRun: boolean,
  confirmed: string | null = null,
  review: ImportReview | null = null,
): Promise<void> {
  const checked = lastValidation();
  skipNote =
    !dryRun && checked && checked.rowsWithErrors > 0
      ? `The service will skip the ${countOf(checked.rowsWithErrors, "row")} with errors that the last check found.`
      : "";
  // The bar shows at once, at 0 of the rows the confirmation (or else the last check) counted; what an
  // earlier run left is gone, as it says nothing about this one.
  const sheet = review ?? checked;
  starting = {
    dryRun,
    label: review?.label ?? catalogueObject(choice.object)?.label ?? choice.object,
    sheetName: sheet?.sheetName ?? null,
    rows: sheet?.rows ?? null,
  };
  progress = null;
  await drive(`${dryRun ? "Starting a dry run" : "Starting the import"}… ${skipNote}`.trim(), () =>
    callServer("startImport", choice, dryRun, confirmed),
  );
}

/** `Import`: reads the sheet as it is now and asks the person to confirm; nothing is sent before. */
async function askFirst(): Promise<void> {
  const review = await runTask("Getting the import ready…", () =>
    callServer("reviewImport", currentChoice()),
  );
  if (!review) return;
  askToConfirm(review, lastValidation(), {
    confirm: (confirmed) => void start(confirmed.choice, false, confirmed.fingerprint, confirmed),
    dryRun: (asked) => void dryRunThenAsk(asked),
    back: () => showStatus("Nothing was imported."),
  });
  showStatus(readySentence(review));
}

/** The confirmation's `Dry run`: once it is done, the confirmation comes back with its figures. */
async function dryRunThenAsk(review: ImportReview): Promise<void> {
  await start(review.choice, true, null, review);
  if (progress?.dryRun && progress.status === "completed") await askFirst();
}

function readySentence(review: ImportReview): string {
  const rows = `${countOf(review.rows, "row")} of ${review.label.toLowerCase()} from "${review.sheetName}"`;
  return review.dryRun
    ? `Ready to import ${rows}: check the dry run's figures, then Confirm import.`
    : // Not "ready": the service's own checks (unknown partners, existing customers) have not run.
      `About to import ${rows} with no dry run: the importer skips rows its own checks refuse (an unknown partner, say). Confirm import, Dry run first, or Back.`;
}

/**
 * `Import skipped rows`: the rows whose Import status says skipped (fixed since, as the person says) go
 * as an import of their own, linked to the one that skipped them; their status cells then say anew.
 */
async function importSkipped(): Promise<void> {
  const choice = currentChoice();
  skipNote = "";
  starting = {
    dryRun: false,
    label: catalogueObject(choice.object)?.label ?? choice.object,
    sheetName: progress?.sheetName ?? null,
    rows: skippedCount(),
  };
  progress = null;
  await drive("Importing the skipped rows again…", () => callServer("importSkippedRows", choice));
}

async function copySkipped(): Promise<void> {
  const copy = await runTask("Copying the skipped rows…", () => callServer("copySkippedRows"));
  if (!copy) return;
  showStatus(
    `Copied ${countOf(copy.rows, "skipped row")} and the header row to the new tab "${copy.sheetName}": fix them there and import it.`,
  );
}

/** Rows the last import skipped: this page's own, else what the sidebar found when it opened. */
function skippedCount(): number | null {
  if (progress && !progress.dryRun && progress.status === "completed") return progress.counts.skipped;
  return knownSkipped?.rows ?? null;
}

function renderSkippedActions(): void {
  const finished = progress === null || progress.status === "completed" || progress.status === "cancelled";
  skippedActions.hidden = driving || !finished || (skippedCount() ?? 0) === 0;
}

async function resume(): Promise<void> {
  await drive("Resuming the import…", continueOnServer);
}

/** A failed continueImport leaves the import on the server, ready to resume. */
async function continueOnServer(): Promise<ImportProgress> {
  try {
    return await callServer("continueImport");
  } catch (error) {
    interrupted = true;
    throw error;
  }
}

/** Runs `first` (start or resume), then continues while the import runs. */
async function drive(working: string, first: () => Promise<ImportProgress>): Promise<void> {
  cancelRequested = false;
  await runTask(working, async () => {
    driving = true;
    interrupted = false;
    run = { since: Date.now(), rowsBefore: progress?.rowsSent ?? 0 };
    render();
    try {
      let current = await first();
      starting = null;
      while (current.status === "running") {
        progress = current;
        render();
        showStatus(outcome(current));
        if (cancelRequested) {
          current = (await callServer("cancelImport")) ?? { ...current, status: "cancelled" };
          break;
        }
        current = await continueOnServer();
      }
      progress = current;
      showStatus(outcome(current));
    } finally {
      driving = false;
      starting = null;
      run = null;
      render();
    }
  });
}

async function cancel(): Promise<void> {
  if (driving) {
    cancelRequested = true;
    cancelButton.disabled = true;
    showStatus("Cancelling once the rows being sent now are done…");
    return;
  }
  const cancelled = await runTask("Cancelling the import…", async () => ({
    view: await callServer("cancelImport"),
  }));
  if (!cancelled) return;
  interrupted = false;
  if (cancelled.view) {
    progress = cancelled.view;
    showStatus(outcome(cancelled.view));
  } else {
    progress = null;
    showStatus("There was no unfinished import to cancel.");
  }
  render();
}

async function openReport(): Promise<void> {
  const opened = await runTask("Opening the report…", async () => ({ tab: await callServer("openReport") }));
  if (!opened) return;
  showStatus(
    opened.tab ? `Opened the report tab "${opened.tab}".` : "This spreadsheet has no import report yet.",
  );
}

function outcome(view: ImportProgress): string {
  const what = view.dryRun ? "Dry run" : "Import";
  switch (view.status) {
    case "completed":
      return `${what} done: ${countsSentence(view.object, view.dryRun, view.counts)}. ${repeatsSentence(view.dryRun, view.allowRepeats, view.counts.repeats)}`.trim();
    case "cancelled":
      return `${what} cancelled after ${countOf(view.rowsSent, "row")}.`;
    case "stopped":
      return `${what} stopped. ${view.message ?? ""}`.trim();
    case "running":
      return `${what} in progress: ${sentLine(view)}.`;
  }
}

function sentLine(view: ImportProgress): string {
  return `${formatCount(view.rowsSent)} of ${countOf(view.rowsTotal, "row")} sent`;
}

function render(): void {
  const view = progress;
  state.hidden = view === null && starting === null;
  pace.hidden = true;
  if (!view) {
    cancelButton.hidden = resumeButton.hidden = true;
    renderSkippedActions();
    fill(result);
    if (starting) renderStarting(starting);
    return;
  }
  const unfinished = view.status === "running" || view.status === "stopped";
  title.textContent = `${view.dryRun ? "Dry run" : "Import"}: ${view.label} from "${view.sheetName}"`;
  bar.max = Math.max(view.rowsTotal, 1);
  bar.value = Math.min(view.rowsSent, bar.max);
  line.textContent = sentLine(view);
  if (driving && run && view.status === "running") {
    const seconds = (Date.now() - run.since) / 1000;
    const sent = view.rowsSent - run.rowsBefore;
    pace.textContent =
      seconds > 0 && sent > 0 ? paceLine(sent / seconds, view.rowsTotal - view.rowsSent) : "";
    pace.hidden = pace.textContent === "";
  }
  const paused =
    interrupted && !driving ? "Resume import goes on where it stopped; Cancel import ends it." : "";
  note.textContent = view.message ?? (paused || (view.status === "running" ? skipNote : ""));
  note.hidden = note.textContent === "";
  note.className = view.status === "stopped" ? "callout callout-error" : "panel-note";

  // Only its holder resumes or cancels an import, or anyone once it has sat idle for 30 minutes.
  const mayDrive = view.mine || view.mayTakeOver;
  if (view.holderLine && !driving) {
    note.textContent = view.holderLine;
    note.hidden = false;
    note.className = "panel-note";
  }
  cancelButton.hidden = !mayDrive || !(unfinished || interrupted);
  resumeButton.hidden =
    !mayDrive ||
    driving ||
    !(interrupted || view.status === "running" || (view.status === "stopped" && view.resumable));
  // Cancel stays usable while this page drives the import: it stops before the next chunk.
  if (driving) cancelButton.dataset.usableWhileBusy = "";
  else delete cancelButton.dataset.usableWhileBusy;
  cancelButton.disabled = driving && cancelRequested;

  if (!view.dryRun && view.reportSheet) reportButton.hidden = false;
  renderSkippedActions();
  renderResult(view);
}

/** The moment an import or dry run is asked for: its bar at 0, before the first answer. */
function renderStarting(asked: NonNullable<typeof starting>): void {
  const from = asked.sheetName === null ? "" : ` from "${asked.sheetName}"`;
  title.textContent = `${asked.dryRun ? "Dry run" : "Import"}: ${asked.label}${from}`;
  if (asked.rows === null) {
    // Rows not counted yet: an indeterminate bar until the first answer.
    bar.removeAttribute("value");
    line.textContent = "Reading the sheet…";
  } else {
    bar.max = Math.max(asked.rows, 1);
    bar.value = 0;
    line.textContent = `0 of ${countOf(asked.rows, "row")} sent`;
  }
  note.textContent = skipNote;
  note.hidden = skipNote === "";
  note.className = "panel-note";
}

function renderResult(view: ImportProgress): void {
  if (view.status === "running" || (view.rowsSent === 0 && view.status !== "completed")) {
    fill(result);
    return;
  }
  const usd =
    view.issuedUsdCents === null
      ? []
      : [
          element("dt", null, view.dryRun ? "Would issue (USD)" : "Issued (USD)"),
          element("dd", null, formatUsdCents(view.issuedUsdCents)),
        ];
  const skippedList = element("ul", "findings");
  renderFindings(skippedList, view.skippedFindings);
  const repeats = repeatsSentence(view.dryRun, view.allowRepeats, view.counts.repeats);
  fill(
    result,
    element(
      "dl",
      "counts",
      ...countRows(view.object, view.dryRun, view.counts).flatMap(([label, value]) => [
        element("dt", null, label),
        element("dd", null, formatCount(value)),
      ]),
      ...usd,
    ),
    repeats ? element("p", "panel-note", repeats) : null,
    ...changeCountParts(view, view.changeCounts),
    view.skippedFindings.length > 0
      ? element("h3", null, view.dryRun ? "Rows that would be skipped" : "Skipped rows")
      : null,
    view.skippedFindings.length > 0 ? skippedList : null,
  );
}

dryRunButton.addEventListener("click", () => start(currentChoice(), true));
importButton.addEventListener("click", askFirst);
// A confirmation is of one choice: another object, group or option needs a fresh look.
onChoiceChange(() => closeConfirmation());
resumeButton.addEventListener("click", resume);
cancelButton.addEventListener("click", cancel);
reportButton.addEventListener("click", openReport);
importSkippedButton.addEventListener("click", importSkipped);
copySkippedButton.addEventListener("click", copySkipped);

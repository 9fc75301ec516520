/**
 * Keeps the sidebar in step with the tab on screen. It asks the add-on which tab that is every few
 * seconds while the page is visible and no task runs (one call at a time). On another tab it puts that
 * tab's object and options in place and shows that tab's own last check, or that it has none. When
 * onEdit has re-checked rows of the tab on screen, the findings shown are out of date: a sheet of up
 * to 20,000 rows is checked again once the edits pause, a larger one says so.
 */
import type { TabView } from "../src/addon/contract";
import { isSummaryOfAnotherTab } from "./checks";
import { currentChoice, onChoiceChange, setChoice } from "./choicePanel";
import { closeConfirmation } from "./confirmPanel";
import { showRunFor } from "./runWatch";
import { callServer } from "./serverClient";
import { recordOf, shownChanged, shownRecord, showTab, type TabRecord } from "./tabState";
import { isBusy, showStatus } from "./tasks";
import { validateSheet } from "./validationPanel";
import { requireElement } from "./view";

const POLL_MS = 2_500;
/** After a failed poll (the connection to Google dropped): ask less often until one works. */
const RETRY_MS = 10_000;
/** Edits come in bursts: check again once they have paused this long. */
const RECHECK_AFTER_MS = 2_000;
/** Larger sheets are checked again only when the person asks: a check of them takes a while. */
const AUTO_RECHECK_ROWS = 20_000;

const statusLine = requireElement<HTMLParagraphElement>("#status");
const choiceNote = requireElement<HTMLParagraphElement>("#choice-note");

let pollTimer: ReturnType<typeof setTimeout> | undefined;
let recheckTimer: ReturnType<typeof setTimeout> | undefined;
let asking = false;
/**
 * The person changed the object or options since the last answer about the tab on screen. If the
 * answer then names another tab, they changed them on that tab (switched, then chose, before the poll
 * noticed): the choice is theirs for the new tab, not the one left.
 */
let choiceChangedSincePoll = false;

/** Starts following from the tab the sidebar opened on. */
export function followTabs(first: TabView): void {
  arrive(first);
  schedulePoll(POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedulePoll(0);
  });
}

function schedulePoll(delay: number): void {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, delay);
}

async function poll(): Promise<void> {
  // A hidden page is asked again when it shows (visibilitychange), not before.
  if (document.visibilityState !== "visible") return;
  if (asking || isBusy()) {
    schedulePoll(POLL_MS);
    return;
  }
  asking = true;
  let delay = POLL_MS;
  try {
    const tab = await callServer("activeTab");
    // A task that began meanwhile (Validate, an import) says what is on screen until it ends.
    if (!isBusy()) {
      arrive(tab, choiceChangedSincePoll);
      choiceChangedSincePoll = false;
    }
  } catch {
    delay = RETRY_MS;
  } finally {
    asking = false;
    schedulePoll(delay);
  }
}

function arrive(tab: TabView, choiceChanged = false): void {
  const previous = shownRecord();
  if (previous && previous.tab.sheetId === tab.sheetId) {
    recordOf(tab);
    editsSince(previous);
    return;
  }
  // The object and options on screen belong to the tab being left, kept for when it comes back; unless
  // the person chose them since the last answer, on the tab they had already switched to.
  if (previous && !choiceChanged) previous.choice = currentChoice();
  const record = recordOf(tab);
  const choice = choiceChanged ? currentChoice() : (record.choice ?? tab.choice);
  if (choice) setChoice(choice);
  if (choiceChanged) record.choice = choice;
  const guessed = !choiceChanged && record.choice === null && tab.guessed && tab.choice !== null;
  choiceNote.textContent = guessed
    ? `Guessed from the headers of "${tab.sheetName}": check the Object type before you validate.`
    : "";
  choiceNote.hidden = !guessed;
  clearTimeout(recheckTimer);
  closeConfirmation();
  if (isSummaryOfAnotherTab(tab.sheetId, statusLine.textContent ?? "")) showStatus("");
  showRunFor(tab);
  showTab(tab);
  editsSince(record);
}

/** Rows of the shown tab were re-checked by onEdit since its last check: check again, or say so. */
function editsSince(record: TabRecord): void {
  const view = record.view;
  if (!view) return;
  if (record.checkedVersion === null) {
    record.checkedVersion = record.tab.editVersion;
    return;
  }
  if (record.tab.editVersion <= record.checkedVersion) return;
  if (view.rows <= AUTO_RECHECK_ROWS) {
    clearTimeout(recheckTimer);
    recheckTimer = setTimeout(recheck, RECHECK_AFTER_MS);
  } else if (!record.stale) {
    record.stale = true;
    shownChanged();
  }
}

async function recheck(): Promise<void> {
  const record = shownRecord();
  if (!record?.view || record.checkedVersion === null || record.tab.editVersion <= record.checkedVersion)
    return;
  // Not while a task runs, nor while a confirmation (import or undo) waits for the person: the check's
  // answer would take the place of what they are reading. It runs once they have answered.
  if (isBusy() || document.querySelector("#import-confirm:not([hidden]), #undo-panel:not([hidden])")) {
    recheckTimer = setTimeout(recheck, RECHECK_AFTER_MS);
    return;
  }
  const before = record.view;
  await validateSheet("Rows changed since the last check: checking again…");
  // It failed (its message is in the alert): say the findings are old rather than try again and again.
  if (record.view === before) {
    record.checkedVersion = record.tab.editVersion;
    record.stale = true;
    shownChanged();
  }
}

onChoiceChange(() => {
  choiceNote.hidden = true;
  // Which tab is this choice for? Ask now rather than at the next poll.
  choiceChangedSincePoll = true;
  schedulePoll(0);
});

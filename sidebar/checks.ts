/**
 * The calls that check the tab on screen and answer with its ValidationView (Validate, Header row,
 * Save mapping, Rename headers, Fix N cells): each runs as one task, and its answer becomes that tab's
 * record, which the panels then draw. The tab's editVersion is asked for alongside, so the sidebar
 * knows which of onEdit's re-checks the answer already holds.
 */
import type { FixResult, ImportChoice, TabView, ValidationView } from "../src/addon/contract";
import { currentChoice } from "./choicePanel";
import { callServer } from "./serverClient";
import { recordCheck, shownRecord } from "./tabState";
import { runTask, showStatus } from "./tasks";
import { countOf } from "./view";

/** The status sentence a check last wrote, and of which tab: switching tabs takes it down. */
let lastSummary: { sheetId: number; text: string } | null = null;

/** The choice on screen with the shown tab's `Map columns` and `Header row`, when the person set them. */
export function choiceToCheck(): ImportChoice {
  const record = shownRecord();
  return { ...currentChoice(), mapping: record?.mapping ?? null, headerRow: record?.headerRow ?? null };
}

export interface CheckCall<T> {
  /** The status while it runs. */
  working: string;
  work(choice: ImportChoice): Promise<T>;
  /** The check in the answer. */
  viewOf(answer: T): ValidationView;
  /** What `Fix N cells` did, when the answer says. */
  fixedOf?(answer: T): FixResult | null;
  /** The status sentence once it is done. */
  said(answer: T, view: ValidationView): string;
}

/** Runs a check as a task and keeps its answer; resolves with it, or undefined when it failed or was refused. */
export async function runCheck<T>(call: CheckCall<T>): Promise<T | undefined> {
  const choice = choiceToCheck();
  const answer = await runTask(call.working, async () => {
    const [tab, answered] = await Promise.all([tabNow(), call.work(choice)]);
    return { tab, answered };
  });
  if (!answer) return undefined;
  const view = call.viewOf(answer.answered);
  const version = answer.tab && answer.tab.sheetId === view.sheetId ? answer.tab.editVersion : null;
  recordCheck(view, version, call.fixedOf?.(answer.answered) ?? null);
  const text = call.said(answer.answered, view);
  lastSummary = { sheetId: view.sheetId, text };
  showStatus(text);
  return answer.answered;
}

/** Whether the status line still says the last check of a tab other than `sheetId`. */
export function isSummaryOfAnotherTab(sheetId: number, statusText: string): boolean {
  return lastSummary !== null && lastSummary.sheetId !== sheetId && lastSummary.text === statusText;
}

/** The sheet as a sentence names it: by name when the add-on knows it. */
export function sheetOf(view: ValidationView): string {
  return view.sheetName === null ? "this sheet" : `"${view.sheetName}"`;
}

/** "Checked 5 rows of "Partners": 1 error, 0 warnings." */
export function checkSummary(view: ValidationView): string {
  if (view.blocked && !view.mapping.matches)
    return `The headers of ${sheetOf(view)} are not the object's own: map its columns, or fix the header row, before its rows can be checked.`;
  if (view.blocked) return `The header row of ${sheetOf(view)} needs fixing before its rows can be checked.`;
  const problems = `${countOf(view.errors, "error")}, ${countOf(view.warnings, "warning")}`;
  return `Checked ${countOf(view.rows, "row")} of ${sheetOf(view)}: ${problems}.`;
}

/** The tab's editVersion now; null when the add-on cannot say (the check is kept all the same). */
async function tabNow(): Promise<TabView | null> {
  try {
    return await callServer("activeTab");
  } catch {
    return null;
  }
}

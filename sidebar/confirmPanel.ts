/**
 * Import asks first: before any row is sent, the sidebar shows what the import will do (the object,
 * sheet, rows, group, invite emails, repeats) and the figures of a dry run of these same rows, or says
 * there was none and offers one. It stands in the place of `Dry run` and `Import` until `Confirm import`
 * or `Back`.
 */
import type { DryRunFigures, ImportReview, ValidationView } from "../src/addon/contract";
import { catalogueObject } from "./catalogue";
import { changeCountParts } from "./changeCounts";
import { MODE_LABELS, repeatsWarningFor } from "./choicePanel";
import { countRows, repeatsSentence } from "./importWording";
import { countOf, element, fill, formatCount, formatUsdCents, requireElement } from "./view";

const panel = requireElement<HTMLDivElement>("#import-confirm");
const title = requireElement<HTMLHeadingElement>("#confirm-title");
const summary = requireElement<HTMLDListElement>("#confirm-summary");
const dryRunPart = requireElement<HTMLDivElement>("#confirm-dry-run");
const dryRunButton = requireElement<HTMLButtonElement>("#confirm-dry-run-button");
const backButton = requireElement<HTMLButtonElement>("#confirm-back");
const confirmButton = requireElement<HTMLButtonElement>("#confirm-import");
const importActions = requireElement<HTMLDivElement>("#import-actions");

export interface ConfirmActions {
  confirm(review: ImportReview): void;
  dryRun(review: ImportReview): void;
  back(): void;
}

let shown: ImportReview | null = null;
let actions: ConfirmActions | null = null;

/** Shows the review and waits for the person's answer; `checked` is the last validation, if any. */
export function askToConfirm(
  review: ImportReview,
  checked: ValidationView | null,
  answer: ConfirmActions,
): void {
  shown = review;
  actions = answer;
  const rows = countOf(review.rows, "row");
  title.textContent = `Import ${rows} of ${review.label.toLowerCase()}?`;
  fill(
    summary,
    ...summaryLines(review).flatMap(([label, value]) => [
      element("dt", null, label),
      element("dd", null, value),
    ]),
  );
  const errors =
    checked && checked.sheetId === review.sheetId && checked.rowsWithErrors > 0
      ? element(
          "p",
          "panel-note",
          `The last check found errors in ${countOf(checked.rowsWithErrors, "row")}: the importer will skip them.`,
        )
      : null;
  // Said again where the import is confirmed: this is the option that creates (and pays) rows twice.
  const repeats = review.choice.allowRepeats
    ? element("p", "callout callout-warning", repeatsWarningFor(review.choice.object))
    : null;
  fill(
    dryRunPart,
    repeats,
    ...(review.dryRun ? dryRunLines(review, review.dryRun) : noDryRunLines(review)),
    errors,
  );
  dryRunButton.hidden = review.dryRun !== null;
  importActions.hidden = true;
  panel.hidden = false;
  // Keyboard and screen-reader users land on the question, not on the button that is gone; everyone sees it.
  title.focus({ preventScroll: true });
  panel.scrollIntoView({ block: "nearest" });
}

/** Puts `Dry run` and `Import` back; `restoreFocus` when the person answered (not when the page moved on). */
export function closeConfirmation(restoreFocus = false): void {
  if (!shown) return;
  shown = null;
  actions = null;
  panel.hidden = true;
  importActions.hidden = false;
  if (restoreFocus) requireElement<HTMLButtonElement>("#import").focus();
}

function summaryLines(review: ImportReview): [string, string][] {
  const { choice } = review;
  const lines: [string, string][] = [
    ["Object", review.label],
    ["Sheet", review.sheetName],
    ["Rows", formatCount(review.rows)],
  ];
  if (choice.object === "leads" || choice.object === "deals")
    lines.push(["Group", review.groupName ?? choice.groupKey ?? "none chosen"]);
  if (choice.object === "partners")
    lines.push(["Invite emails", choice.sendInvites ? "Sent to each partner created" : "Not sent"]);
  // Said only when it is not the default: then it is why rows will be skipped.
  if (choice.mode && choice.mode !== "create_and_update") lines.push(["Mode", MODE_LABELS[choice.mode]]);
  if (catalogueObject(choice.object)?.repeats)
    lines.push(["Rows that match earlier imports", choice.allowRepeats ? "Imported again" : "Skipped"]);
  return lines;
}

function dryRunLines(review: ImportReview, dryRun: DryRunFigures): HTMLElement[] {
  const figures = countRows(review.choice.object, true, dryRun.counts);
  if (!figures.some(([label]) => label === "Repeats")) figures.push(["Repeats", dryRun.counts.repeats]);
  const usd =
    dryRun.issuedUsdCents === null
      ? []
      : [
          element("dt", null, "Would issue (USD)"),
          element("dd", null, formatUsdCents(dryRun.issuedUsdCents)),
        ];
  const repeats = repeatsSentence(true, review.choice.allowRepeats, dryRun.counts.repeats);
  return [
    element("h4", null, `The dry run of these rows (${when(dryRun.finishedAt)})`),
    element(
      "dl",
      "counts",
      ...figures.flatMap(([label, value]) => [
        element("dt", null, label),
        element("dd", null, formatCount(value)),
      ]),
      ...usd,
    ),
    ...(repeats ? [element("p", "panel-note", repeats)] : []),
    ...changeCountParts({ label: review.label, dryRun: true }, dryRun.changeCounts, "h4"),
  ];
}

function noDryRunLines(review: ImportReview): HTMLElement[] {
  if (review.choice.object === "rewards")
    return [
      element(
        "p",
        "callout callout-warning",
        "No dry run of these rows yet, so the rewards this creates and the USD it pays have not been counted. A dry run counts both and writes nothing.",
      ),
    ];
  return [
    element(
      "p",
      "panel-note",
      "No dry run of these rows yet. A dry run shows what would be created, updated and skipped, and writes nothing.",
    ),
  ];
}

/** "14:05" today, "Mar 3, 14:05" another day, in the person's own time. */
function when(iso: string): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return at.toDateString() === new Date().toDateString()
    ? time
    : `${at.toLocaleDateString("en-US", { month: "short", day: "numeric" })}, ${time}`;
}

confirmButton.addEventListener("click", () => {
  const review = shown;
  const answer = actions;
  closeConfirmation(true);
  if (review && answer) answer.confirm(review);
});
dryRunButton.addEventListener("click", () => {
  const review = shown;
  const answer = actions;
  closeConfirmation(true);
  if (review && answer) answer.dryRun(review);
});
backButton.addEventListener("click", () => {
  const answer = actions;
  closeConfirmation(true);
  answer?.back();
});

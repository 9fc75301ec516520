/** `Validate` and `Clear highlights`, and the findings of the last check. */
import type { ValidationView } from "../src/addon/contract";
import { currentChoice } from "./choicePanel";
import { renderFindings } from "./findingsList";
import { callServer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { countOf, element, fill, formatCount, requireElement } from "./view";

const validateButton = requireElement<HTMLButtonElement>("#validate");
const clearButton = requireElement<HTMLButtonElement>("#clear-highlights");
const result = requireElement<HTMLDivElement>("#validation-result");

let last: ValidationView | null = null;

/** The last check's outcome, while its highlights are in the sheet. */
export function lastValidation(): ValidationView | null {
  return last;
}

/** Checks the active sheet (the button, and the menu item). */
export async function validateSheet(): Promise<void> {
  const view = await runTask("Checking…", () => callServer("validate", currentChoice()));
  if (!view) return;
  last = view;
  showStatus(summary(view));
  renderValidation(view);
}

async function clearHighlights(): Promise<void> {
  const restored = await runTask("Clearing highlights…", () => callServer("clearHighlights"));
  if (restored === undefined) return;
  fill(result);
  showStatus(
    restored === 0
      ? "There were no highlighted cells to clear."
      : `Restored ${countOf(restored, "cell")} to how they were.`,
  );
}

/** The sheet as a sentence names it: by name when the add-on knows it. */
function sheetOf(view: ValidationView): string {
  return view.sheetName === null ? "this sheet" : `"${view.sheetName}"`;
}

function summary(view: ValidationView): string {
  if (view.blocked) return `The header row of ${sheetOf(view)} needs fixing before its rows can be checked.`;
  const problems = `${countOf(view.errors, "error")}, ${countOf(view.warnings, "warning")}`;
  return `Checked ${countOf(view.rows, "row")} of ${sheetOf(view)}: ${problems}.`;
}

function renderValidation(view: ValidationView): void {
  const headerList = element("ul", "findings");
  renderFindings(headerList, view.headerAlerts);
  const findingsList = element("ul", "findings");
  renderFindings(findingsList, view.findings);

  if (view.blocked) {
    fill(
      result,
      element(
        "p",
        "callout callout-error",
        `Fix the header row first (row ${view.headerRow} of ${sheetOf(view)}).`,
      ),
      headerList,
    );
    return;
  }
  const ready =
    view.errors === 0
      ? element(
          "p",
          "callout callout-ok",
          view.rows === 0
            ? `${sheetOf(view)} has no rows to import below its header row.`
            : `No errors: ${sheetOf(view)} is ready to import.`,
        )
      : null;
  fill(
    result,
    element(
      "dl",
      "counts",
      ...count("Rows", view.rows),
      ...count("Errors", view.errors),
      ...count("Warnings", view.warnings),
      ...count("Rows with errors", view.rowsWithErrors),
    ),
    ready,
    view.headerAlerts.length > 0 ? element("h3", null, "Header row") : null,
    view.headerAlerts.length > 0 ? headerList : null,
    view.findings.length > 0 ? element("h3", null, "Cells") : null,
    view.findings.length > 0 ? findingsList : null,
    view.truncated
      ? element(
          "p",
          "panel-note",
          `Only the first ${formatCount(view.findings.length)} findings are listed; ${countOf(view.highlighted, "cell is", "cells are")} highlighted in the sheet.`,
        )
      : null,
  );
}

function count(label: string, value: number): HTMLElement[] {
  return [element("dt", null, label), element("dd", null, formatCount(value))];
}

validateButton.addEventListener("click", validateSheet);
clearButton.addEventListener("click", clearHighlights);

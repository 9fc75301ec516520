/** `Validate` and `Clear highlights`, and the findings of the tab on screen's last check. */
import type { ValidationView } from "../src/addon/contract";
import { checkSummary, runCheck, sheetOf } from "./checks";
import { renderFindings } from "./findingsList";
import { callServer } from "./serverClient";
import { onShownChange, shownChanged, shownRecord, type TabRecord } from "./tabState";
import { runTask, showStatus } from "./tasks";
import { countOf, element, fill, formatCount, requireElement } from "./view";

const validateButton = requireElement<HTMLButtonElement>("#validate");
const clearButton = requireElement<HTMLButtonElement>("#clear-highlights");
const result = requireElement<HTMLDivElement>("#validation-result");

/** The last check of the tab on screen, while its highlights are in the sheet. */
export function lastValidation(): ValidationView | null {
  return shownRecord()?.view ?? null;
}

/** Checks the active sheet (the button, the menu item, and rows changed since the last check). */
export async function validateSheet(working = "Checking…"): Promise<void> {
  await runCheck({
    working,
    work: (choice) => callServer("validate", choice),
    viewOf: (view) => view,
    said: (view) => checkSummary(view),
  });
}

async function clearHighlights(): Promise<void> {
  const restored = await runTask("Clearing highlights…", () => callServer("clearHighlights"));
  if (restored === undefined) return;
  // The findings went with the highlights: what is left to show is that the tab needs checking.
  const record = shownRecord();
  if (record) {
    record.view = null;
    record.fixed = null;
    shownChanged();
  } else fill(result);
  showStatus(
    restored === 0
      ? "There were no highlighted cells to clear."
      : `Restored ${countOf(restored, "cell")} to how they were.`,
  );
}

function renderRecord(record: TabRecord): void {
  const view = record.view;
  if (!view) {
    fill(
      result,
      element(
        "p",
        "panel-note",
        `Not validated yet: Validate checks "${record.tab.sheetName}" as the object chosen above.`,
      ),
    );
    return;
  }
  const stale = record.stale
    ? element("p", "callout callout-warning", "Rows changed since this check: Validate again.")
    : null;
  const headerList = element("ul", "findings");
  renderFindings(headerList, view.headerAlerts);
  const findingsList = element("ul", "findings");
  renderFindings(findingsList, view.findings);

  if (view.blocked) {
    fill(
      result,
      stale,
      element(
        "p",
        "callout callout-error",
        view.mapping.matches
          ? `Fix the header row first (row ${view.headerRow} of ${sheetOf(view)}).`
          : `Map the columns above to fields, or fix the header row (row ${view.headerRow} of ${sheetOf(view)}).`,
      ),
      headerList,
    );
    return;
  }
  fill(
    result,
    stale,
    element(
      "dl",
      "counts",
      ...count("Rows", view.rows),
      ...count("Errors", view.errors),
      ...count("Warnings", view.warnings),
      ...count("Rows with errors", view.rowsWithErrors),
    ),
    ...readiness(record, view),
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

/**
 * What the sheet is ready for. The add-on's check cannot see the program's data (unknown partners,
 * customers that already exist): only a dry run that skips nothing makes the rows ready to import.
 */
function readiness(record: TabRecord, view: ValidationView): HTMLElement[] {
  if (view.errors > 0) return [];
  if (view.rows === 0)
    return [
      element("p", "callout callout-ok", `${sheetOf(view)} has no rows to import below its header row.`),
    ];
  if (record.dryRunClean)
    return [
      element("p", "callout callout-ok", `The dry run skipped no rows: ${sheetOf(view)} is ready to import.`),
    ];
  return [
    element("p", "callout callout-ok", `No errors: ${sheetOf(view)} is ready for a dry run.`),
    element(
      "p",
      "panel-note",
      "A dry run adds the importer's own checks (partners it does not know, records that already exist) and writes nothing.",
    ),
  ];
}

function count(label: string, value: number): HTMLElement[] {
  return [element("dt", null, label), element("dd", null, formatCount(value))];
}

validateButton.addEventListener("click", () => validateSheet());
clearButton.addEventListener("click", clearHighlights);
onShownChange(renderRecord);

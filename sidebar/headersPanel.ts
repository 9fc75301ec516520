/** The template: `View headers`, `Insert template headers` and `Download CSV template`. */
import type { CatalogueView, ColumnView } from "../src/addon/contract";
import { columnsFor, onCatalogueLoaded, requireCatalogue } from "./catalogue";
import { currentChoice, onChoiceChange } from "./choicePanel";
import { downloadTextFile } from "./download";
import { callServer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { countOf, element, fill, requireElement } from "./view";

const viewButton = requireElement<HTMLButtonElement>("#view-headers");
const insertButton = requireElement<HTMLButtonElement>("#insert-template");
const downloadButton = requireElement<HTMLButtonElement>("#download-template");
const headersList = requireElement<HTMLDivElement>("#headers-list");

let shownCatalogue: CatalogueView | null = null;

/** Writes the template header row into the active sheet (the button, and the menu item). */
export async function insertTemplateHeaders(): Promise<void> {
  const result = await runTask("Inserting the template headers…", () =>
    callServer("insertTemplate", currentChoice()),
  );
  if (!result) return;
  const headers = countOf(result.columns, "template header");
  showStatus(
    result.insertedRow
      ? `Inserted a row above the data in "${result.sheetName}" and wrote ${headers} into it.`
      : `Wrote ${headers} into the first row of "${result.sheetName}".`,
  );
}

async function downloadTemplate(): Promise<void> {
  const file = await runTask("Preparing the CSV template…", () => callServer("templateCsv", currentChoice()));
  if (!file) return;
  downloadTextFile(file.fileName, file.csv);
  showStatus(`Downloaded ${file.fileName}.`);
}

async function toggleHeaders(): Promise<void> {
  if (viewButton.getAttribute("aria-expanded") === "true") {
    viewButton.setAttribute("aria-expanded", "false");
    headersList.hidden = true;
    return;
  }
  const catalogue = await runTask("Loading the headers…", requireCatalogue);
  if (!catalogue) return;
  showStatus("");
  shownCatalogue = catalogue;
  renderHeaders();
  viewButton.setAttribute("aria-expanded", "true");
  headersList.hidden = false;
}

function renderHeaders(): void {
  if (!shownCatalogue) return;
  const choice = currentChoice();
  const entry = shownCatalogue.objects.find((candidate) => candidate.object === choice.object);
  const columns = columnsFor(shownCatalogue, choice);
  const inTemplate = columns.filter((column) => column.inTemplate);
  const alternatives = columns.filter((column) => !column.inTemplate);
  const label = entry?.label ?? choice.object;
  const group = entry?.groups.find((candidate) => candidate.key === choice.groupKey);

  fill(
    headersList,
    element(
      "p",
      "panel-note",
      `${group ? `${label}, ${group.name}` : label}: ${countOf(inTemplate.length, "column")}.`,
    ),
    entry?.needsGroup && !group
      ? element("p", "panel-note", "Choose a group to see its own columns too.")
      : null,
    element("ul", "columns", ...inTemplate.map(columnItem)),
    alternatives.length > 0 ? element("h3", null, "Alternatives") : null,
    alternatives.length > 0
      ? element("p", "panel-note", "Not in the template, but accepted in place of a column above:")
      : null,
    alternatives.length > 0 ? element("ul", "columns", ...alternatives.map(columnItem)) : null,
  );
}

function columnItem(column: ColumnView): HTMLLIElement {
  const requirement = column.requirementText || (column.required ? "required" : "optional");
  return element(
    "li",
    "column",
    element(
      "div",
      "column-head",
      element("code", "column-name", column.name),
      element("span", column.required ? "badge badge-required" : "badge", requirement),
    ),
    element("div", "column-type", column.typeLabel, column.example ? ` · e.g. ${column.example}` : null),
    column.description ? element("p", "column-description", column.description) : null,
    column.options && column.options.length > 0
      ? element("p", "column-options", `One of: ${column.options.join(", ")}`)
      : null,
  );
}

viewButton.addEventListener("click", toggleHeaders);
insertButton.addEventListener("click", insertTemplateHeaders);
downloadButton.addEventListener("click", downloadTemplate);
onChoiceChange(renderHeaders);
onCatalogueLoaded((catalogue) => {
  shownCatalogue = catalogue;
  renderHeaders();
});

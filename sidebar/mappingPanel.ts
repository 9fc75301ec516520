/**
 * `Map columns`: how the shown tab's header row is read. One select per sheet column, labelled with its
 * header, offering the object's fields and `Ignore this column`; the required fields no column gives
 * yet, named as the person changes the selects; `Header row` for a title above the headers; and
 * `Save mapping` (this tab's Validate, Dry run and Import then use it) or `Rename headers`. It opens by
 * itself when the headers are not the object's own; `Validate` checks with the mapping as set here.
 */
import type { ColumnMapping, MappedColumn, MappingView, ValidationView } from "../src/addon/contract";
import { catalogueObject } from "./catalogue";
import { checkSummary, runCheck, sheetOf } from "./checks";
import { currentChoice, onChoiceChange } from "./choicePanel";
import { callServer } from "./serverClient";
import { onShownChange, shownRecord, type TabRecord } from "./tabState";
import { validateSheet } from "./validationPanel";
import { element, fill, requireElement } from "./view";

const toggle = requireElement<HTMLButtonElement>("#map-columns");
const panel = requireElement<HTMLDivElement>("#mapping-panel");
const headerRowSelect = requireElement<HTMLSelectElement>("#header-row");
const columnsPart = requireElement<HTMLDivElement>("#mapping-columns");
const missingLine = requireElement<HTMLParagraphElement>("#mapping-missing");
const note = requireElement<HTMLParagraphElement>("#mapping-note");
const saveButton = requireElement<HTMLButtonElement>("#save-mapping");
const renameButton = requireElement<HTMLButtonElement>("#rename-headers");

/** The select value that ignores a column. */
const IGNORE = "";

/** The check the panel was drawn from: a new one opens or closes it, the same one redrawn keeps the person's choice. */
let drawnFrom: ValidationView | null = null;
let selects: { column: MappedColumn; select: HTMLSelectElement }[] = [];

function render(record: TabRecord): void {
  const view = record.view;
  toggle.hidden = view === null;
  if (!view) {
    drawnFrom = null;
    setOpen(false);
    return;
  }
  const fresh = view !== drawnFrom;
  const sameTab = drawnFrom?.sheetId === view.sheetId;
  drawnFrom = view;
  const mapping = view.mapping;
  fillHeaderRows(mapping);
  selects = mapping.columns.map((column) => ({
    column,
    select: fieldSelect(column, mapping, record.mapping),
  }));
  fill(columnsPart, ...selects.map(({ column, select }) => columnField(column, select)));
  showMissing(mapping);
  note.textContent = noteFor(record, view);
  // Open while a mapping is wanted and not saved; a saved one stays as the person left it on this tab.
  const wanted = (!mapping.matches && !mapping.saved) || record.mapping !== null;
  if (fresh && (wanted || !sameTab)) setOpen(wanted);
}

function noteFor(record: TabRecord, view: ValidationView): string {
  if (record.mapping !== null && !view.mapping.saved)
    return "This mapping is not saved: Validate checks with it, but Dry run and Import read the headers as saved. Save mapping to use it for them too.";
  if (view.mapping.saved)
    return `Saved for ${sheetOf(view)}: its Validate, Dry run and Import use this mapping while its headers stay the same.`;
  return "Ignore this column leaves a column out of the check and the import. Save mapping keeps the mapping for this tab; Rename headers writes the fields' names into the header row.";
}

function fillHeaderRows(mapping: MappingView): void {
  const rows = mapping.headerRows.some((entry) => entry.row === mapping.headerRow)
    ? mapping.headerRows
    : [{ row: mapping.headerRow, text: "" }, ...mapping.headerRows];
  headerRowSelect.replaceChildren(
    ...rows.map((entry) => {
      const text = entry.text.length > 60 ? `${entry.text.slice(0, 59)}…` : entry.text;
      return new Option(text ? `Row ${entry.row}: ${text}` : `Row ${entry.row}`, String(entry.row));
    }),
  );
  headerRowSelect.value = String(mapping.headerRow);
}

/** A column's select; `unsaved` (the person's own mapping, not yet saved) wins over the check's. */
function fieldSelect(
  column: MappedColumn,
  mapping: MappingView,
  unsaved: ColumnMapping | null,
): HTMLSelectElement {
  const field = unsaved && column.header in unsaved ? (unsaved[column.header] ?? null) : column.field;
  const select = element("select", null);
  select.id = `map-column-${column.column}`;
  select.append(new Option("Ignore this column", IGNORE));
  for (const field of mapping.fields)
    select.append(new Option(field.required ? `${field.name} (required)` : field.name, field.name));
  // A saved mapping may name a field the object no longer has: shown as it is, so nothing changes unseen.
  if (field !== null && !mapping.fields.some((known) => known.name === field))
    select.append(new Option(`${field} (not a field here)`, field));
  select.value = field ?? IGNORE;
  select.addEventListener("change", mappingChanged);
  return select;
}

function columnField(column: MappedColumn, select: HTMLSelectElement): HTMLElement {
  const header = column.header.trim() === "" ? "No header" : column.header;
  const label = element("label", null, `${header} (column ${column.letter})`);
  label.htmlFor = select.id;
  const sample = column.sample
    ? element("span", "map-sample", `e.g. ${column.sample}`)
    : element("span", "map-sample", "No values");
  sample.id = `${select.id}-sample`;
  select.setAttribute("aria-describedby", sample.id);
  return element("div", "field map-column", label, select, sample);
}

/** The mapping as the selects say: each header to its field, or null to ignore it. */
function selectedMapping(): ColumnMapping {
  return Object.fromEntries(
    selects.map(({ column, select }) => [column.header, select.value === IGNORE ? null : select.value]),
  );
}

function mappingChanged(): void {
  const record = shownRecord();
  if (record) record.mapping = selectedMapping();
  if (record?.view) {
    showMissing(record.view.mapping);
    note.textContent = noteFor(record, record.view);
  }
}

/** Names, as the selects stand, the required fields no column gives and the fields given twice. */
function showMissing(mapping: MappingView): void {
  const chosen = selects.map(({ select }) => select.value).filter((value) => value !== IGNORE);
  const needed = requiredSets(mapping)
    .filter((set) => !set.some((field) => chosen.includes(field)))
    .map((set) => set.join(" or "));
  const twice = [...new Set(chosen.filter((field, index) => chosen.indexOf(field) !== index))];
  const parts = [
    needed.length > 0 ? `Still needed: ${needed.join(", ")}.` : "Every required field has a column.",
    twice.length > 0 ? `Given by more than one column: ${twice.join(", ")}; keep one.` : "",
  ];
  missingLine.textContent = parts.filter(Boolean).join(" ");
  missingLine.className = needed.length > 0 || twice.length > 0 ? "callout callout-warning" : "panel-note";
}

/**
 * The required fields as sets of which any one will do: "partner_email or partner_key" is one set. The
 * catalogue says which fields stand in for each other ("required: this or partner_key"); the add-on's
 * own list of what is missing says it too.
 */
function requiredSets(mapping: MappingView): string[][] {
  const entry = catalogueObject(currentChoice().object);
  const sets = new Map<string, string[]>();
  const add = (set: string[]) => sets.set([...set].sort().join(" "), set);
  for (const field of mapping.fields) {
    if (!field.required) continue;
    const text = entry?.columns.find((column) => column.name === field.name)?.requirementText ?? "";
    const others = /^required: this or (.+?)(?:, not both)?$/.exec(text)?.[1]?.split(" or ") ?? [];
    add([field.name, ...others]);
  }
  for (const missing of mapping.missing) add(missing.split(/ (?:x?or|and) /));
  return [...sets.values()];
}

function setOpen(open: boolean): void {
  toggle.setAttribute("aria-expanded", String(open));
  panel.hidden = !open;
}

async function chooseHeaderRow(): Promise<void> {
  const record = shownRecord();
  if (!record) return;
  record.headerRow = Number(headerRowSelect.value);
  // Another header row has other headers: the mapping set for the old ones does not apply.
  record.mapping = null;
  await validateSheet(`Reading row ${headerRowSelect.value} as the header row…`);
}

async function saveMapping(): Promise<void> {
  const record = shownRecord();
  if (!record) return;
  record.mapping = selectedMapping();
  await runCheck({
    working: "Saving the mapping…",
    work: (choice) => callServer("saveMapping", choice),
    viewOf: (view) => view,
    said: (view) =>
      `Saved the mapping for ${sheetOf(view)}: its Validate, Dry run and Import use it while its headers stay the same. ${checkSummary(view)}`,
  });
  // Saved: the tab's own mapping now, so the checks that follow need not send it.
  if (record.view?.mapping.saved) record.mapping = null;
}

async function renameHeaders(): Promise<void> {
  const record = shownRecord();
  if (!record) return;
  record.mapping = selectedMapping();
  await runCheck({
    working: "Renaming the headers…",
    work: (choice) => callServer("renameHeaders", choice),
    viewOf: (view) => view,
    said: (view) =>
      `Wrote the fields' names into row ${view.headerRow} of ${sheetOf(view)} (ignored columns keep theirs); Undo in Sheets puts the old headers back. ${checkSummary(view)}`,
  });
  // The header row now holds the fields' own names: nothing is left to map.
  if (record.view?.mapping.matches) record.mapping = null;
}

toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
headerRowSelect.addEventListener("change", chooseHeaderRow);
saveButton.addEventListener("click", saveMapping);
renameButton.addEventListener("click", renameHeaders);
onShownChange(render);
// Another object has other fields: a mapping set for the old one would name fields it lacks.
onChoiceChange(() => {
  const record = shownRecord();
  if (record) record.mapping = null;
});

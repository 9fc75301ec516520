/** What to import: `Object type`, and with it `Group` (leads, deals) or `Send invite emails` (partners). */
import type { ImportChoice, ObjectName } from "../src/addon/contract";
import { catalogueObject, onCatalogueLoaded } from "./catalogue";
import { requireElement, showElement } from "./view";

const objectType = requireElement<HTMLSelectElement>("#object-type");
const groupField = requireElement<HTMLDivElement>("#group-field");
const groupSelect = requireElement<HTMLSelectElement>("#group");
const groupNote = requireElement<HTMLParagraphElement>("#group-note");
const invitesField = requireElement<HTMLDivElement>("#invites-field");
const sendInvites = requireElement<HTMLInputElement>("#send-invites");

const listeners: (() => void)[] = [];
/** The group to select once the catalogue lists it (the choice last used in this spreadsheet). */
let wantedGroup: string | null = null;

export function currentChoice(): ImportChoice {
  const object = objectType.value as ObjectName;
  return {
    object,
    groupKey: needsGroup(object) && groupSelect.value !== "" ? groupSelect.value : null,
    sendInvites: object === "partners" && sendInvites.checked,
  };
}

export function setChoice(choice: ImportChoice): void {
  objectType.value = choice.object;
  wantedGroup = choice.groupKey;
  sendInvites.checked = choice.object === "partners" && choice.sendInvites;
  update();
}

/** Called after the choice changes (object, group or invites). */
export function onChoiceChange(listener: () => void): void {
  listeners.push(listener);
}

function needsGroup(object: ObjectName): boolean {
  const entry = catalogueObject(object);
  return entry ? entry.needsGroup : object === "leads" || object === "deals";
}

function update(): void {
  const object = objectType.value as ObjectName;
  document.body.dataset.objectType = object;
  showElement(invitesField, object === "partners");
  showElement(groupField, needsGroup(object));
  if (needsGroup(object)) fillGroups(object);
}

function fillGroups(object: ObjectName): void {
  const entry = catalogueObject(object);
  const keep = groupSelect.value || wantedGroup;
  groupSelect.replaceChildren();
  if (!entry) {
    groupNote.textContent = "The groups appear once the importer's catalogue has loaded.";
    groupNote.hidden = false;
    return;
  }
  if (entry.groups.length === 0) {
    groupNote.textContent = `No group in this program takes ${entry.label.toLowerCase()}.`;
    groupNote.hidden = false;
    return;
  }
  groupNote.hidden = true;
  // With several groups, nothing is chosen for the person: importing into the wrong group is costly.
  if (entry.groups.length > 1) groupSelect.append(new Option("Choose a group…", ""));
  for (const group of entry.groups) groupSelect.append(new Option(group.name, group.key));
  if (keep && entry.groups.some((group) => group.key === keep)) groupSelect.value = keep;
}

function changed(): void {
  update();
  for (const listener of listeners) listener();
}

objectType.addEventListener("change", changed);
groupSelect.addEventListener("change", () => {
  wantedGroup = groupSelect.value || null;
  changed();
});
sendInvites.addEventListener("change", changed);
onCatalogueLoaded(update);
update();

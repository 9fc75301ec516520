/**
 * What to import: `Object type`, and with it `Group` (leads, deals), `Send invite emails` (partners),
 * `Import rows that match earlier imports` (objects without a key of their own: rewards, transactions,
 * leads), `Write keys back` (objects whose created rows get a key: partners, customers, transactions)
 * and the mode (`Create and update`, `Create only`, `Update only`) for objects whose rows may update.
 */
import type { ImportChoice, ImportMode, ObjectName } from "../src/addon/contract";
import { catalogueObject, onCatalogueLoaded } from "./catalogue";
import { requireElement, showElement } from "./view";

const objectType = requireElement<HTMLSelectElement>("#object-type");
const groupField = requireElement<HTMLDivElement>("#group-field");
const groupSelect = requireElement<HTMLSelectElement>("#group");
const groupNote = requireElement<HTMLParagraphElement>("#group-note");
const invitesField = requireElement<HTMLDivElement>("#invites-field");
const sendInvites = requireElement<HTMLInputElement>("#send-invites");
const repeatsField = requireElement<HTMLDivElement>("#repeats-field");
const allowRepeats = requireElement<HTMLInputElement>("#allow-repeats");
const repeatsWarning = requireElement<HTMLParagraphElement>("#repeats-warning");
const writeKeysField = requireElement<HTMLDivElement>("#write-keys-field");
const writeKeys = requireElement<HTMLInputElement>("#write-keys");
const writeKeysNote = requireElement<HTMLParagraphElement>("#write-keys-note");

const modeField = requireElement<HTMLDivElement>("#mode-field");
const modeSelect = requireElement<HTMLSelectElement>("#mode");
const modeNote = requireElement<HTMLParagraphElement>("#mode-note");

/** The modes as the sidebar names them (the select's options carry the same words). */
export const MODE_LABELS: Record<ImportMode, string> = {
  create_and_update: "Create and update",
  create_only: "Create only",
  update_only: "Update only",
};

/** What importing rows again does, said when the box is ticked. */
const REPEATS_WARNING: Partial<Record<ObjectName, string>> = {
  rewards: "Rows already imported will be created again, and those rewards paid again.",
  transactions: "Rows already imported will be created again, as transactions of their own.",
  leads: "Rows already imported will be created again, as leads of their own.",
};

const listeners: (() => void)[] = [];
/** The group to select once the catalogue lists it (the choice last used in this spreadsheet). */
let wantedGroup: string | null = null;

export function currentChoice(): ImportChoice {
  const object = objectType.value as ObjectName;
  return {
    object,
    groupKey: needsGroup(object) && groupSelect.value !== "" ? groupSelect.value : null,
    sendInvites: object === "partners" && sendInvites.checked,
    allowRepeats: canRepeat(object) && allowRepeats.checked,
    ...(keyWrittenBack(object) !== null && writeKeys.checked ? { writeKeys: true } : {}),
    mode: takesMode(object) ? (modeSelect.value as ImportMode) : "create_and_update",
  };
}

export function setChoice(choice: ImportChoice): void {
  objectType.value = choice.object;
  wantedGroup = choice.groupKey;
  sendInvites.checked = choice.object === "partners" && choice.sendInvites;
  // Never carried over from an earlier import: importing rows twice is asked for each time.
  allowRepeats.checked = false;
  writeKeys.checked = choice.writeKeys === true;
  modeSelect.value = takesMode(choice.object) ? (choice.mode ?? "create_and_update") : "create_and_update";
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

/** What ticking `Import rows that match earlier imports` does to this object's rows, in a sentence. */
export function repeatsWarningFor(object: ObjectName): string {
  return REPEATS_WARNING[object] ?? "Rows already imported will be created again.";
}

/** Partners, customers, leads and deals: transactions and rewards are only ever created. */
export function takesMode(object: ObjectName): boolean {
  return object !== "transactions" && object !== "rewards";
}

/** Rows of this object can match records an earlier import created (the catalogue says what makes them). */
function canRepeat(object: ObjectName): boolean {
  return Boolean(catalogueObject(object)?.repeats);
}

/** The key column `Write keys back` fills for an object, or null when it has none to fill. */
function keyWrittenBack(object: ObjectName): string | null {
  return catalogueObject(object)?.keyWrittenBack ?? null;
}

function update(): void {
  const object = objectType.value as ObjectName;
  const keyField = keyWrittenBack(object);
  showElement(writeKeysField, keyField !== null);
  writeKeysNote.textContent = keyField
    ? `Blank ${keyField} cells of the rows this import creates get the key the importer gives them, so the next import updates those rows.`
    : "";
  document.body.dataset.objectType = object;
  showElement(invitesField, object === "partners");
  showElement(repeatsField, canRepeat(object));
  repeatsWarning.textContent = repeatsWarningFor(object);
  showElement(repeatsWarning, canRepeat(object) && allowRepeats.checked);
  showElement(groupField, needsGroup(object));
  showElement(modeField, takesMode(object));
  const mode = modeSelect.value as ImportMode;
  const plural = (catalogueObject(object)?.label ?? object).toLowerCase();
  modeNote.textContent =
    mode === "create_only"
      ? `Rows that match existing ${plural} are skipped: nothing stored is changed.`
      : mode === "update_only"
        ? `Rows that match no existing ${plural} are skipped: nothing is created.`
        : "";
  showElement(modeNote, takesMode(object) && mode !== "create_and_update");
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

objectType.addEventListener("change", () => {
  allowRepeats.checked = false;
  changed();
});
groupSelect.addEventListener("change", () => {
  wantedGroup = groupSelect.value || null;
  changed();
});
sendInvites.addEventListener("change", changed);
writeKeys.addEventListener("change", changed);
allowRepeats.addEventListener("change", changed);
modeSelect.addEventListener("change", changed);
onCatalogueLoaded(update);
update();

/** The program's catalogue as the service gives it, and the import spec it makes for a choice. */
import { BASE_OBJECTS, OBJECTS, type ObjectName } from "../core/catalogue";
import type { ProgramCatalogue } from "../core/program";
import { type ObjectSpec, objectSpec } from "../core/spec";
import type { ColumnDescription } from "../core/template";
import type { CatalogueView, ColumnMapping, ColumnView, ImportChoice, ImportMode } from "./contract";
import { KEY_FIELDS, KEYS_WRITTEN_BACK } from "./importResults";
import { serviceRequest } from "./serviceClient";

export interface ObjectsResponse {
  program: { key: string; name: string; currency: string };
  catalogue: ProgramCatalogue;
  objects: {
    object: ObjectName;
    label: string;
    needs_group: boolean;
    columns: ColumnDescription[];
    groups?: Record<string, ColumnDescription[]>;
  }[];
}

/** GET /v1/objects: also where a missing importer permission is found, before any work is done. */
export function fetchCatalogue(): ObjectsResponse {
  return serviceRequest<ObjectsResponse>("GET", "v1/objects");
}

/**
 * The choice as the sidebar sent it, checked: a known object, a group only where one belongs, repeats
 * allowed only for objects whose rows can repeat an earlier import's, a mapping of header texts to field
 * names (or null), a header row that is a row number.
 */
export function readChoice(input: unknown): ImportChoice {
  const given = (input ?? {}) as Partial<ImportChoice>;
  const object = String(given.object ?? "") as ObjectName;
  if (!OBJECTS.includes(object))
    throw new Error(`Choose an Object type: one of ${OBJECTS.join(", ")} (got "${given.object ?? ""}").`);
  const needsGroup = object === "leads" || object === "deals";
  const groupKey = needsGroup && typeof given.groupKey === "string" && given.groupKey ? given.groupKey : null;
  return {
    object,
    groupKey,
    sendInvites: object === "partners" && given.sendInvites === true,
    allowRepeats: BASE_OBJECTS[object].repeats !== undefined && given.allowRepeats === true,
    ...(given.writeKeys === true && KEYS_WRITTEN_BACK.includes(object) ? { writeKeys: true } : {}),
    mode: readMode(object, given.mode),
    ...(given.mapping ? { mapping: readMapping(given.mapping) } : {}),
    ...(given.headerRow !== undefined && given.headerRow !== null
      ? { headerRow: readHeaderRowNumber(given.headerRow) }
      : {}),
  };
}

const MODES: readonly ImportMode[] = ["create_and_update", "create_only", "update_only"];

/** The import's mode: transactions and rewards only create, so theirs is always create_and_update. */
function readMode(object: ObjectName, given: unknown): ImportMode {
  if (!modeApplies(object) || given === undefined || given === null) return "create_and_update";
  if (!MODES.includes(given as ImportMode))
    throw new Error(`The import's mode must be one of ${MODES.join(", ")} (got "${String(given)}").`);
  return given as ImportMode;
}

/** Whether `Create and update`, `Create only` and `Update only` apply to an object's rows. */
export function modeApplies(object: ObjectName): boolean {
  return object !== "transactions" && object !== "rewards";
}

/** Longest header text a mapping may name: a cell's 50,000 characters are not a header. */
const MAX_MAPPED_HEADER = 500;

function readMapping(input: unknown): ColumnMapping {
  if (typeof input !== "object" || Array.isArray(input))
    throw new Error(
      'The column mapping must pair each header with a field name or null, like {"Email": "partner_email", "Notes": null}.',
    );
  const mapping: Record<string, string | null> = {};
  for (const [header, field] of Object.entries(input as Record<string, unknown>)) {
    if (header.length > MAX_MAPPED_HEADER)
      throw new Error(
        `The column mapping names a header of ${header.length} characters; headers have at most ${MAX_MAPPED_HEADER}.`,
      );
    if (field !== null && typeof field !== "string")
      throw new Error(
        `The column mapping gives "${header}" ${JSON.stringify(field)}; expected a field name or null (ignore the column).`,
      );
    mapping[header] = field === null || field.trim() === "" ? null : field.trim();
  }
  return mapping;
}

function readHeaderRowNumber(input: unknown): number {
  const row = Number(input);
  if (!Number.isInteger(row) || row < 1)
    throw new Error(`Header row must be a row number (1 or more); got ${JSON.stringify(input)}.`);
  return row;
}

/** The spec for a choice; a missing or unknown group reads as the sentence the spec gives. */
export function specFor(choice: ImportChoice, catalogue: ProgramCatalogue): ObjectSpec {
  try {
    return objectSpec(choice.object, { program: catalogue, groupKey: choice.groupKey });
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
}

export function loadCatalogueView(): CatalogueView {
  const response = fetchCatalogue();
  const groupName = new Map(response.catalogue.groups.map((g) => [g.key, g.name]));
  return {
    program: response.program,
    objects: response.objects.map((o) => ({
      object: o.object,
      label: o.label,
      needsGroup: o.needs_group,
      columns: o.columns.map(columnView),
      groups: Object.entries(o.groups ?? {}).map(([key, columns]) => ({
        key,
        name: groupName.get(key) ?? key,
        columns: columns.map(columnView),
      })),
      repeats: BASE_OBJECTS[o.object]?.repeats?.description ?? null,
      keyWrittenBack: KEYS_WRITTEN_BACK.includes(o.object) ? (KEY_FIELDS[o.object] ?? null) : null,
    })),
  };
}

function columnView(c: ColumnDescription): ColumnView {
  return {
    name: c.name,
    required: c.required,
    requirementText: c.requirementText,
    typeLabel: c.typeLabel,
    example: c.example,
    description: c.description,
    ...(c.options ? { options: [...c.options] } : {}),
    inTemplate: c.inTemplate,
  };
}

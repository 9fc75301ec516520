/** The program's catalogue as the service gives it, and the import spec it makes for a choice. */
import { BASE_OBJECTS, OBJECTS, type ObjectName } from "../core/catalogue";
import type { ProgramCatalogue } from "../core/program";
import { type ObjectSpec, objectSpec } from "../core/spec";
import type { ColumnDescription } from "../core/template";
import type { CatalogueView, ColumnView, ImportChoice } from "./contract";
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
 * allowed only for objects whose rows can repeat an earlier import's.
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
  };
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

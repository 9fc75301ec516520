import {
  BASE_OBJECTS,
  type BaseObject,
  NOT_IMPORTABLE,
  OBJECT_LABELS,
  OBJECTS,
  type ObjectName,
  type Repeats,
} from "./catalogue";
import type { FieldDef } from "./fields";
import type { CustomField, Group, ProgramCatalogue } from "./program";

/** An object's import spec: the catalogue's fields extended by the program's data. */
export interface ObjectSpec {
  readonly object: ObjectName;
  readonly label: string;
  /** The template's columns, in order. */
  readonly fields: readonly FieldDef[];
  readonly byName: ReadonlyMap<string, FieldDef>;
  readonly oneOfGroups: readonly OneOfGroup[];
  readonly metadata: boolean;
  readonly aliases: Readonly<Record<string, string>>;
  /** The group chosen for a leads or deals import. */
  readonly group: Group | null;
  /** Lead form fields of the program's other groups, by key: the name of a group that has it. */
  readonly otherGroupFields: ReadonlyMap<string, string>;
  /** The program's default currency. */
  readonly currency: string;
  /** What makes a row a repeat of a record an earlier import created, for objects without a key of their own. */
  readonly repeats: Repeats | null;
}

export interface OneOfGroup {
  readonly name: string;
  readonly fields: readonly string[];
  /** Exactly one (rather than at least one) of the fields per row. */
  readonly exclusive: boolean;
}

export type SpecErrorCode =
  | "unsupported_object"
  | "group_required"
  | "unknown_group"
  | "group_feature_disabled";

/** A request for a spec that cannot be met: an object the importer does not take, or a bad group. */
export class SpecError extends Error {
  constructor(
    readonly code: SpecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SpecError";
  }
}

const SUPPORTED_LIST = OBJECTS.join(", ");

/** Reads an object name as a person may write it ("Partners", "partner", "Deals"). */
export function resolveObject(input: string): ObjectName {
  const word = input
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
  const plural = word.endsWith("s") ? word : `${word}s`;
  const found = OBJECTS.find((o) => o === plural || OBJECT_LABELS[o].toLowerCase() === word);
  if (found) return found;
  const notImportable = NOT_IMPORTABLE.find((n) => {
    const name = n.toLowerCase();
    return name === word || name === plural || name.replace(/s$/, "") === word;
  });
  if (notImportable)
    throw new SpecError(
      "unsupported_object",
      `${notImportable} cannot be imported. The importer takes: ${SUPPORTED_LIST}.`,
    );
  throw new SpecError(
    "unsupported_object",
    `"${input}" is not an object the importer takes. The importer takes: ${SUPPORTED_LIST}.`,
  );
}

export interface SpecOptions {
  /** The program's data; without it, the base catalogue alone. */
  program?: ProgramCatalogue | null;
  /** The group of a leads or deals import. */
  groupKey?: string | null;
}

/** The import spec for an object, extended by the program's custom fields, groups, tiers and stages. */
export function objectSpec(object: ObjectName | string, options: SpecOptions = {}): ObjectSpec {
  const name = (OBJECTS as readonly string[]).includes(object)
    ? (object as ObjectName)
    : resolveObject(object);
  const base = BASE_OBJECTS[name];
  const program = options.program ?? null;
  const group = chooseGroup(base, program, options.groupKey ?? null);
  let fields: FieldDef[] = [...base.fields];
  const otherGroupFields = new Map<string, string>();

  if (program) {
    fields = fields.map((f) => withProgramOptions(f, name, program, group));
    if (name === "partners") fields.push(...customFields(program.partner_fields, "partner_field", fields));
    if (name === "leads" && group) {
      fields.push(...customFields(group.lead_fields, "lead_field", fields));
      for (const g of program.groups)
        if (g.key !== group.key)
          for (const f of g.lead_fields)
            if (!otherGroupFields.has(f.key)) otherGroupFields.set(f.key, g.name);
    }
  }

  return {
    object: name,
    label: OBJECT_LABELS[name],
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    oneOfGroups: oneOfGroups(fields),
    metadata: base.metadata === true,
    aliases: base.aliases,
    group,
    otherGroupFields,
    currency: program?.program.currency ?? "USD",
    repeats: base.repeats ?? null,
  };
}

function chooseGroup(
  base: BaseObject,
  program: ProgramCatalogue | null,
  groupKey: string | null,
): Group | null {
  const feature = base.needsGroup;
  if (!feature || !program) return null;
  const withFeature = program.groups.filter((g) => g.features.includes(feature));
  const listed = withFeature.length
    ? `groups with ${feature}: ${withFeature.map((g) => g.key).join(", ")}`
    : `no group of this program has ${feature} enabled`;
  if (!groupKey)
    throw new SpecError(
      "group_required",
      `${OBJECT_LABELS[base.object]} are imported into one group: choose a group (${listed}).`,
    );
  const group = program.groups.find((g) => g.key === groupKey);
  if (!group)
    throw new SpecError("unknown_group", `There is no group "${groupKey}" in this program (${listed}).`);
  if (!group.features.includes(feature))
    throw new SpecError(
      "group_feature_disabled",
      `The group "${group.name}" does not have ${feature} enabled (${listed}).`,
    );
  return group;
}

function withProgramOptions(
  f: FieldDef,
  object: ObjectName,
  program: ProgramCatalogue,
  group: Group | null,
): FieldDef {
  if (object === "partners" && f.name === "group_key" && program.groups.length)
    return { ...f, type: "choice", caseSensitive: true, options: program.groups.map((g) => g.key) };
  if (object === "partners" && f.name === "tier_key" && program.tiers.length)
    return { ...f, type: "choice", caseSensitive: true, options: program.tiers.map((t) => t.key) };
  if (object === "deals" && f.name === "stage" && group?.deal_stages.length)
    return { ...f, options: group.deal_stages, example: group.deal_stages[0] ?? f.example };
  if (object === "transactions" && f.name === "currency")
    return {
      ...f,
      example: program.program.currency,
      description: `ISO 4217 currency code; ${program.program.currency} when blank.`,
    };
  return f;
}

function customFields(
  defs: readonly CustomField[],
  source: "partner_field" | "lead_field",
  existing: readonly FieldDef[],
): FieldDef[] {
  const taken = new Set(existing.map((f) => f.name));
  return defs
    .filter((d) => !taken.has(d.key))
    .map((d): FieldDef => {
      const required = d.required === true;
      return {
        name: d.key,
        type: d.type,
        ...(d.options ? { options: d.options } : {}),
        ...(source === "lead_field" ? { required } : { requiredOnCreate: required }),
        source,
        example: exampleFor(d),
        description: d.description ?? d.name ?? `Custom field ${d.key}.`,
      };
    });
}

function exampleFor(d: CustomField): string {
  switch (d.type) {
    case "number":
      return "42";
    case "date":
      return "2020-12-25";
    case "boolean":
      return "true";
    case "choice":
      return d.options?.[0] ?? "";
    default:
      return d.name ?? d.key;
  }
}

function oneOfGroups(fields: readonly FieldDef[]): OneOfGroup[] {
  const groups = new Map<string, { fields: string[]; exclusive: boolean }>();
  for (const f of fields) {
    if (!f.oneOf) continue;
    const g = groups.get(f.oneOf) ?? { fields: [], exclusive: false };
    g.fields.push(f.name);
    g.exclusive ||= f.exclusive === true;
    groups.set(f.oneOf, g);
  }
  return [...groups].map(([name, g]) => ({ name, ...g }));
}

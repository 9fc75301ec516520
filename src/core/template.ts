import { type FieldType, TYPE_LABELS } from "./fields";
import type { ObjectSpec } from "./spec";

/** A template column as the sidebar's "View headers" and `GET /v1/objects` describe it. */
export interface ColumnDescription {
  readonly name: string;
  readonly required: boolean;
  /** How the column is required: on its own, as one of a group, only to create, or not at all. */
  readonly requirement: "required" | "one_of" | "required_on_create" | "optional";
  /** A person's words for the requirement: "required", "required: this or partner_key, not both". */
  readonly requirementText: string;
  readonly type: FieldType;
  readonly typeLabel: string;
  readonly example: string;
  readonly description: string;
  readonly options?: readonly string[];
  /** Whether the template holds the column; the other column of an exclusive pair is listed but left out. */
  readonly inTemplate: boolean;
  /** How the template formats the column: plain text (keys, postal codes), dates, or as Sheets likes. */
  readonly format: "text" | "date" | "automatic";
}

/** The template's columns for an object, in order, described. */
export function templateColumns(spec: ObjectSpec): ColumnDescription[] {
  return spec.fields.map((f) => {
    const group = f.oneOf ? spec.oneOfGroups.find((g) => g.name === f.oneOf) : undefined;
    const others = group?.fields.filter((n) => n !== f.name).join(" or ");
    const requirement = f.required
      ? "required"
      : group
        ? "one_of"
        : f.requiredOnCreate
          ? "required_on_create"
          : "optional";
    const requirementText = {
      required: "required",
      one_of: `required: this or ${others}${group?.exclusive ? ", not both" : ""}`,
      required_on_create: `required for new ${spec.label.toLowerCase()}`,
      optional: "optional",
    }[requirement];
    return {
      name: f.name,
      required: requirement === "required" || requirement === "one_of",
      requirement,
      requirementText,
      type: f.type,
      typeLabel: TYPE_LABELS[f.type],
      example: f.example,
      description: f.description,
      ...(f.options?.length ? { options: f.options } : {}),
      inTemplate: f.inTemplate !== false,
      format: f.asText ? "text" : f.type === "date" ? "date" : "automatic",
    };
  });
}

/** The template's header row. */
export function templateHeaders(spec: ObjectSpec): string[] {
  return spec.fields.filter((f) => f.inTemplate !== false).map((f) => f.name);
}

/** The template as a CSV file: the header row alone. */
export function templateCsv(spec: ObjectSpec): string {
  return `${templateHeaders(spec).map(csvField).join(",")}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

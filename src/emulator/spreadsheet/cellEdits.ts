import {
  type Cell,
  DEFAULT_BACKGROUND,
  DEFAULT_FONT_COLOR,
  DEFAULT_FONT_WEIGHT,
  setProperty,
  type ValidationRule,
} from "./cell";
import { writeInput } from "./cellInput";

/** What each of Range's and RangeList's setters and clears does to one cell. */
export type CellEdit = (cell: Cell) => void;

const NAMED_COLORS: Record<string, string> = {
  black: "#000000",
  white: "#ffffff",
  red: "#ff0000",
  green: "#008000",
  blue: "#0000ff",
  yellow: "#ffff00",
  orange: "#ffa500",
  gray: "#808080",
  grey: "#808080",
  purple: "#800080",
};

/** Colours as getBackground reports them: lower-case `#rrggbb`; null means the default. */
export function normalizeColor(color: string | null | undefined, fallback: string): string {
  if (color === null || color === undefined || color === "") return fallback;
  const lower = String(color).trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(lower);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`;
  return NAMED_COLORS[lower] ?? lower;
}

const orDefault = (value: string, fallback: string) => (value === fallback ? undefined : value);

export const edits = {
  value:
    (input: unknown, timeZone: string): CellEdit =>
    (cell) =>
      writeInput(cell, input, timeZone),
  formula:
    (formula: string, timeZone: string): CellEdit =>
    (cell) => {
      const text = formula === null || formula === undefined ? "" : String(formula);
      if (text.startsWith("=")) {
        delete cell.value;
        cell.formula = text;
      } else writeInput(cell, text, timeZone);
    },
  background:
    (color: string | null): CellEdit =>
    (cell) =>
      setProperty(
        cell,
        "background",
        orDefault(normalizeColor(color, DEFAULT_BACKGROUND), DEFAULT_BACKGROUND),
      ),
  note:
    (note: unknown): CellEdit =>
    (cell) =>
      setProperty(
        cell,
        "note",
        note === null || note === undefined || note === "" ? undefined : String(note),
      ),
  numberFormat:
    (pattern: string | null): CellEdit =>
    (cell) =>
      setProperty(cell, "numberFormat", pattern ? String(pattern) : undefined),
  fontWeight:
    (weight: string | null): CellEdit =>
    (cell) =>
      setProperty(cell, "fontWeight", weight && weight !== DEFAULT_FONT_WEIGHT ? String(weight) : undefined),
  fontColor:
    (color: string | null): CellEdit =>
    (cell) =>
      setProperty(
        cell,
        "fontColor",
        orDefault(normalizeColor(color, DEFAULT_FONT_COLOR), DEFAULT_FONT_COLOR),
      ),
  validation:
    (rule: ValidationRule | undefined): CellEdit =>
    (cell) =>
      setProperty(cell, "validation", rule),
  clearContent: ((cell) => {
    delete cell.value;
    delete cell.formula;
  }) as CellEdit,
  clearFormat: ((cell) => {
    delete cell.background;
    delete cell.numberFormat;
    delete cell.fontWeight;
    delete cell.fontColor;
  }) as CellEdit,
  clearNote: ((cell) => {
    delete cell.note;
  }) as CellEdit,
  clearValidation: ((cell) => {
    delete cell.validation;
  }) as CellEdit,
};

export interface ClearOptions {
  contentsOnly?: boolean;
  formatOnly?: boolean;
  commentsOnly?: boolean;
  validationsOnly?: boolean;
}

/** Range.clear(options) as the reference describes it: contents and formats unless told otherwise. */
export function clearEdit(options: ClearOptions | undefined): CellEdit {
  const o = options ?? {};
  const any = o.contentsOnly || o.formatOnly || o.commentsOnly || o.validationsOnly;
  const parts: CellEdit[] = [];
  if (!any || o.contentsOnly) parts.push(edits.clearContent);
  if (!any || o.formatOnly) parts.push(edits.clearFormat);
  if (o.commentsOnly) parts.push(edits.clearNote);
  if (o.validationsOnly) parts.push(edits.clearValidation);
  return (cell) => {
    for (const part of parts) part(cell);
  };
}

import { type ObjectName, quote } from "../../core";
import { ApiError } from "../errors";
import { type ApplyContext, type ImportMode, type RowResult, rowIssue, skipped } from "./types";

export const MODES: readonly ImportMode[] = ["create_and_update", "create_only", "update_only"];

/** A mode as the sidebar names it. */
const LABELS: Record<ImportMode, string> = {
  create_and_update: "Create and update",
  create_only: "Create only",
  update_only: "Update only",
};

/** Objects whose rows only ever create a record (a stored key is skipped): no mode but the default. */
const CREATE_ONLY_OBJECTS: readonly ObjectName[] = ["transactions", "rewards"];

/**
 * The mode an import asked for, checked: one of MODES, and for transactions and rewards only the
 * default (their rows only create). Anything else is 422 invalid_option, saying what is allowed.
 */
export function checkMode(object: ObjectName, mode: unknown): ImportMode {
  if (!MODES.includes(mode as ImportMode))
    throw new ApiError(
      422,
      "invalid_option",
      `mode ${quote(mode)} is not a mode; expected one of ${MODES.join(", ")}`,
      { option: "mode", allowed: MODES },
    );
  if (mode !== "create_and_update" && CREATE_ONLY_OBJECTS.includes(object))
    throw new ApiError(
      422,
      "invalid_option",
      `mode ${mode} does not apply to ${object}: their rows only create (a stored key is skipped, never updated), so ${object} take only mode create_and_update`,
      { option: "mode", allowed: ["create_and_update"] },
    );
  return mode as ImportMode;
}

/** The record a row would create or update is one the import's mode leaves alone. */
export function modeExcludes(ctx: ApplyContext, outcome: "created" | "updated"): boolean {
  const mode = ctx.options.mode;
  return outcome === "updated" ? mode === "create_only" : mode === "update_only";
}

function singular(ctx: ApplyContext): string {
  return ctx.spec.label.toLowerCase().replace(/s$/, "");
}

/** A row that matched a stored record (`key`), under create_only: skipped, on the column it matched by. */
export function excludedUpdate(ctx: ApplyContext, row: number, field: string, key: string): RowResult {
  const what = singular(ctx);
  return skipped(row, [
    rowIssue(
      ctx,
      row,
      field,
      "excluded_by_mode",
      `${what.charAt(0).toUpperCase()}${what.slice(1)} ${key} exists, and this import only creates (${LABELS.create_only}): nothing was changed`,
    ),
  ]);
}

/**
 * A row that matched no stored record, under update_only: skipped, on the column it was looked up by.
 * `unmatched` says why it matched none (`No partner has partner_key "zed"`).
 */
export function excludedCreate(ctx: ApplyContext, row: number, field: string, unmatched: string): RowResult {
  return skipped(row, [
    rowIssue(
      ctx,
      row,
      field,
      "excluded_by_mode",
      `${unmatched}, and this import only updates (${LABELS.update_only}): nothing was created`,
    ),
  ]);
}

/** Why a row matched nothing: `No partner has partner_key "zed"`. */
export function noneHas(ctx: ApplyContext, field: string, value: string): string {
  return `No ${singular(ctx)} has ${field} ${quote(value)}`;
}

import { type CheckedRow, type Issue, quote } from "../../core";
import { type ApplyContext, rowIssue } from "./types";

/** The distinct text values a field has across rows: what to look up in one statement. */
export function distinctTexts(rows: readonly CheckedRow[], field: string): string[] {
  return [...new Set(rows.map((r) => r.record[field]).filter((v): v is string => typeof v === "string"))];
}

/**
 * A warning when a lead's or deal's partner belongs to another group than the import's (a partner with
 * no group is in the program's default group); the row is imported all the same.
 */
export function partnerInOtherGroup(
  ctx: ApplyContext,
  row: number,
  partner: { key: string; group_key: string | null },
  what: string,
): Issue[] {
  const group = ctx.spec.group;
  const home = partner.group_key ?? ctx.program.groups.find((g) => g.default)?.key ?? null;
  if (!group || home === null || home === group.key) return [];
  return [
    rowIssue(
      ctx,
      row,
      "partner_key",
      "partner_in_other_group",
      `Partner ${quote(partner.key)} is in the group ${quote(home)}, not ${quote(group.key)}; the ${what} is imported into ${quote(group.key)} all the same`,
      "warning",
    ),
  ];
}

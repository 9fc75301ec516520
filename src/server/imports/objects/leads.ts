import type { Applier } from "../types";
import { rowIssue, skipped } from "../types";

/** Leads: not yet applied. */
export const applyLeads: Applier = async (ctx, rows) =>
  rows.map((r) =>
    skipped(r.row, [rowIssue(ctx, r.row, "", "internal_error", "leads cannot be imported yet")]),
  );

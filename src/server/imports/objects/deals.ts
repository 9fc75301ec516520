import type { Applier } from "../types";
import { rowIssue, skipped } from "../types";

/** Deals: not yet applied. */
export const applyDeals: Applier = async (ctx, rows) =>
  rows.map((r) =>
    skipped(r.row, [rowIssue(ctx, r.row, "", "internal_error", "deals cannot be imported yet")]),
  );

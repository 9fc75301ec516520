import type { Applier } from "../types";
import { rowIssue, skipped } from "../types";

/** Customers: not yet applied. */
export const applyCustomers: Applier = async (ctx, rows) =>
  rows.map((r) =>
    skipped(r.row, [rowIssue(ctx, r.row, "", "internal_error", "customers cannot be imported yet")]),
  );

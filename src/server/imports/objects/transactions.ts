import type { Applier } from "../types";
import { rowIssue, skipped } from "../types";

/** Transactions: not yet applied. */
export const applyTransactions: Applier = async (ctx, rows) =>
  rows.map((r) =>
    skipped(r.row, [rowIssue(ctx, r.row, "", "internal_error", "transactions cannot be imported yet")]),
  );

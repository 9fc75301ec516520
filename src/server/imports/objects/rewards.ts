import type { Applier } from "../types";
import { rowIssue, skipped } from "../types";

/** Rewards: not yet applied. */
export const applyRewards: Applier = async (ctx, rows) =>
  rows.map((r) =>
    skipped(r.row, [rowIssue(ctx, r.row, "", "internal_error", "rewards cannot be imported yet")]),
  );

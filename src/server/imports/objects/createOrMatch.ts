import type { CheckedRow, Issue } from "../../../core";
import { type ApplyContext, type RowResult, skipped } from "../types";

/** A record a row would create. */
export interface Create {
  src_row: number;
}

/**
 * A row's match against stored data: each row's result (and its update, if any) is recorded, and the
 * records to create are returned.
 */
export type Resolve<C extends Create> = (rows: readonly CheckedRow[]) => Promise<C[]>;

/** Inserts with `ON CONFLICT DO NOTHING`; the rows whose record another import created meanwhile. */
export type Insert<C extends Create> = (creates: readonly C[]) => Promise<ReadonlySet<number>>;

/**
 * Resolves rows and creates the records they name that are not stored, when another import may create
 * the same record at the same moment. A row whose insert met a key that import had just taken is
 * resolved again: `ON CONFLICT` waited for the other import to commit, so the row now matches its
 * record, by the object's rules, and is an update where the other is a create. Two rounds settle every
 * row; one still unsettled is skipped, saying what happened. A constant number of statements a round,
 * whatever the number of rows.
 */
export async function createOrMatch<C extends Create>(
  ctx: ApplyContext,
  rows: readonly CheckedRow[],
  results: Map<number, RowResult>,
  resolve: Resolve<C>,
  insert: Insert<C>,
): Promise<void> {
  let pending = rows;
  for (let round = 1; pending.length; round++) {
    if (round > ROUNDS) {
      for (const r of pending) results.set(r.row, skipped(r.row, [unsettled(ctx, r.row)]));
      return;
    }
    const creates = await resolve(pending);
    const lost = creates.length ? await insert(creates) : new Set<number>();
    pending = pending.filter((r) => lost.has(r.row));
  }
}

const ROUNDS = 2;

/** A row that lost its create twice: the record that took its key is not to be seen (taken back since). */
function unsettled(ctx: ApplyContext, row: number): Issue {
  const singular = ctx.spec.label.toLowerCase().replace(/s$/, "");
  return {
    row,
    column: null,
    field: null,
    severity: "error",
    code: "internal_error",
    message: `Another import took this ${singular}'s key or email at the same moment, and its ${singular} could not be found afterwards; nothing was written for this row, so import it again`,
  };
}

/**
 * A new record's id, drawn in the rows' order (a CTE over the rows, before the insert sorts them by key
 * to lock in one order): records are numbered, and listed, as the file has them. The table's sequence
 * is looked up once for the statement (an init plan), not once a row: the look-up cost more than the draw.
 */
export const NEW_ID = (table: string) =>
  `nextval((SELECT pg_get_serial_sequence('${table}', 'id')::regclass))`;

/**
 * Updates, by record id, in the order of the ids: two imports updating the same records lock them in
 * the same order, and wait for each other rather than deadlock.
 */
export function inIdOrder<U>(updates: ReadonlyMap<number, U>): U[] {
  return [...updates].sort(([a], [b]) => a - b).map(([, update]) => update);
}

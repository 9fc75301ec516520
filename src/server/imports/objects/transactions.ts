import { randomUUID } from "node:crypto";
import { type CheckedRow, type Issue, quote } from "../../../core";
import { distinctTexts } from "../matching";
import { fingerprint, withoutRepeats } from "../repeats";
import { type Applier, type ApplyContext, type RowResult, rowIssue, skipped } from "../types";
import { unlessTaken } from "./unlessTaken";

interface Customer {
  id: number;
  key: string;
  email: string;
}

/**
 * Transactions: each belongs to an existing customer, named by customer_key, else customer_email.
 * They are never updated: a key the program already has is skipped. Blank currency: the program's. One
 * without a key is known by its fingerprint, so the same sheet imported twice records it once.
 */
export const applyTransactions: Applier = async (ctx, rows) => {
  const { tx, programId } = ctx;
  const keys = distinctTexts(rows, "customer_key");
  const emails = distinctTexts(rows, "customer_email");
  const { rows: found } = await tx.query<Customer>(
    "SELECT id, key, email FROM customers WHERE program_id = $1 AND (key = ANY($2::text[]) OR email = ANY($3::text[]))",
    [programId, keys, emails],
  );
  const byKey = new Map(found.map((c) => [c.key, c]));
  const byEmail = new Map<string, Customer[]>();
  for (const c of found) byEmail.set(c.email, [...(byEmail.get(c.email) ?? []), c]);

  const results = new Map<number, RowResult>();
  const inserts: Record<string, unknown>[] = [];

  for (const r of rows) {
    const named = customerOf(ctx, r, byKey, byEmail);
    if ("error" in named) {
      results.set(r.row, skipped(r.row, [named.error]));
      continue;
    }
    const given = r.record.key as string | undefined;
    const key = given ?? `txn_${randomUUID()}`;
    const currency = r.record.currency ?? ctx.program.program.currency;
    const metadata = (r.record.metadata ?? {}) as Record<string, unknown>;
    inserts.push({
      src_row: r.row,
      keyed: given !== undefined,
      fingerprint: fingerprint(ctx, [
        named.customer.id,
        r.record.amount,
        currency,
        r.record.created_at ?? null,
        r.record.category_key ?? null,
        r.record.product_key ?? null,
        Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ]),
      key,
      customer_id: named.customer.id,
      amount: r.record.amount,
      currency,
      happened_on: r.record.created_at ?? null,
      category_key: r.record.category_key ?? null,
      product_key: r.record.product_key ?? null,
      metadata,
    });
    results.set(r.row, { row: r.row, outcome: "created", object_key: key, issues: named.notes });
  }

  // A transaction with a key is known by it; one without, by what it is.
  const toInsert = await withoutRepeats(ctx, "transactions", inserts, results, (i) => i.keyed === true);

  if (toInsert.length) {
    // The unique key decides, not the lookup: a key stored by a concurrent import is skipped too.
    const params = [programId, JSON.stringify(toInsert), ctx.importId];
    const created = (await unlessTaken(tx, () => tx.query(insertTransactions(false), params)))
      ? new Set(toInsert.map((i) => i.key as string))
      : new Set((await tx.query<{ key: string }>(insertTransactions(true), params)).rows.map((m) => m.key));
    for (const i of toInsert) {
      const result = results.get(i.src_row as number) as RowResult;
      if (created.has(i.key as string)) result.fingerprint = i.fingerprint as string;
    }
    for (const [row, result] of results)
      if (result.outcome === "created" && !created.has(result.object_key as string))
        results.set(
          row,
          skipped(row, [
            rowIssue(
              ctx,
              row,
              "key",
              "transaction_exists",
              `A transaction with key ${quote(result.object_key)} exists already; transactions are never updated, so this row was skipped (use a new key for a new transaction)`,
            ),
          ]),
        );
  }
  return rows.map((r) => results.get(r.row) as RowResult);
};

/** The insert; `leaveTaken`: a key taken meanwhile is passed over, and what was made returned. */
const insertTransactions = (leaveTaken: boolean) =>
  `INSERT INTO transactions (program_id, key, customer_id, amount, currency, happened_on, category_key,
     product_key, metadata, import_id, fingerprint, import_row)
   SELECT $1, v.key, v.customer_id, v.amount, v.currency, v.happened_on, v.category_key, v.product_key,
     v.metadata, $3::uuid, v.fingerprint, v.src_row
   FROM jsonb_to_recordset($2::jsonb) AS v(key text, customer_id bigint, amount bigint, currency text,
     happened_on date, category_key text, product_key text, metadata jsonb, fingerprint text, src_row int)
   ${leaveTaken ? "ON CONFLICT (program_id, key) DO NOTHING RETURNING key" : ""}`;

/** The stored customer a row names, by customer_key, else customer_email; or why there is none. */
function customerOf(
  ctx: ApplyContext,
  r: CheckedRow,
  byKey: ReadonlyMap<string, Customer>,
  byEmail: ReadonlyMap<string, Customer[]>,
): { customer: Customer; notes: Issue[] } | { error: Issue } {
  const key = r.record.customer_key as string | undefined;
  const email = r.record.customer_email as string | undefined;
  if (key !== undefined) {
    const customer = byKey.get(key);
    if (!customer)
      return {
        error: rowIssue(
          ctx,
          r.row,
          "customer_key",
          "customer_not_found",
          `No customer has customer_key ${quote(key)}; expected the key of an existing customer (import customers before their transactions)`,
        ),
      };
    const notes =
      email !== undefined && email !== customer.email
        ? [
            rowIssue(
              ctx,
              r.row,
              "customer_email",
              "ignored_value",
              `customer_email ${quote(email)} is not the email of customer ${customer.key} (${customer.email}); the transaction goes to ${customer.key}, named by customer_key`,
              "warning",
            ),
          ]
        : [];
    return { customer, notes };
  }
  const matches = byEmail.get(email as string) ?? [];
  if (matches.length > 1)
    return {
      error: rowIssue(
        ctx,
        r.row,
        "customer_email",
        "customer_conflict",
        `customer_email ${quote(email)} belongs to ${matches.length} customers (${matches.map((c) => c.key).join(", ")}); expected a customer_key that says which one`,
      ),
    };
  const customer = matches[0];
  if (!customer)
    return {
      error: rowIssue(
        ctx,
        r.row,
        "customer_email",
        "customer_not_found",
        `No customer has customer_email ${quote(email)}; expected the email of an existing customer (import customers before their transactions)`,
      ),
    };
  return { customer, notes: [] };
}

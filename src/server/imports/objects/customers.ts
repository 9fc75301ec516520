import { randomBytes } from "node:crypto";
import { type CheckedRow, type Issue, quote } from "../../../core";
import { distinctTexts } from "../matching";
import { excludedCreate, excludedUpdate, modeExcludes, noneHas } from "../modes";
import { type Applier, type ApplyContext, type RowResult, rowIssue, type StoredAs, skipped } from "../types";
import { createOrMatch, inIdOrder, NEW_ID } from "./createOrMatch";
import { unlessTaken } from "./unlessTaken";

interface Create {
  src_row: number;
  key: string;
  email: string;
  [column: string]: unknown;
}

interface Stored {
  kind: "customer" | "partner";
  id: number;
  key: string;
  email: string;
}

/** Import fields stored under the same name; created_at is stored as signed_up_on. */
const COLUMNS = ["name", "company_name", "state", "unit", "postal"] as const;

/** The customers table's columns as a row's fields. */
export const customersStoredAs: StoredAs = {
  table: "customers",
  keyColumn: "key",
  fieldOf: {
    email: "email",
    partner_id: "partner_key",
    signed_up_on: "created_at",
    ...Object.fromEntries(COLUMNS.map((c) => [c, c])),
  },
};

/**
 * Customers: matched by customer_key, else email (a key that matches no one falls back to the email,
 * with a warning); an email shared by several customers needs the key. No match creates one; a key
 * another import creates at the same moment is matched instead (see createOrMatch). A given
 * partner_key must name an existing partner. Blank cells change nothing.
 */
export const applyCustomers: Applier = async (ctx, rows) => {
  const results = new Map<number, RowResult>();
  // By stored id: two rows of a chunk may reach one customer (one by key, one by email); the later wins.
  const updates = new Map<number, Record<string, unknown>>();
  await createOrMatch(
    ctx,
    rows,
    results,
    (pending) => resolve(ctx, pending, results, updates),
    (creates) => insert(ctx, creates),
  );
  if (updates.size)
    await ctx.tx.query(
      `UPDATE customers c SET
         email = COALESCE(v.email, c.email),
         partner_id = COALESCE(v.partner_id, c.partner_id),
         signed_up_on = COALESCE(v.signed_up_on, c.signed_up_on),
         ${COLUMNS.map((col) => `${col} = COALESCE(v.${col}, c.${col})`).join(",\n         ")},
         updated_at = now()
       FROM ${RECORDSET}
       WHERE c.id = v.id AND c.program_id = $1`,
      [ctx.programId, JSON.stringify(inIdOrder(updates))],
    );
  return rows.map((r) => results.get(r.row) as RowResult);
};

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS v(id bigint, key text, email text, partner_id bigint,
  signed_up_on date, ${COLUMNS.map((c) => `${c} text`).join(", ")})`;

/** Each row against the stored customers and partners: its result, its update; the customers to create. */
async function resolve(
  ctx: ApplyContext,
  rows: readonly CheckedRow[],
  results: Map<number, RowResult>,
  updates: Map<number, Record<string, unknown>>,
): Promise<Create[]> {
  const { rows: found } = await ctx.tx.query<Stored>(
    `SELECT 'customer' AS kind, id, key, email FROM customers
       WHERE program_id = $1 AND (key = ANY($2::text[]) OR email = ANY($3::text[]))
     UNION ALL
     SELECT 'partner', id, key, email FROM partners WHERE program_id = $1 AND key = ANY($4::text[])`,
    [
      ctx.programId,
      distinctTexts(rows, "customer_key"),
      distinctTexts(rows, "email"),
      distinctTexts(rows, "partner_key"),
    ],
  );
  const byKey = new Map<string, Stored>();
  const byEmail = new Map<string, Stored[]>();
  const partners = new Map<string, number>();
  for (const f of found) {
    if (f.kind === "partner") {
      partners.set(f.key, f.id);
      continue;
    }
    byKey.set(f.key, f);
    byEmail.set(f.email, [...(byEmail.get(f.email) ?? []), f]);
  }

  const creates: Create[] = [];
  for (const r of rows) {
    const key = r.record.customer_key as string | undefined;
    const email = r.record.email as string;
    const partnerKey = r.record.partner_key as string | undefined;
    const errors: Issue[] = [];
    const notes: Issue[] = [];

    const partnerId = partnerKey === undefined ? undefined : partners.get(partnerKey);
    if (partnerKey !== undefined && partnerId === undefined)
      errors.push(
        rowIssue(
          ctx,
          r.row,
          "partner_key",
          "unknown_partner",
          `No partner has partner_key ${quote(partnerKey)}; expected the key of an existing partner (import partners first)`,
        ),
      );

    let match = key === undefined ? undefined : byKey.get(key);
    if (!match) {
      const sameEmail = byEmail.get(email) ?? [];
      if (sameEmail.length > 1) errors.push(conflict(ctx, r.row, email, sameEmail, key));
      else if (sameEmail[0]) {
        match = sameEmail[0];
        if (key !== undefined)
          notes.push(
            rowIssue(
              ctx,
              r.row,
              "customer_key",
              "ignored_value",
              `No customer has customer_key ${quote(key)}; matched ${match.key} by email, whose key stays ${match.key}`,
              "warning",
            ),
          );
      }
    }

    if (errors.length) {
      results.set(r.row, skipped(r.row, errors));
      continue;
    }
    if (match && modeExcludes(ctx, "updated")) {
      const by = key !== undefined && match.key === key ? "customer_key" : "email";
      results.set(r.row, excludedUpdate(ctx, r.row, by, match.key));
      continue;
    }
    if (!match && modeExcludes(ctx, "created")) {
      const unmatched =
        key === undefined
          ? noneHas(ctx, "email", email)
          : `${noneHas(ctx, "customer_key", key)} or email ${quote(email)}`;
      results.set(r.row, excludedCreate(ctx, r.row, key === undefined ? "email" : "customer_key", unmatched));
      continue;
    }
    const row = { ...values(r), ...(partnerId === undefined ? {} : { partner_id: partnerId }) };
    if (match) {
      updates.set(match.id, { ...updates.get(match.id), ...row, id: match.id });
      results.set(r.row, { row: r.row, outcome: "updated", object_key: match.key, issues: notes });
      continue;
    }
    const newKey = key ?? `cus_${randomBytes(6).toString("hex")}`;
    creates.push({ ...row, key: newKey, email, src_row: r.row });
    results.set(r.row, { row: r.row, outcome: "created", object_key: newKey, issues: notes });
  }
  return creates;
}

/**
 * Inserts new customers, in key order so that two imports creating the same keys wait for each other
 * rather than deadlock. A key another import has taken meanwhile is left to it, and so is an email
 * (not unique, but what a row without a key is matched by): their rows are returned.
 */
async function insert(ctx: ApplyContext, creates: readonly Create[]): Promise<Set<number>> {
  // Imports creating customers with the same new email take turns, in email order: the later one's
  // insert starts after the earlier one committed, and sees its customer.
  await ctx.tx.query("SELECT pg_advisory_xact_lock(hashtext($1 || email)) FROM unnest($2::text[]) AS email", [
    `customer-email:${ctx.programId}:`,
    [...new Set(creates.map((c) => c.email))].sort(),
  ]);
  const params = [ctx.programId, JSON.stringify(creates)];
  // Every customer made, or none: a row passed over (its email taken) is found by the careful insert.
  const all = await unlessTaken(
    ctx.tx,
    async () => (await ctx.tx.query(insertCustomers(false), params)).rowCount === creates.length,
  );
  if (all) return new Set();
  const { rows: made } = await ctx.tx.query<{ key: string }>(insertCustomers(true), params);
  const created = new Set(made.map((m) => m.key));
  return new Set(creates.filter((c) => !created.has(c.key)).map((c) => c.src_row));
}

/** The insert; `leaveTaken`: a key taken meanwhile is passed over, and what was made returned. */
const insertCustomers = (leaveTaken: boolean) =>
  `WITH v AS (SELECT v.*, ${NEW_ID("customers")} AS new_id FROM ${RECORDSET})
   INSERT INTO customers (id, program_id, key, email, partner_id, signed_up_on, ${COLUMNS.join(", ")})
   SELECT v.new_id, $1, v.key, v.email, v.partner_id, v.signed_up_on, ${COLUMNS.map((c) => `v.${c}`).join(", ")}
   FROM v
   WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.program_id = $1 AND c.email = v.email)
   ORDER BY v.key
   ${leaveTaken ? "ON CONFLICT (program_id, key) DO NOTHING RETURNING key" : ""}`;

/** A row's values for the customers table; blank cells are absent, so they leave stored values alone. */
function values(r: CheckedRow): Record<string, unknown> {
  const out: Record<string, unknown> = { email: r.record.email };
  for (const c of COLUMNS) if (r.record[c] !== undefined) out[c] = r.record[c];
  if (r.record.created_at !== undefined) out.signed_up_on = r.record.created_at;
  return out;
}

/** An email shared by several stored customers: only a customer_key can say which one the row means. */
function conflict(ctx: ApplyContext, row: number, email: string, found: Stored[], key?: string): Issue {
  const keys = found.map((c) => c.key).join(", ");
  const shared = `email ${quote(email)} belongs to ${found.length} customers (${keys})`;
  return rowIssue(
    ctx,
    row,
    "email",
    "customer_conflict",
    key === undefined
      ? `The ${shared}; expected a customer_key that says which one`
      : `No customer has customer_key ${quote(key)}, and the ${shared}; expected the customer_key of one of them`,
  );
}

import { type CheckedRow, type Issue, isIsoDate, quote } from "../../../core";
import { type Applier, type ApplyContext, type RowResult, rowIssue, skipped } from "../types";

interface Found {
  kind: "partner" | "customer" | "transaction";
  id: number;
  key: string;
  email: string | null;
}

/**
 * Rewards: always created, for an existing partner and, when a target is named, an existing customer or
 * transaction; the amount is converted to US cents with the program's rates, and the original is kept.
 */
export const applyRewards: Applier = async (ctx, rows) => {
  const { tx, programId } = ctx;
  const texts = (field: string, where: (r: CheckedRow) => boolean = () => true) =>
    rows.filter(where).flatMap((r) => {
      const value = r.record[field];
      return typeof value === "string" ? [value] : [];
    });
  const targets = (type: string) => texts("target_key", (r) => r.record.target_type === type);
  const { rows: found } = await tx.query<Found>(
    `SELECT 'partner' AS kind, id, key, email FROM partners
       WHERE program_id = $1 AND (key = ANY($2::text[]) OR email = ANY($3::text[]))
     UNION ALL
     SELECT 'customer', id, key, NULL FROM customers WHERE program_id = $1 AND key = ANY($4::text[])
     UNION ALL
     SELECT 'transaction', id, key, NULL FROM transactions WHERE program_id = $1 AND key = ANY($5::text[])`,
    [programId, texts("partner_key"), texts("partner_email"), targets("customer"), targets("transaction")],
  );
  const index = (kind: Found["kind"], by: (f: Found) => string | null) =>
    new Map(found.filter((f) => f.kind === kind).map((f) => [by(f), f.id]));
  const partnerByKey = index("partner", (f) => f.key);
  const partnerByEmail = index("partner", (f) => f.email);
  const targetIds = {
    customer: index("customer", (f) => f.key),
    transaction: index("transaction", (f) => f.key),
  };

  const results = new Map<number, RowResult>();
  const creates: Record<string, unknown>[] = [];

  for (const r of rows) {
    const v = r.record;
    const issues: Issue[] = [];

    const partnerField = v.partner_key !== undefined ? "partner_key" : "partner_email";
    const partnerValue = v[partnerField] as string;
    const partnerId = (partnerField === "partner_key" ? partnerByKey : partnerByEmail).get(partnerValue);
    if (partnerId === undefined)
      issues.push(
        rowIssue(
          ctx,
          r.row,
          partnerField,
          "unknown_partner",
          `No partner has ${partnerField} ${quote(partnerValue)}; a reward goes to a partner that already exists`,
        ),
      );

    const targetType = v.target_type as "customer" | "transaction" | undefined;
    const targetKey = v.target_key as string | undefined;
    const targetId = targetType && targetKey ? targetIds[targetType].get(targetKey) : undefined;
    if (targetType && targetKey && targetId === undefined)
      issues.push(
        rowIssue(
          ctx,
          r.row,
          "target_key",
          "target_not_found",
          `No ${targetType} has the key ${quote(targetKey)}; target_key must name an existing ${targetType}`,
        ),
      );

    const currency = (v.currency as string | undefined) ?? ctx.program.program.currency;
    const rate = usdPerUnit(ctx, currency);
    if (rate === undefined) issues.push(noRateIssue(ctx, r, currency));

    if (issues.length || partnerId === undefined || rate === undefined) {
      results.set(r.row, skipped(r.row, issues));
      continue;
    }
    const cents =
      v.amount_in_cents !== undefined
        ? (v.amount_in_cents as number)
        : Math.round((v.amount_in_dollars as number) * 100);
    const usdCents = Math.round(cents * rate);
    creates.push({
      src_row: r.row,
      partner_id: partnerId,
      amount_usd_cents: usdCents,
      original_amount_cents: cents,
      original_currency: currency,
      usd_per_unit: rate,
      body: v.body,
      target_type: targetType ?? null,
      target_id: targetId ?? null,
      rewarded_at: rewardedAt(v.created_at as string | undefined),
      status: v.status ?? null,
      decline_reason: v.decline_reason ?? null,
      is_external: v.is_external ?? null,
    });
    results.set(r.row, {
      row: r.row,
      outcome: "created",
      object_key: null,
      issues: [],
      amount_usd_cents: usdCents,
    });
  }

  if (creates.length) {
    // Ids are drawn first so that each new reward's key goes back to the row it came from.
    const { rows: made } = await tx.query<{ src_row: number; id: number }>(
      `WITH v AS (
         SELECT v.*, nextval(pg_get_serial_sequence('rewards', 'id')) AS id
         FROM jsonb_to_recordset($2::jsonb) AS v(src_row int, partner_id bigint, amount_usd_cents bigint,
           original_amount_cents bigint, original_currency text, usd_per_unit double precision, body text,
           target_type text, target_id bigint, rewarded_at timestamptz, status text, decline_reason text,
           is_external boolean)
       ), inserted AS (
         INSERT INTO rewards (id, program_id, partner_id, amount_usd_cents, original_amount_cents, original_currency,
           usd_per_unit, body, target_type, target_id, rewarded_at, status, decline_reason, is_external, import_id)
         SELECT id, $1, partner_id, amount_usd_cents, original_amount_cents, original_currency, usd_per_unit, body,
           target_type, target_id, rewarded_at, COALESCE(status, 'pending'), decline_reason,
           COALESCE(is_external, false), $3::uuid
         FROM v
       )
       SELECT src_row, id FROM v`,
      [programId, JSON.stringify(creates), ctx.importId],
    );
    for (const m of made) {
      const result = results.get(m.src_row);
      if (result) result.object_key = `reward-${m.id}`;
    }
  }
  return rows.map((r) => results.get(r.row) as RowResult);
};

/** US dollars per unit of a currency: 1 for USD, else the program's rate, if it has one. */
function usdPerUnit(ctx: ApplyContext, currency: string): number | undefined {
  if (currency === "USD") return 1;
  return ctx.program.currency_rates?.usd_per_unit[currency];
}

function noRateIssue(ctx: ApplyContext, r: CheckedRow, currency: string): Issue {
  const rates = ctx.program.currency_rates;
  const known = Object.keys(rates?.usd_per_unit ?? {}).sort();
  const expected = known.length
    ? `expected USD or a currency the program has a rate for: ${known.join(", ")} (rates as of ${rates?.as_of})`
    : "expected USD: the program has no currency rates";
  const what =
    r.record.currency === undefined
      ? `currency is blank, so the program's currency ${quote(currency)} is used, and it has no rate to USD`
      : `currency ${quote(currency)} has no rate to USD`;
  return rowIssue(ctx, r.row, "currency", "unknown_currency_rate", `${what}; ${expected}`);
}

/** A date alone is taken as the start of that day in UTC, whatever the database's time zone. */
function rewardedAt(createdAt: string | undefined): string | null {
  if (createdAt === undefined) return null;
  return isIsoDate(createdAt) ? `${createdAt}T00:00:00Z` : createdAt;
}

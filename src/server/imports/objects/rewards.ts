import { type CheckedRow, type Issue, isIsoDate, quote } from "../../../core";
import { distinctTexts } from "../matching";
import { fingerprint, withoutRepeats } from "../repeats";
import { type Applier, type ApplyContext, type RowResult, rowIssue, skipped } from "../types";
import { NEW_ID } from "./createOrMatch";
import { unlessTaken } from "./unlessTaken";

interface Found {
  kind: "partner" | "customer" | "transaction" | "reward";
  id: number;
  key: string;
  email: string | null;
}

/**
 * Rewards: created once, for an existing partner and, when a target is named, an existing customer or
 * transaction; the amount is converted to US cents with the program's rates, and the original is kept.
 * A reward with a key is created once (a stored key is skipped); one without is known by its fingerprint,
 * so the same sheet imported twice pays once.
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
     SELECT 'transaction', id, key, NULL FROM transactions WHERE program_id = $1 AND key = ANY($5::text[])
     UNION ALL
     SELECT 'reward', id, key, NULL FROM rewards WHERE program_id = $1 AND key = ANY($6::text[])`,
    [
      programId,
      texts("partner_key"),
      texts("partner_email"),
      targets("customer"),
      targets("transaction"),
      distinctTexts(rows, "key"),
    ],
  );
  const index = (kind: Found["kind"], by: (f: Found) => string | null) =>
    new Map(found.filter((f) => f.kind === kind).map((f) => [by(f), f.id]));
  const partnerByKey = index("partner", (f) => f.key);
  const partnerByEmail = index("partner", (f) => f.email);
  const targetIds = {
    customer: index("customer", (f) => f.key),
    transaction: index("transaction", (f) => f.key),
  };

  const storedKeys = new Set(found.filter((f) => f.kind === "reward").map((f) => f.key));

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

    const key = v.key as string | undefined;
    if (key !== undefined && storedKeys.has(key)) issues.push(rewardExists(ctx, r.row, key));

    if (issues.length || partnerId === undefined || rate === undefined) {
      results.set(r.row, skipped(r.row, issues));
      continue;
    }
    const cents =
      v.amount_in_cents !== undefined
        ? (v.amount_in_cents as number)
        : Math.round((v.amount_in_dollars as number) * 100);
    const usdCents = Math.round(cents * rate);
    const at = rewardedAt(v.created_at as string | undefined);
    creates.push({
      src_row: r.row,
      key: key ?? null,
      fingerprint: fingerprint(ctx, [
        partnerId,
        cents,
        currency,
        v.body,
        targetType ?? null,
        targetKey ?? null,
        at,
      ]),
      partner_id: partnerId,
      amount_usd_cents: usdCents,
      original_amount_cents: cents,
      original_currency: currency,
      usd_per_unit: rate,
      body: v.body,
      target_type: targetType ?? null,
      target_id: targetId ?? null,
      rewarded_at: at,
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

  // A reward with a key is known by it; one without, by what it is.
  const toCreate = await withoutRepeats(ctx, "rewards", creates, results, (c) => c.key !== null);

  if (toCreate.length) {
    // A reward without a key is known by its id: the rows' ids come back, by row (import_row).
    const params = [programId, JSON.stringify(toCreate), ctx.importId];
    const idsWanted = toCreate.some((c) => c.key === null);
    // Each row's new reward's id; null where none was asked for (a reward with a key).
    let made = new Map<number, number | null>();
    const all = await unlessTaken(tx, async () => {
      const { rows: ids } = await tx.query<Made>(insertRewards(idsWanted), params);
      made = new Map(
        idsWanted ? ids.map((m) => [m.src_row, m.id]) : toCreate.map((c) => [c.src_row as number, null]),
      );
    });
    // A key stored by a concurrent import meanwhile is skipped, as a stored one is.
    if (!all)
      made = new Map(
        (await tx.query<Made>(INSERT_REWARDS_LEAVING_TAKEN, params)).rows.map((m) => [m.src_row, m.id]),
      );
    for (const c of toCreate) {
      const row = c.src_row as number;
      const id = made.get(row);
      const result = results.get(row) as RowResult;
      if (id === undefined) results.set(row, skipped(row, [rewardExists(ctx, row, c.key as string)]));
      else {
        result.object_key = (c.key as string | null) ?? `reward-${id}`;
        result.fingerprint = c.fingerprint as string;
      }
    }
  }
  return rows.map((r) => results.get(r.row) as RowResult);
};

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS v(src_row int, key text, fingerprint text, partner_id bigint,
  amount_usd_cents bigint, original_amount_cents bigint, original_currency text, usd_per_unit double precision,
  body text, target_type text, target_id bigint, rewarded_at timestamptz, status text, decline_reason text,
  is_external boolean)`;

const REWARD_COLUMNS = `program_id, key, fingerprint, import_row, partner_id, amount_usd_cents, original_amount_cents,
  original_currency, usd_per_unit, body, target_type, target_id, rewarded_at, status, decline_reason, is_external,
  import_id`;

const REWARD_VALUES = `$1, key, fingerprint, src_row, partner_id, amount_usd_cents, original_amount_cents,
  original_currency, usd_per_unit, body, target_type, target_id, rewarded_at, COALESCE(status, 'pending'),
  decline_reason, COALESCE(is_external, false), $3::uuid`;

/** The insert, each id drawn in the rows' order (the column's default); `returning`: the ids, by row. */
const insertRewards = (returning: boolean) =>
  `INSERT INTO rewards (${REWARD_COLUMNS}) SELECT ${REWARD_VALUES} FROM ${RECORDSET}
   ${returning ? "RETURNING import_row AS src_row, id" : ""}`;

/**
 * The insert that passes over a key taken meanwhile: ids are drawn first, so that each new reward's id
 * goes back to the row it came from.
 */
const INSERT_REWARDS_LEAVING_TAKEN = `WITH v AS (SELECT v.*, ${NEW_ID("rewards")} AS id FROM ${RECORDSET}),
  inserted AS (
    INSERT INTO rewards (id, ${REWARD_COLUMNS}) SELECT id, ${REWARD_VALUES} FROM v
    ON CONFLICT (program_id, key) DO NOTHING
    RETURNING id
  )
  SELECT v.src_row, v.id FROM v JOIN inserted USING (id)`;

interface Made {
  src_row: number;
  id: number;
}

function rewardExists(ctx: ApplyContext, row: number, key: string): Issue {
  return rowIssue(
    ctx,
    row,
    "key",
    "reward_exists",
    `A reward with key ${quote(key)} exists already; a reward is created once, so this row was skipped (use a new key for a new reward)`,
  );
}

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

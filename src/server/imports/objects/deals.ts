import { type CheckedRow, quote } from "../../../core";
import { distinctTexts, partnerInOtherGroup } from "../matching";
import { excludedCreate, excludedUpdate, modeExcludes, noneHas } from "../modes";
import { type Applier, type ApplyContext, type RowResult, rowIssue, type StoredAs, skipped } from "../types";
import { createOrMatch, inIdOrder, NEW_ID } from "./createOrMatch";
import { unlessTaken } from "./unlessTaken";

interface Found {
  kind: "partner" | "deal";
  id: number;
  key: string;
  group_key: string | null;
}

interface Create {
  src_row: number;
  external_key: string;
  [column: string]: unknown;
}

const OPTIONAL = ["account_name", "contact_first_name", "contact_last_name"] as const;

/** The deals table's columns as a row's fields. Its group_key is the import's group, no field of a row. */
export const dealsStoredAs: StoredAs = {
  table: "deals",
  keyColumn: "external_key",
  fieldOf: {
    amount: "amount",
    close_date: "close_date",
    stage: "stage",
    partner_id: "partner_key",
    opened_on: "created_at",
    ...Object.fromEntries(OPTIONAL.map((c) => [c, c])),
  },
};

/**
 * Deals, into the import's group, upserted by external_key: blank cells leave stored values alone; a key
 * another import creates at the same moment is updated instead (see createOrMatch). A partner, when
 * named, must exist; one of another group is a warning.
 */
export const applyDeals: Applier = async (ctx, rows) => {
  const group = ctx.spec.group;
  if (!group) throw new Error("a deals import needs its group");
  const results = new Map<number, RowResult>();
  const updates = new Map<number, Record<string, unknown>>();
  await createOrMatch(
    ctx,
    rows,
    results,
    (pending) => resolve(ctx, pending, results, updates),
    (creates) => insert(ctx, group.key, creates),
  );
  // An updated deal moves into the import's group: its stage was checked against that group's stages.
  if (updates.size)
    await ctx.tx.query(
      `UPDATE deals d SET group_key = $3, amount = v.amount, close_date = v.close_date, stage = v.stage,
         partner_id = COALESCE(v.partner_id, d.partner_id), opened_on = COALESCE(v.opened_on, d.opened_on),
         ${OPTIONAL.map((c) => `${c} = COALESCE(v.${c}, d.${c})`).join(", ")},
         updated_at = now()
       FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, ${COLUMNS})
       WHERE d.id = v.id AND d.program_id = $1`,
      [ctx.programId, JSON.stringify(inIdOrder(updates)), group.key],
    );
  return rows.map((r) => results.get(r.row) as RowResult);
};

const COLUMNS = `external_key text, amount bigint, close_date date, stage text, partner_id bigint, opened_on date,
  ${OPTIONAL.map((c) => `${c} text`).join(", ")}`;

/** Each row against the stored deals and partners: its result, its update; the deals to create. */
async function resolve(
  ctx: ApplyContext,
  rows: readonly CheckedRow[],
  results: Map<number, RowResult>,
  updates: Map<number, Record<string, unknown>>,
): Promise<Create[]> {
  const { rows: found } = await ctx.tx.query<Found>(
    `SELECT 'partner' AS kind, id, key, group_key FROM partners WHERE program_id = $1 AND key = ANY($2::text[])
     UNION ALL
     SELECT 'deal', id, external_key, group_key FROM deals WHERE program_id = $1 AND external_key = ANY($3::text[])`,
    [ctx.programId, distinctTexts(rows, "partner_key"), distinctTexts(rows, "external_key")],
  );
  const partners = new Map(found.filter((f) => f.kind === "partner").map((f) => [f.key, f]));
  const deals = new Map(found.filter((f) => f.kind === "deal").map((f) => [f.key, f.id]));

  const creates: Create[] = [];
  for (const r of rows) {
    const v = r.record;
    const externalKey = v.external_key as string;
    const partnerKey = v.partner_key as string | undefined;
    const partner = partnerKey !== undefined ? partners.get(partnerKey) : undefined;
    if (partnerKey !== undefined && !partner) {
      results.set(
        r.row,
        skipped(r.row, [
          rowIssue(
            ctx,
            r.row,
            "partner_key",
            "unknown_partner",
            `No partner has partner_key ${quote(partnerKey)}; expected the key of a partner that already exists, or a blank cell`,
          ),
        ]),
      );
      continue;
    }
    const existing = deals.get(externalKey);
    if (modeExcludes(ctx, existing !== undefined ? "updated" : "created")) {
      results.set(
        r.row,
        existing !== undefined
          ? excludedUpdate(ctx, r.row, "external_key", externalKey)
          : excludedCreate(ctx, r.row, "external_key", noneHas(ctx, "external_key", externalKey)),
      );
      continue;
    }
    const issues = partner ? partnerInOtherGroup(ctx, r.row, partner, "deal") : [];
    const values: Record<string, unknown> = {
      external_key: externalKey,
      amount: v.amount,
      close_date: v.close_date,
      stage: v.stage,
      partner_id: partner?.id ?? null,
      opened_on: v.created_at ?? null,
    };
    for (const c of OPTIONAL) values[c] = v[c] ?? null;
    if (existing !== undefined) updates.set(existing, { id: existing, ...values });
    else creates.push({ ...values, src_row: r.row, external_key: externalKey });
    results.set(r.row, {
      row: r.row,
      outcome: existing !== undefined ? "updated" : "created",
      object_key: externalKey,
      issues,
    });
  }
  return creates;
}

/**
 * Inserts new deals, in key order so that two imports creating the same keys wait for each other
 * rather than deadlock; a key another import has taken meanwhile is left to it, and its row returned.
 */
async function insert(ctx: ApplyContext, group: string, creates: readonly Create[]): Promise<Set<number>> {
  const params = [ctx.programId, JSON.stringify(creates), group];
  if (await unlessTaken(ctx.tx, () => ctx.tx.query(insertDeals(false), params))) return new Set();
  const { rows: made } = await ctx.tx.query<{ external_key: string }>(insertDeals(true), params);
  const created = new Set(made.map((m) => m.external_key));
  return new Set(creates.filter((c) => !created.has(c.external_key)).map((c) => c.src_row));
}

/** The insert; `leaveTaken`: a key taken meanwhile is passed over, and what was made returned. */
const insertDeals = (leaveTaken: boolean) =>
  `WITH v AS (SELECT v.*, ${NEW_ID("deals")} AS new_id FROM jsonb_to_recordset($2::jsonb) AS v(${COLUMNS}))
   INSERT INTO deals (id, program_id, group_key, external_key, amount, close_date, stage, partner_id, opened_on,
     ${OPTIONAL.join(", ")})
   SELECT v.new_id, $1, $3, v.external_key, v.amount, v.close_date, v.stage, v.partner_id, v.opened_on,
     ${OPTIONAL.map((c) => `v.${c}`).join(", ")}
   FROM v
   ORDER BY v.external_key
   ${leaveTaken ? "ON CONFLICT (program_id, external_key) DO NOTHING RETURNING external_key" : ""}`;

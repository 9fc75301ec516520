import { type CheckedRow, quote } from "../../../core";
import { distinctTexts, partnerInOtherGroup } from "../matching";
import { excludedCreate, excludedUpdate, modeExcludes, noneHas } from "../modes";
import { fingerprint, withoutRepeats } from "../repeats";
import { type Applier, type ApplyContext, type RowResult, rowIssue, type StoredAs, skipped } from "../types";
import { createOrMatch, inIdOrder, NEW_ID } from "./createOrMatch";
import { unlessTaken } from "./unlessTaken";

interface Found {
  kind: "partner" | "lead";
  id: number;
  key: string;
  group_key: string | null;
}

interface Create {
  src_row: number;
  external_key: string | null;
  fingerprint: string;
  [column: string]: unknown;
}

/**
 * The leads table's columns as a row's fields (the form's fields are in `fields`). Its group_key is the
 * import's group, no field of a row.
 */
export const leadsStoredAs: StoredAs = {
  table: "leads",
  keyColumn: "external_key",
  fieldOf: {
    partner_id: "partner_key",
    email: "email",
    first_name: "first_name",
    last_name: "last_name",
    status: "status",
  },
};

/**
 * Leads, into the import's group: the partner must exist (one of another group is a warning); a lead
 * whose external_key is stored is updated, where cells are filled; any other lead is created, once: one
 * without an external_key is known by its fingerprint (group, partner, email); an external_key another
 * import creates at the same moment is updated instead (see createOrMatch).
 */
export const applyLeads: Applier = async (ctx, rows) => {
  const group = ctx.spec.group;
  if (!group) throw new Error("a leads import needs its group");
  const results = new Map<number, RowResult>();
  const updates = new Map<number, Record<string, unknown>>();
  await createOrMatch(
    ctx,
    rows,
    results,
    (pending) => resolve(ctx, group.key, pending, results, updates),
    (creates) => insert(ctx, group.key, creates, results),
  );
  // An updated lead moves into the import's group: its form's fields and checks are that group's.
  if (updates.size)
    await ctx.tx.query(
      `UPDATE leads l SET group_key = $3, partner_id = v.partner_id, email = v.email, first_name = v.first_name,
         last_name = v.last_name, status = COALESCE(v.status, l.status), fields = l.fields || v.fields,
         updated_at = now()
       FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, partner_id bigint, email text, first_name text,
         last_name text, status text, fields jsonb)
       WHERE l.id = v.id AND l.program_id = $1`,
      [ctx.programId, JSON.stringify(inIdOrder(updates)), group],
    );
  return rows.map((r) => results.get(r.row) as RowResult);
};

/** Each row against the stored leads and partners: its result, its update; the leads to create. */
async function resolve(
  ctx: ApplyContext,
  group: string,
  rows: readonly CheckedRow[],
  results: Map<number, RowResult>,
  updates: Map<number, Record<string, unknown>>,
): Promise<Create[]> {
  const { rows: found } = await ctx.tx.query<Found>(
    `SELECT 'partner' AS kind, id, key, group_key FROM partners WHERE program_id = $1 AND key = ANY($2::text[])
     UNION ALL
     SELECT 'lead', id, external_key, group_key FROM leads WHERE program_id = $1 AND external_key = ANY($3::text[])`,
    [ctx.programId, distinctTexts(rows, "partner_key"), distinctTexts(rows, "external_key")],
  );
  const partners = new Map(found.filter((f) => f.kind === "partner").map((f) => [f.key, f]));
  const leads = new Map(found.filter((f) => f.kind === "lead").map((f) => [f.key, f.id]));
  const leadFields = ctx.spec.fields.filter((f) => f.source === "lead_field").map((f) => f.name);

  const creates: Create[] = [];
  for (const r of rows) {
    const v = r.record;
    const partnerKey = v.partner_key as string;
    const partner = partners.get(partnerKey);
    if (!partner) {
      results.set(
        r.row,
        skipped(r.row, [
          rowIssue(
            ctx,
            r.row,
            "partner_key",
            "unknown_partner",
            `No partner has partner_key ${quote(partnerKey)}; a lead is assigned to a partner that already exists`,
          ),
        ]),
      );
      continue;
    }
    const externalKey = v.external_key as string | undefined;
    const existing = externalKey !== undefined ? leads.get(externalKey) : undefined;
    if (existing !== undefined && modeExcludes(ctx, "updated")) {
      results.set(r.row, excludedUpdate(ctx, r.row, "external_key", externalKey as string));
      continue;
    }
    if (existing === undefined && modeExcludes(ctx, "created")) {
      const unmatched =
        externalKey === undefined
          ? "A lead without an external_key matches no stored lead"
          : noneHas(ctx, "external_key", externalKey);
      results.set(r.row, excludedCreate(ctx, r.row, "external_key", unmatched));
      continue;
    }
    const issues = partnerInOtherGroup(ctx, r.row, partner, "lead");
    const fields = Object.fromEntries(leadFields.filter((f) => v[f] !== undefined).map((f) => [f, v[f]]));
    const values = {
      partner_id: partner.id,
      email: v.email,
      first_name: v.first_name,
      last_name: v.last_name,
      status: v.status ?? null,
      fields,
    };
    if (existing !== undefined) {
      updates.set(existing, { id: existing, ...values });
      results.set(r.row, { row: r.row, outcome: "updated", object_key: externalKey ?? null, issues });
    } else {
      creates.push({
        src_row: r.row,
        external_key: externalKey ?? null,
        fingerprint: fingerprint(ctx, [group, partner.id, (v.email as string).toLowerCase()]),
        ...values,
      });
      results.set(r.row, { row: r.row, outcome: "created", object_key: externalKey ?? null, issues });
    }
  }
  return creates;
}

/**
 * Inserts new leads, less those that repeat one (see withoutRepeats), in key order so that two imports
 * creating the same keys wait for each other rather than deadlock; an external_key another import has
 * taken meanwhile is left to it, and its row returned.
 */
async function insert(
  ctx: ApplyContext,
  group: string,
  creates: readonly Create[],
  results: Map<number, RowResult>,
): Promise<Set<number>> {
  // A lead with an external_key is known by it; one without, by what it is.
  const toCreate = await withoutRepeats(ctx, "leads", creates, results, (c) => c.external_key !== null);
  if (!toCreate.length) return new Set();
  // A lead without an external_key is known by its id: the rows' ids come back, by row (import_row).
  const params = [ctx.programId, JSON.stringify(toCreate), group, ctx.importId];
  const idsWanted = toCreate.some((c) => c.external_key === null);
  // Each row's new lead's id; null where none was asked for (a lead with an external_key).
  let ids = new Map<number, number | null>();
  const all = await unlessTaken(ctx.tx, async () => {
    const { rows: made } = await ctx.tx.query<Made>(insertLeads(idsWanted), params);
    ids = new Map(idsWanted ? made.map((m) => [m.src_row, m.id]) : toCreate.map((c) => [c.src_row, null]));
  });
  if (!all)
    ids = new Map(
      (await ctx.tx.query<Made>(INSERT_LEADS_LEAVING_TAKEN, params)).rows.map((m) => [m.src_row, m.id]),
    );
  const lost = new Set<number>();
  for (const c of toCreate) {
    const id = ids.get(c.src_row);
    const result = results.get(c.src_row) as RowResult;
    if (id === undefined) lost.add(c.src_row);
    else {
      if (result.object_key === null) result.object_key = `lead-${id}`;
      result.fingerprint = c.fingerprint;
    }
  }
  return lost;
}

interface Made {
  src_row: number;
  id: number;
}

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS v(src_row int, partner_id bigint, email text, first_name text,
  last_name text, status text, external_key text, fields jsonb, fingerprint text)`;

const LEAD_COLUMNS = `id, program_id, group_key, partner_id, email, first_name, last_name, status, external_key, fields,
  import_id, fingerprint, import_row`;

const LEAD_VALUES = `id, $1, $3, partner_id, email, first_name, last_name, COALESCE(status, 'open'), external_key, fields,
  $4::uuid, fingerprint, src_row`;

/**
 * The insert, ids drawn first in the rows' order (before the sort by key); `returning`: the ids, by row.
 */
const insertLeads = (returning: boolean) =>
  `WITH v AS (SELECT v.*, ${NEW_ID("leads")} AS id FROM ${RECORDSET})
   INSERT INTO leads (${LEAD_COLUMNS}) SELECT ${LEAD_VALUES} FROM v ORDER BY external_key
   ${returning ? "RETURNING import_row AS src_row, id" : ""}`;

/** The insert that passes over an external_key taken meanwhile, and answers the ids it made, by row. */
const INSERT_LEADS_LEAVING_TAKEN = `WITH v AS (SELECT v.*, ${NEW_ID("leads")} AS id FROM ${RECORDSET}),
  inserted AS (
    INSERT INTO leads (${LEAD_COLUMNS}) SELECT ${LEAD_VALUES} FROM v ORDER BY external_key
    ON CONFLICT (program_id, external_key) WHERE external_key IS NOT NULL DO NOTHING
    RETURNING id
  )
  SELECT v.src_row, v.id FROM v JOIN inserted USING (id)`;

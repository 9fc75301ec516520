import { randomBytes } from "node:crypto";
import { type CheckedRow, type Issue, quote } from "../../../core";
import { distinctTexts } from "../matching";
import { excludedCreate, excludedUpdate, modeExcludes, noneHas } from "../modes";
import { type Applier, type ApplyContext, type RowResult, rowIssue, type StoredAs, skipped } from "../types";
import { createOrMatch, inIdOrder, NEW_ID } from "./createOrMatch";
import { unlessTaken } from "./unlessTaken";

interface Stored {
  id: number;
  key: string;
  email: string;
}

interface Create {
  src_row: number;
  key: string;
  email: string;
  [column: string]: unknown;
}

const COLUMNS = [
  "first_name",
  "last_name",
  "group_key",
  "tier_key",
  "shipping_address_line1",
  "shipping_address_line2",
  "shipping_address_city",
  "shipping_address_state",
  "shipping_address_postal",
  "shipping_address_country",
] as const;

/** The partners table's columns as a row's fields (custom fields are in `fields`, each by its name). */
export const partnersStoredAs: StoredAs = {
  table: "partners",
  keyColumn: "key",
  fieldOf: {
    email: "partner_email",
    joined_date: "partner_joined_date",
    tags: "tags",
    ...Object.fromEntries(COLUMNS.map((c) => [c, c])),
  },
};

/**
 * Partners: matched by partner_key, else partner_email; a row whose key and email name two partners is
 * skipped; no match creates one (which needs an email). A key or email another import creates at the
 * same moment is matched instead, by the same rules (see createOrMatch). Tags are only added; blank
 * cells change nothing.
 */
export const applyPartners: Applier = async (ctx, rows) => {
  const results = new Map<number, RowResult>();
  // Two rows may reach one partner (one by key, one by email): their changes merge, the later row winning.
  const updates = new Map<number, Record<string, unknown>>();
  await createOrMatch(
    ctx,
    rows,
    results,
    (pending) => resolve(ctx, pending, results, updates),
    (creates) => insert(ctx, creates),
  );
  // A new email that a partner another import created meanwhile has taken is a unique violation.
  if (updates.size && !(await unlessTaken(ctx.tx, () => update(ctx, updates)))) {
    // An email another import gave a partner meanwhile: the updated rows are matched again, seeing it.
    const again = new Map<number, Record<string, unknown>>();
    const updated = rows.filter((r) => results.get(r.row)?.outcome === "updated");
    await createOrMatch(
      ctx,
      updated,
      results,
      (pending) => resolve(ctx, pending, results, again),
      (creates) => insert(ctx, creates),
    );
    if (again.size) await update(ctx, again);
  }
  return rows.map((r) => results.get(r.row) as RowResult);
};

/** Applies the updates; tags are only added, blank cells change nothing. */
async function update(
  ctx: ApplyContext,
  updates: ReadonlyMap<number, Record<string, unknown>>,
): Promise<void> {
  await ctx.tx.query(
    `UPDATE partners p SET
       email = COALESCE(v.email, p.email),
       joined_date = COALESCE(v.joined_date, p.joined_date),
       tags = p.tags || ARRAY(SELECT t FROM unnest(COALESCE(v.tags, '{}')) AS t WHERE NOT t = ANY(p.tags)),
       fields = p.fields || COALESCE(v.fields, '{}'),
       ${COLUMNS.map((c) => `${c} = COALESCE(v.${c}, p.${c})`).join(",\n       ")},
       updated_at = now()
     FROM ${RECORDSET}
     WHERE p.id = v.id AND p.program_id = $1`,
    [ctx.programId, JSON.stringify(inIdOrder(updates))],
  );
}

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS v(id bigint, key text, email text, joined_date date,
  tags text[], fields jsonb, ${COLUMNS.map((c) => `${c} text`).join(", ")})`;

/** Each row against the stored partners: its result, its update; the partners to create. */
async function resolve(
  ctx: ApplyContext,
  rows: readonly CheckedRow[],
  results: Map<number, RowResult>,
  updates: Map<number, Record<string, unknown>>,
): Promise<Create[]> {
  const { rows: found } = await ctx.tx.query<Stored>(
    "SELECT id, key, email FROM partners WHERE program_id = $1 AND (key = ANY($2::text[]) OR email = ANY($3::text[]))",
    [ctx.programId, distinctTexts(rows, "partner_key"), distinctTexts(rows, "partner_email")],
  );
  const byKey = new Map(found.map((p) => [p.key, p]));
  const byEmail = new Map(found.map((p) => [p.email, p]));
  const customFields = ctx.spec.fields.filter((f) => f.source === "partner_field");

  const creates: Create[] = [];
  for (const r of rows) {
    const key = r.record.partner_key as string | undefined;
    const email = r.record.partner_email as string | undefined;
    const byK = key ? byKey.get(key) : undefined;
    const byE = email ? byEmail.get(email) : undefined;
    const notes: Issue[] = [];

    if (byK && byE && byK.id !== byE.id) {
      results.set(
        r.row,
        skipped(r.row, [
          rowIssue(
            ctx,
            r.row,
            "partner_email",
            "partner_conflict",
            `partner_key "${key}" and partner_email "${email}" belong to two different partners (the email is ${byE.key}'s); fix one of them`,
          ),
        ]),
      );
      continue;
    }
    const match = byK ?? byE;
    if (match && modeExcludes(ctx, "updated")) {
      results.set(r.row, excludedUpdate(ctx, r.row, byK ? "partner_key" : "partner_email", match.key));
      continue;
    }
    if (match) {
      if (byK && email && email !== byK.email)
        notes.push(
          rowIssue(
            ctx,
            r.row,
            "partner_email",
            "email_changed",
            `Matched by partner_key ${quote(byK.key)}: its email ${ctx.options.dry_run ? "would change" : "changes"} from ${quote(byK.email)} to ${quote(email)}`,
            "warning",
          ),
        );
      if (key && !byK)
        notes.push(
          rowIssue(
            ctx,
            r.row,
            "partner_key",
            "ignored_value",
            `No partner has partner_key "${key}"; matched ${match.key} by partner_email, whose key stays ${match.key}`,
            "warning",
          ),
        );
      const change: Record<string, unknown> = { id: match.id, ...values(r, customFields) };
      if (email) change.email = email;
      const before = updates.get(match.id);
      updates.set(match.id, before ? merge(before, change) : change);
      results.set(r.row, { row: r.row, outcome: "updated", object_key: match.key, issues: notes });
      continue;
    }
    if (modeExcludes(ctx, "created")) {
      // A checked row has a key, an email, or both.
      const unmatched = key
        ? `${noneHas(ctx, "partner_key", key)}${email ? ` or partner_email ${quote(email)}` : ""}`
        : noneHas(ctx, "partner_email", email as string);
      results.set(r.row, excludedCreate(ctx, r.row, key ? "partner_key" : "partner_email", unmatched));
      continue;
    }
    if (!email) {
      results.set(
        r.row,
        skipped(r.row, [
          rowIssue(
            ctx,
            r.row,
            "partner_key",
            "partner_email_required",
            `No partner has partner_key "${key}"; a new partner needs a partner_email`,
          ),
        ]),
      );
      continue;
    }
    const missing = customFields.filter((f) => f.requiredOnCreate && r.record[f.name] === undefined);
    if (missing.length) {
      results.set(
        r.row,
        skipped(
          r.row,
          missing.map((f) =>
            rowIssue(ctx, r.row, f.name, "required", `${f.name} is required to create a partner`),
          ),
        ),
      );
      continue;
    }
    const newKey = key ?? keyFromEmail(email);
    creates.push(values(r, customFields, { key: newKey, email, src_row: r.row }) as Create);
    results.set(r.row, { row: r.row, outcome: "created", object_key: newKey, issues: notes });
  }
  return creates;
}

/**
 * Inserts new partners, in key order so that two imports creating the same keys wait for each other
 * rather than deadlock, and queues their invites. A key or email another import has taken meanwhile
 * (either unique) is left to it, and its row returned.
 */
async function insert(ctx: ApplyContext, creates: readonly Create[]): Promise<Set<number>> {
  const { tx, programId } = ctx;
  const params = [programId, JSON.stringify(creates)];
  let made = creates;
  if (!(await unlessTaken(tx, () => tx.query(insertPartners(false), params)))) {
    const { rows } = await tx.query<{ key: string }>(insertPartners(true), params);
    const keys = new Set(rows.map((m) => m.key));
    made = creates.filter((c) => keys.has(c.key));
  }
  // Invites are queued in the rows' order, whichever insert made the partners.
  if (ctx.options.send_invites && made.length)
    await tx.query(
      `INSERT INTO outbox (program_id, kind, to_email, payload, import_id)
       SELECT $1, 'partner_invite', m.email, jsonb_build_object('partner_key', m.key, 'program', $3::text), $4
       FROM jsonb_to_recordset($2::jsonb) AS m(key text, email text)`,
      [
        programId,
        JSON.stringify(made.map(({ key, email }) => ({ key, email }))),
        ctx.program.program.name,
        ctx.importId,
      ],
    );
  const madeRows = new Set(made.map((c) => c.src_row));
  return new Set(creates.filter((c) => !madeRows.has(c.src_row)).map((c) => c.src_row));
}

/** The insert; `leaveTaken`: a key or email taken meanwhile is passed over, and the keys made returned. */
const insertPartners = (leaveTaken: boolean) =>
  `WITH v AS (SELECT v.*, ${NEW_ID("partners")} AS new_id FROM ${RECORDSET})
   INSERT INTO partners (id, program_id, key, email, joined_date, tags, fields, ${COLUMNS.join(", ")})
   SELECT v.new_id, $1, v.key, v.email, v.joined_date, COALESCE(v.tags, '{}'), COALESCE(v.fields, '{}'), ${COLUMNS.map((c) => `v.${c}`).join(", ")}
   FROM v
   ORDER BY v.key
   ${leaveTaken ? "ON CONFLICT DO NOTHING RETURNING key" : ""}`;

/** A row's values for the partners table; blank cells are absent, so they leave stored values alone. */
function values(r: CheckedRow, customFields: readonly { name: string }[], out: Record<string, unknown> = {}) {
  const record = r.record;
  for (const c of COLUMNS) if (record[c] !== undefined) out[c] = record[c];
  if (record.partner_joined_date !== undefined) out.joined_date = record.partner_joined_date;
  if (record.tags !== undefined) out.tags = record.tags;
  let fields: Record<string, unknown> | null = null;
  for (const f of customFields)
    if (record[f.name] !== undefined) {
      fields ??= {};
      fields[f.name] = record[f.name];
    }
  if (fields) out.fields = fields;
  return out;
}

function merge(before: Record<string, unknown>, after: Record<string, unknown>) {
  const tags = [...new Set([...((before.tags as string[]) ?? []), ...((after.tags as string[]) ?? [])])];
  const fields = { ...(before.fields as object), ...(after.fields as object) };
  return {
    ...before,
    ...after,
    ...(tags.length ? { tags } : {}),
    ...(Object.keys(fields).length ? { fields } : {}),
  };
}

/** A new partner's key when the row gives none: from the email, made unique. */
function keyFromEmail(email: string): string {
  const base = (email.split("@")[0] ?? "partner").replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 40) || "partner";
  return `${base}-${randomBytes(3).toString("hex")}`;
}

import { appendAudit } from "../audit";
import type { Caller } from "../caller";
import { type Database, type Queryable, quoteIdent } from "../db/database";
import { ApiError } from "../errors";
import { CLAIM_LEASE } from "../outbox";
import { getImport, type ImportResource, type ImportRow, importResource } from "./pipeline";

/** Why one record was left as it is. */
export interface UndoRefusal {
  record_key: string | null;
  /** The import's row that made the change, when it is known. */
  row: number | null;
  code: "changed_since" | "depended_on" | "reward_not_pending";
  reason: string;
}

/** What an undo did (or, in a dry run, would do); kept with the import as `undo`. */
export interface UndoSummary {
  dry_run: boolean;
  at: string;
  by: string;
  removed: number;
  restored: number;
  refused: UndoRefusal[];
  invites_sent: number;
  invites_withdrawn: number;
  /** The same, in a sentence for a person. */
  message: string;
}

/** The data tables an import changes, in the order their records can be removed (what refers first). */
const TABLES = ["rewards", "transactions", "leads", "deals", "customers", "partners"] as const;
type Table = (typeof TABLES)[number];

const SINGULAR: Record<Table, string> = {
  rewards: "reward",
  transactions: "transaction",
  leads: "lead",
  deals: "deal",
  customers: "customer",
  partners: "partner",
};

/** A record's key as people know it. */
const RECORD_KEY: Record<Table, string> = {
  partners: "t.key",
  customers: "t.key",
  transactions: "t.key",
  rewards: "COALESCE(t.key, 'reward-' || t.id)",
  leads: "COALESCE(t.external_key, t.email)",
  deals: "t.external_key",
};

/** The key a row's result gave the record (`object_key`), by which the import's row is found. */
const RESULT_KEY: Record<Table, string> = {
  ...RECORD_KEY,
  leads: "COALESCE(t.external_key, 'lead-' || t.id)",
};

/**
 * import_changes, a line for each record a line names: a 'created' line holds every record one insert
 * made (record_ids); an 'updated' line, and a 'created' one stored before migration 009, holds one
 * (record_id).
 */
const CHANGED_RECORDS = `(SELECT c.id, c.import_id, c.table_name, r.record_id, c.action, c.undone_at
  FROM import_changes c CROSS JOIN LATERAL unnest(COALESCE(c.record_ids, ARRAY[c.record_id])) AS r(record_id))`;

/**
 * Marks the import's changes taken back, but for the records refused ($2, each `table:id`). A 'created'
 * line holding refused records and others is parted: it keeps its id (its place among the changes) and
 * the refused records, and the others go to a new line, taken back.
 */
const UNDONE = `WITH parted AS (
    SELECT c.id, c.import_id, c.table_name,
      array_agg(r ORDER BY r) FILTER (WHERE (c.table_name || ':' || r) = ANY($2::text[])) AS kept,
      array_agg(r ORDER BY r) FILTER (WHERE NOT (c.table_name || ':' || r) = ANY($2::text[])) AS others
    FROM import_changes c CROSS JOIN LATERAL unnest(c.record_ids) AS r
    WHERE cardinality($2::text[]) > 0 AND c.import_id = $1 AND c.undone_at IS NULL AND c.record_ids IS NOT NULL
    GROUP BY c.id
    HAVING bool_or((c.table_name || ':' || r) = ANY($2::text[]))
  ), moved AS (
    INSERT INTO import_changes (import_id, table_name, record_ids, action, undone_at)
    SELECT import_id, table_name, others, 'created', now() FROM parted WHERE others IS NOT NULL
  ), kept AS (
    UPDATE import_changes c SET record_ids = p.kept FROM parted p WHERE c.id = p.id AND p.others IS NOT NULL
  )
  UPDATE import_changes SET undone_at = now() WHERE import_id = $1 AND undone_at IS NULL
    AND (record_id IS NULL OR NOT (table_name || ':' || record_id) = ANY($2::text[]))
    AND id NOT IN (SELECT id FROM parted)`;

/** Tables whose records keep the row of the import that created them. */
const KEEPS_ROW: ReadonlySet<Table> = new Set(["transactions", "rewards", "leads"]);

/**
 * What refers to a created record, each as a statement giving `(id, n)` for the records of `mine`:
 * a record others depend on is kept.
 */
const DEPENDENTS: Partial<Record<Table, { what: [string, string]; counts: string }[]>> = {
  partners: [
    ...(["customers", "rewards", "leads", "deals"] as const).map((table) => ({
      what: [SINGULAR[table], table] as [string, string],
      counts: `SELECT d.partner_id AS id, count(*)::int AS n FROM ${table} d
        WHERE d.partner_id IN (SELECT record_id FROM mine WHERE created) GROUP BY d.partner_id`,
    })),
    {
      // Moved to another partner since: an undo of the import that moved it would point it back here.
      what: [
        "record another import moved away from it (undoing that import points it back)",
        "records another import moved away from it (undoing that import points them back)",
      ],
      counts: `SELECT (c.before->>'partner_id')::bigint AS id, count(*)::int AS n FROM import_changes c
        WHERE c.table_name IN ('customers', 'leads', 'deals') AND c.action = 'updated' AND c.undone_at IS NULL
          AND c.before ? 'partner_id'
          AND (c.before->>'partner_id')::bigint IN (SELECT record_id FROM mine WHERE created)
        GROUP BY 1`,
    },
    {
      what: ["partner user", "partner users"],
      counts: `SELECT p.id, count(*)::int AS n FROM users d JOIN partners p ON p.program_id = d.program_id AND p.key = d.partner_key
        WHERE p.id IN (SELECT record_id FROM mine WHERE created) GROUP BY p.id`,
    },
  ],
  customers: [
    {
      what: ["transaction", "transactions"],
      counts: `SELECT d.customer_id AS id, count(*)::int AS n FROM transactions d
        WHERE d.customer_id IN (SELECT record_id FROM mine WHERE created) GROUP BY d.customer_id`,
    },
    {
      what: ["reward", "rewards"],
      counts: `SELECT d.target_id AS id, count(*)::int AS n FROM rewards d
        WHERE d.target_type = 'customer' AND d.target_id IN (SELECT record_id FROM mine WHERE created) GROUP BY d.target_id`,
    },
  ],
  transactions: [
    {
      what: ["reward", "rewards"],
      counts: `SELECT d.target_id AS id, count(*)::int AS n FROM rewards d
        WHERE d.target_type = 'transaction' AND d.target_id IN (SELECT record_id FROM mine WHERE created) GROUP BY d.target_id`,
    },
  ],
};

/** One record the import changed, as it stands now. */
interface Inspected {
  id: number;
  record_key: string | null;
  result_key: string | null;
  created: boolean;
  import_row: number | null;
  later_import: string | null;
  later_at: Date | null;
  later_by: string | null;
  status: string | null;
  /** Partners: the email the import's first change took from it, when another partner has it now. */
  taken_email: string | null;
  taken_by: string | null;
  [dependents: `dep_${number}`]: number | null;
}

/**
 * Takes an import back, in one transaction: each record it updated gets the values its columns had
 * before the import's first change of them, each record it created is removed, and invites of removed
 * partners not yet sent are withdrawn. A record another import changed since, one others now depend
 * on, or a reward no longer pending is refused, with the reason, and left as it is. A dry run takes the
 * same locks, makes the same checks and answers what it would do, writing nothing.
 */
export async function undoImport(
  db: Database,
  caller: Caller,
  importId: string,
  ip: string | null,
  { dryRun }: { dryRun: boolean },
): Promise<{ import: ImportResource; undo: UndoSummary }> {
  return db.transaction(async (tx) => {
    await getImport(tx, caller.program.id, importId);
    const { rows: locked } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [
      importId,
    ]);
    const imp = locked[0] as ImportRow;
    assertUndoable(imp);
    await assertRecorded(tx, imp);
    // The undo's own writes are no import's changes: the triggers record nothing in this transaction.
    await tx.query("SELECT set_config('importer.import_id', '', true)");
    // Invites first: the outbox's sender claims a row before sending it, so a locked row is settled: sent,
    // being sent (a claim within its lease: it cannot be taken back), or waiting (withdrawn). A claim past
    // its lease is a sender that stopped mid-send; the invite would be sent again, so it is withdrawn.
    const { rows: invites } = await tx.query<{ id: number; sent: boolean; partner_key: string | null }>(
      `SELECT id, (sent_at IS NOT NULL OR claimed_at >= now() - interval '${CLAIM_LEASE}') AS sent,
         payload->>'partner_key' AS partner_key
       FROM outbox WHERE import_id = $1 ORDER BY id FOR UPDATE`,
      [importId],
    );

    const { rows: touched } = await tx.query<{ table_name: string }>(
      "SELECT DISTINCT table_name FROM import_changes WHERE import_id = $1 AND undone_at IS NULL",
      [importId],
    );
    const tables = TABLES.filter((t) => touched.some((r) => r.table_name === t));
    const refused: (UndoRefusal & { result_key: string | null; table: Table; id: number })[] = [];
    const remove = new Map<Table, Inspected[]>();
    const restore = new Map<Table, number[]>();
    for (const table of tables) {
      // Locked before they are looked at: an import that changes one of them meanwhile has committed
      // (and its change is seen below) or waits for this undo to end (and applies on top of it).
      await tx.query(
        `SELECT t.id FROM ${table} t WHERE t.id IN (SELECT record_id FROM ${CHANGED_RECORDS} c
           WHERE import_id = $1 AND table_name = $2 AND undone_at IS NULL) ORDER BY t.id FOR UPDATE`,
        [importId, table],
      );
      const records = (await inspect(tx, importId, table)).map((record) => ({
        record,
        refusal: refusalOf(table, record),
      }));
      const removing = new Set(
        records.filter((r) => !r.refusal && r.record.created).map((r) => r.record.record_key),
      );
      for (const { record, refusal: refusedFirst } of records) {
        const refusal = refusedFirst ?? (record.created ? null : emailTaken(record, removing));
        if (refusal)
          refused.push({
            ...refusal,
            record_key: record.record_key,
            row: record.import_row,
            result_key: record.result_key,
            table,
            id: record.id,
          });
        else if (record.created) remove.set(table, [...(remove.get(table) ?? []), record]);
        else restore.set(table, [...(restore.get(table) ?? []), record.id]);
      }
    }
    await fillRows(tx, importId, refused);

    const removedPartners = new Set((remove.get("partners") ?? []).map((p) => p.record_key));
    const ofRemoved = invites.filter((i) => i.partner_key !== null && removedPartners.has(i.partner_key));
    const withdrawn = ofRemoved.filter((i) => !i.sent).map((i) => i.id);
    const counts = {
      removed: [...remove.values()].reduce((n, records) => n + records.length, 0),
      restored: [...restore.values()].reduce((n, ids) => n + ids.length, 0),
      refused: refused.length,
    };
    const invitesSent = ofRemoved.length - withdrawn.length;
    const summary: UndoSummary = {
      dry_run: dryRun,
      at: new Date().toISOString(),
      by: caller.email,
      ...counts,
      refused: refused.map(({ record_key, row, code, reason }) => ({ record_key, row, code, reason })),
      invites_sent: invitesSent,
      invites_withdrawn: withdrawn.length,
      message: "",
    };
    summary.message = sentence(imp, summary);
    if (dryRun)
      return { import: importResource(await getImport(tx, caller.program.id, importId)), undo: summary };

    // Removed first: a partner restored to an email gets it back from a partner the import created.
    for (const table of TABLES) {
      const ids = (remove.get(table) ?? []).map((r) => r.id);
      if (ids.length) await tx.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [ids]);
    }
    for (const [table, ids] of restore) await restoreColumns(tx, importId, table, ids);
    if (withdrawn.length) await tx.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [withdrawn]);
    // A refused record keeps this import's changes: they still count against an undo of an earlier one.
    await tx.query(UNDONE, [importId, refused.map((r) => `${r.table}:${r.id}`)]);
    await tx.query("UPDATE imports SET status = 'undone', undo = $2 WHERE id = $1", [
      importId,
      JSON.stringify(summary),
    ]);
    await appendAudit(tx, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.undone",
      object: imp.object,
      importId,
      options: imp.options,
      source: imp.source,
      counts,
      detail: { refused: refused.length, invites_sent: invitesSent, invites_withdrawn: withdrawn.length },
      ip,
    });
    return { import: importResource(await getImport(tx, caller.program.id, importId)), undo: summary };
  });
}

function assertUndoable(imp: ImportRow): void {
  if (imp.status === "undone") {
    const at = (imp.undo as { at?: string } | null)?.at;
    throw new ApiError(
      409,
      "already_undone",
      `The import was undone already${at ? ` (${at})` : ""}; there is nothing left to undo.`,
    );
  }
  if (imp.options.dry_run)
    throw new ApiError(
      409,
      "dry_run_import",
      "The import was a dry run: it changed nothing, so there is nothing to undo.",
    );
  if (imp.status === "processing")
    throw new ApiError(
      409,
      "import_open",
      "The import is still processing; complete or cancel it, then undo it.",
    );
}

/**
 * An import that ran before the importer kept what imports change (migration 006) has nothing to take
 * back by: it is refused, rather than answered "undone" with nothing done.
 */
async function assertRecorded(tx: Queryable, imp: ImportRow): Promise<void> {
  const { rows } = await tx.query<{ applied_at: Date }>(
    "SELECT applied_at FROM schema_migrations WHERE version = '006_changes_and_undo' AND applied_at > $1",
    [imp.created_at],
  );
  const since = rows[0]?.applied_at;
  if (since)
    throw new ApiError(
      409,
      "undo_unavailable",
      `The import ran before this importer kept what imports change (${since.toISOString().slice(0, 10)}), so it cannot be undone: change those records with a new import.`,
    );
}

/** Each record of `table` the import changed, with what decides whether it can be taken back. */
async function inspect(tx: Queryable, importId: string, table: Table): Promise<Inspected[]> {
  const dependents = DEPENDENTS[table] ?? [];
  const { rows } = await tx.query<Inspected>(
    `WITH mine AS (
       SELECT record_id, bool_or(action = 'created') AS created, min(id) AS first_change
       FROM ${CHANGED_RECORDS} c WHERE import_id = $1 AND table_name = $2 AND undone_at IS NULL GROUP BY record_id
     )
     SELECT t.id, ${RECORD_KEY[table]} AS record_key, ${RESULT_KEY[table]} AS result_key, m.created,
       ${KEEPS_ROW.has(table) ? "CASE WHEN m.created THEN t.import_row END" : "NULL::int"} AS import_row,
       later.import_id AS later_import, later.created_at AS later_at, later.email AS later_by,
       ${table === "rewards" ? "t.status" : "NULL::text"} AS status,
       ${table === "partners" ? "taken.email AS taken_email, taken.key AS taken_by" : "NULL::text AS taken_email, NULL::text AS taken_by"}
       ${dependents.map((_, i) => `, d${i}.n AS dep_${i}`).join("")}
     FROM mine m JOIN ${table} t ON t.id = m.record_id
     -- Another import's line on the record after this one's first is an update (record_id): the line
     -- of its creation comes before any other.
     LEFT JOIN LATERAL (
       SELECT l.import_id, i.created_at, u.email
       FROM import_changes l JOIN imports i ON i.id = l.import_id JOIN users u ON u.id = i.user_id
       WHERE l.table_name = $2 AND l.record_id = t.id AND l.id > m.first_change AND l.import_id <> $1
         AND l.undone_at IS NULL
       ORDER BY l.id DESC LIMIT 1
     ) later ON true
     ${table === "partners" ? EMAIL_TAKEN : ""}
     ${dependents.map((d, i) => `LEFT JOIN (${d.counts}) d${i} ON d${i}.id = t.id`).join("\n     ")}
     ORDER BY t.id`,
    [importId, table],
  );
  return rows;
}

/** Partners: the email an updated partner would get back, when another partner has it now. */
const EMAIL_TAKEN = `LEFT JOIN LATERAL (
       SELECT o.email, o.key FROM (
         SELECT f.before->>'email' AS email FROM import_changes f
         WHERE f.import_id = $1 AND f.table_name = 'partners' AND f.record_id = t.id AND f.action = 'updated'
           AND f.undone_at IS NULL AND f.before ? 'email'
         ORDER BY f.id LIMIT 1
       ) e JOIN partners o ON o.program_id = t.program_id AND o.email = e.email AND o.id <> t.id
     ) taken ON NOT m.created`;

/**
 * A partner whose former email another partner has taken since (one this undo does not remove) cannot
 * have it back: the email is unique.
 */
function emailTaken(
  record: Inspected,
  removing: ReadonlySet<string | null>,
): Pick<UndoRefusal, "code" | "reason"> | null {
  if (!record.taken_by || removing.has(record.taken_by)) return null;
  return {
    code: "changed_since",
    reason: `Its email cannot go back to "${record.taken_email}": partner ${record.taken_by} has had that email since. The partner was left as it is.`,
  };
}

function refusalOf(table: Table, record: Inspected): Pick<UndoRefusal, "code" | "reason"> | null {
  const singular = SINGULAR[table];
  if (record.later_import) {
    const when = new Date(record.later_at as Date).toISOString().slice(0, 16).replace("T", " ");
    return {
      code: "changed_since",
      reason: `Import ${record.later_import} (${when} UTC, by ${record.later_by}) changed this ${singular} since; undo that import first. The ${singular} was left as it is.`,
    };
  }
  if (record.created) {
    const named = (DEPENDENTS[table] ?? []).flatMap(({ what: [one, many] }, i) => {
      const n = record[`dep_${i}`] ?? 0;
      return n ? [`${n} ${n === 1 ? one : many}`] : [];
    });
    if (named.length)
      return {
        code: "depended_on",
        reason: `${list(named)} now ${named.length === 1 && named[0]?.startsWith("1 ") ? "depends" : "depend"} on this ${singular}, so it was kept.`,
      };
    if (table === "rewards" && record.status !== "pending")
      return {
        code: "reward_not_pending",
        reason: `This reward is now ${record.status}, no longer pending, so it was kept.`,
      };
  }
  return null;
}

function list(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** The import's row behind each refused record that does not keep it: found in its chunks' results. */
async function fillRows(
  tx: Queryable,
  importId: string,
  refused: { row: number | null; result_key: string | null }[],
): Promise<void> {
  const keys = [...new Set(refused.filter((r) => r.row === null && r.result_key).map((r) => r.result_key))];
  if (!keys.length) return;
  const { rows } = await tx.query<{ key: string; row: number }>(
    `SELECT r->>'object_key' AS key, min((r->>'row')::int) AS row
     FROM import_chunks c CROSS JOIN LATERAL jsonb_array_elements(c.results) AS r
     WHERE c.import_id = $1 AND r->>'outcome' IN ('created', 'updated') AND r->>'object_key' = ANY($2::text[])
     GROUP BY r->>'object_key'`,
    [importId, keys],
  );
  const byKey = new Map(rows.map((r) => [r.key, r.row]));
  for (const r of refused) if (r.row === null && r.result_key) r.row = byKey.get(r.result_key) ?? null;
}

/**
 * Gives each record the values its columns had before the import's first change of them: for each
 * column, the `before` of the import's earliest change that holds it, read back into the column's own
 * type (text[], date, jsonb, bigint) by jsonb_populate_record.
 */
async function restoreColumns(tx: Queryable, importId: string, table: Table, ids: number[]): Promise<void> {
  const { rows: columns } = await tx.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
       AND attname <> 'id' ORDER BY attnum`,
    [table],
  );
  const set = columns.map(({ name }) => {
    const column = quoteIdent(name);
    if (name === "updated_at") return `${column} = now()`;
    return `${column} = CASE WHEN v.before ? ${literal(name)} THEN r.${column} ELSE t.${column} END`;
  });
  await tx.query(
    `WITH first AS (
       SELECT DISTINCT ON (c.record_id, b.key) c.record_id, b.key, b.value
       FROM import_changes c CROSS JOIN LATERAL jsonb_each(c.before) AS b
       WHERE c.import_id = $1 AND c.table_name = $2 AND c.action = 'updated' AND c.undone_at IS NULL
         AND c.record_id = ANY($3::bigint[])
       ORDER BY c.record_id, b.key, c.id
     ), v AS (
       SELECT record_id AS id, jsonb_object_agg(key, value) AS before FROM first GROUP BY record_id
     )
     UPDATE ${table} t SET ${set.join(", ")}
     FROM v CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, v.before) AS r
     WHERE t.id = v.id`,
    [importId, table, ids],
  );
}

/** A column's name as an SQL string (names come from the catalogue, never from a request). */
const literal = (name: string) => `'${name.replaceAll("'", "''")}'`;

function sentence(imp: ImportRow, s: UndoSummary): string {
  const many = (n: number) => `${n} ${n === 1 ? SINGULAR[imp.object] : imp.object}`;
  const parts = [
    `${s.dry_run ? "Would remove" : "Removed"} ${many(s.removed)} the import created and ${s.dry_run ? "restore" : "restored"} ${many(s.restored)} it updated.`,
  ];
  if (s.refused.length)
    parts.push(
      `${s.refused.length} ${s.refused.length === 1 ? "record was" : "records were"} refused and ${s.dry_run ? "would stay" : "stay"} as they are (see refused).`,
    );
  if (s.invites_withdrawn)
    parts.push(
      `${s.invites_withdrawn} invite${s.invites_withdrawn === 1 ? "" : "s"} not yet sent ${s.dry_run ? "would be" : "were"} withdrawn.`,
    );
  if (s.invites_sent)
    parts.push(
      `${s.invites_sent} invite${s.invites_sent === 1 ? " was" : "s were"} sent already and cannot be unsent.`,
    );
  return parts.join(" ");
}

import { randomUUID } from "node:crypto";
import {
  analyseHeaders,
  type CheckedRow,
  createRowChecker,
  type HeaderPlan,
  type Issue,
  isBlank,
  type ObjectName,
  objectSpec,
  quote,
  resolveObject,
} from "../../core";
import { appendAudit } from "../audit";
import type { Caller } from "../caller";
import type { Database, Queryable } from "../db/database";
import { refreshStatistics } from "../db/statistics";
import { ApiError, notFound } from "../errors";
import { loadProgram } from "../programs";
import { APPLIERS } from "./appliers";
import type { ApplyContext, ImportOptions, RowResult } from "./types";

export interface ImportSource {
  kind: "sheet" | "file" | "api";
  name?: string;
  [detail: string]: unknown;
}

export interface StartImport {
  object: string;
  options?: Partial<ImportOptions>;
  headers: unknown[];
  total_rows?: number | null;
  source?: ImportSource;
  client_token?: string | null;
}

export interface ImportRow {
  id: string;
  program_id: number;
  user_id: number;
  object: ObjectName;
  options: ImportOptions;
  headers: unknown[];
  total_rows: number | null;
  source: ImportSource;
  client_token: string | null;
  status: "processing" | "completed" | "cancelled" | "failed";
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  issued_usd_cents: number;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
  user_email?: string;
  chunks?: number;
}

/** The import as the API shows it. */
export function importResource(i: ImportRow) {
  return {
    id: i.id,
    object: i.object,
    status: i.status,
    options: i.options,
    source: i.source,
    total_rows: i.total_rows,
    counts: { rows: i.rows, created: i.created, updated: i.updated, skipped: i.skipped },
    ...(i.object === "rewards" ? { issued_usd_cents: i.issued_usd_cents } : {}),
    chunks_received: i.chunks ?? 0,
    user: i.user_email ?? null,
    error: i.error,
    created_at: i.created_at,
    completed_at: i.completed_at,
  };
}
export type ImportResource = ReturnType<typeof importResource>;

const SELECT_IMPORT = `SELECT i.*, u.email AS user_email,
  (SELECT count(*)::int FROM import_chunks c WHERE c.import_id = i.id) AS chunks
  FROM imports i JOIN users u ON u.id = i.user_id`;

export async function getImport(db: Queryable, programId: number, id: string): Promise<ImportRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`The import ${id}`);
  const { rows } = await db.query<ImportRow>(`${SELECT_IMPORT} WHERE i.id = $1 AND i.program_id = $2`, [
    id,
    programId,
  ]);
  const found = rows[0];
  if (!found) throw notFound(`The import ${id}`);
  return found;
}

function normaliseOptions(object: ObjectName, options: Partial<ImportOptions> = {}): ImportOptions {
  return {
    group_key: object === "leads" || object === "deals" ? (options.group_key ?? null) : null,
    send_invites: object === "partners" && options.send_invites === true,
    dry_run: options.dry_run === true,
  };
}

/** The header plan of an import, from its stored headers and options and the program as it is now. */
async function planFor(
  db: Queryable,
  programId: number,
  object: ObjectName,
  headers: unknown[],
  options: ImportOptions,
) {
  const program = await loadProgram(db, programId);
  const spec = objectSpec(object, { program, groupKey: options.group_key });
  const plan = analyseHeaders(spec, headers);
  return { program, spec, plan };
}

/** Starts an import, or returns the one already started with the same client token. */
export async function startImport(
  db: Database,
  caller: Caller,
  request: StartImport,
  ip: string | null,
): Promise<{ resource: ImportResource; alerts: readonly Issue[]; existing: boolean }> {
  const source: ImportSource = request.source ?? { kind: "api" };
  let object: ObjectName;
  try {
    object = resolveObject(request.object);
  } catch (error) {
    await appendAudit(db, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.failed",
      object: request.object,
      options: request.options,
      source,
      detail: { reason: (error as Error).message },
      ip,
    });
    throw error;
  }
  const options = normaliseOptions(object, request.options);
  const audit = { programId: caller.program.id, actor: caller.email, object, options, source, ip };

  if (request.client_token) {
    const { rows } = await db.query<ImportRow>(
      `${SELECT_IMPORT} WHERE i.program_id = $1 AND i.user_id = $2 AND i.client_token = $3`,
      [caller.program.id, caller.userId, request.client_token],
    );
    if (rows[0]) return { resource: importResource(rows[0]), alerts: [], existing: true };
  }

  let plan: HeaderPlan;
  try {
    plan = (await planFor(db, caller.program.id, object, request.headers, options)).plan;
  } catch (error) {
    await appendAudit(db, {
      ...audit,
      action: "import.failed",
      detail: { reason: (error as Error).message },
    });
    throw error;
  }
  if (plan.blocked) {
    const errors = plan.alerts.filter((a) => a.severity === "error");
    await appendAudit(db, {
      ...audit,
      action: "import.failed",
      detail: { reason: "header errors", alerts: errors },
    });
    throw new ApiError(
      422,
      "invalid_headers",
      `The header row has ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was imported. ${errors
        .map((a) => (/[.?!]$/.test(a.message) ? a.message : `${a.message}.`))
        .join(" ")}`,
      { alerts: plan.alerts },
    );
  }

  const id = randomUUID();
  const resource = await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO imports (id, program_id, user_id, object, options, headers, total_rows, source, client_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (program_id, user_id, client_token) DO NOTHING RETURNING id`,
      [
        id,
        caller.program.id,
        caller.userId,
        object,
        JSON.stringify(options),
        JSON.stringify(request.headers.map((h) => (h === null || h === undefined ? "" : String(h)))),
        request.total_rows ?? null,
        JSON.stringify(source),
        request.client_token ?? null,
      ],
    );
    if (!inserted.rows[0]) return null; // a twin request with the same token won the race
    await appendAudit(tx, {
      ...audit,
      action: "import.started",
      importId: id,
      detail: { total_rows: request.total_rows ?? null },
    });
    return importResource(await getImport(tx, caller.program.id, id));
  });
  if (resource) return { resource, alerts: plan.alerts, existing: false };
  const { rows } = await db.query<ImportRow>(
    `${SELECT_IMPORT} WHERE i.program_id = $1 AND i.user_id = $2 AND i.client_token = $3`,
    [caller.program.id, caller.userId, request.client_token],
  );
  return { resource: importResource(rows[0] as ImportRow), alerts: [], existing: true };
}

/** The tables each object's rows are matched against. */
const LOOKUPS: Record<ObjectName, readonly string[]> = {
  partners: ["partners"],
  customers: ["customers", "partners"],
  transactions: ["transactions", "customers"],
  rewards: ["partners", "customers", "transactions"],
  leads: ["leads", "partners"],
  deals: ["deals", "partners"],
};

export interface ChunkRow {
  row: number;
  cells: unknown[];
}

export interface ChunkResult {
  import_id: string;
  seq: number;
  /** True when this chunk had been applied before: its stored results, nothing changed. */
  replayed: boolean;
  results: RowResult[];
  counts: { rows: number; created: number; updated: number; skipped: number };
}

/**
 * Applies one chunk exactly once: its effects and its results commit in one transaction, and the
 * import's row lock makes chunks of one import take turns, so a chunk sent twice, or two chunks sent
 * at once, change the data once.
 */
export async function applyChunk(
  db: Database,
  caller: Caller,
  importId: string,
  seq: number,
  rows: readonly ChunkRow[],
): Promise<ChunkResult> {
  const { object } = await getImport(db, caller.program.id, importId);
  await refreshStatistics(db, LOOKUPS[object]);
  return db.transaction(async (tx) => {
    const { rows: locked } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [
      importId,
    ]);
    const imp = locked[0] as ImportRow;
    const stored = await tx.query<{ results: RowResult[] }>(
      "SELECT results FROM import_chunks WHERE import_id = $1 AND seq = $2",
      [importId, seq],
    );
    if (stored.rows[0])
      return {
        import_id: importId,
        seq,
        replayed: true,
        results: stored.rows[0].results,
        counts: tally(stored.rows[0].results),
      };
    if (imp.status !== "processing")
      throw new ApiError(409, "import_closed", `The import is ${imp.status}; it takes no more rows.`);

    const results = await checkAndApply(tx, imp, rows);
    const counts = tally(results);
    const issued = results.reduce((sum, r) => sum + (r.amount_usd_cents ?? 0), 0);
    await tx.query("INSERT INTO import_chunks (import_id, seq, first_row, results) VALUES ($1, $2, $3, $4)", [
      importId,
      seq,
      rows[0]?.row ?? null,
      JSON.stringify(results),
    ]);
    await tx.query(
      `UPDATE imports SET rows = rows + $2, created = created + $3, updated = updated + $4, skipped = skipped + $5,
         issued_usd_cents = issued_usd_cents + $6 WHERE id = $1`,
      [importId, counts.rows, counts.created, counts.updated, counts.skipped, issued],
    );
    return { import_id: importId, seq, replayed: false, results, counts };
  });
}

function tally(results: readonly RowResult[]) {
  const counts = { rows: results.length, created: 0, updated: 0, skipped: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}

async function checkAndApply(tx: Queryable, imp: ImportRow, rows: readonly ChunkRow[]): Promise<RowResult[]> {
  const { program, spec, plan } = await planFor(tx, imp.program_id, imp.object, imp.headers, imp.options);
  const checker = createRowChecker(plan, { expectedRows: rows.length });
  const columnOf = new Map(plan.columns.map((c) => [c.field.name, c.column]));
  // Blank headers as analyseHeaders reads them (trimmed): their columns are not imported.
  const unmapped = imp.headers.flatMap((h, i) => (String(h).trim() === "" ? [i] : []));
  const checked: CheckedRow[] = [];
  const results = new Map<number, RowResult>();
  const warnings = new Map<number, Issue[]>();

  for (const { row, cells } of rows) {
    const result = checker.check(row, cells);
    const extra: Issue[] = unmapped
      .filter((i) => !isBlank(cells[i]))
      .map((i) => ({
        row,
        column: i + 1,
        field: null,
        severity: "warning" as const,
        code: "ignored_value" as const,
        message: `This column has no header, so its value ${quote(cells[i])} was ignored`,
      }));
    if (result.blank)
      results.set(row, { row, outcome: "skipped", object_key: null, issues: [blankIssue(row)] });
    else if (!result.ok)
      results.set(row, { row, outcome: "skipped", object_key: null, issues: [...result.issues, ...extra] });
    else {
      checked.push(result);
      warnings.set(row, [...result.issues, ...extra]);
    }
  }

  // A key or email seen in an earlier chunk of this import: set-based, against every chunk so far.
  const firstRows = await rememberKeys(
    tx,
    imp,
    spec.fields.filter((f) => f.unique).map((f) => f.name),
    checked,
  );
  const fresh: CheckedRow[] = [];
  for (const r of checked) {
    const dupes = firstRows.get(r.row);
    if (!dupes) {
      fresh.push(r);
      continue;
    }
    const singular = spec.label.toLowerCase().replace(/s$/, "");
    results.set(r.row, {
      row: r.row,
      outcome: "skipped",
      object_key: null,
      issues: [
        ...(warnings.get(r.row) ?? []),
        ...dupes.map((d) => ({
          row: r.row,
          column: columnOf.get(d.field) ?? null,
          field: d.field,
          severity: "error" as const,
          code: "duplicate_in_file" as const,
          message: `${d.field} ${quote(d.value)} is also in row ${d.row}; a ${singular} can be in one row of an import only`,
        })),
      ],
    });
  }

  if (fresh.length) {
    const ctx: ApplyContext = {
      tx,
      programId: imp.program_id,
      program,
      object: imp.object,
      spec,
      importId: imp.id,
      options: imp.options,
      column: (field) => columnOf.get(field) ?? null,
    };
    // A dry run runs every check and statement, then takes the changes back.
    if (imp.options.dry_run) await tx.query("SAVEPOINT dry_run");
    const applied = await APPLIERS[imp.object](ctx, fresh);
    if (imp.options.dry_run) await tx.query("ROLLBACK TO SAVEPOINT dry_run");
    for (const r of applied)
      results.set(r.row, { ...r, issues: [...(warnings.get(r.row) ?? []), ...r.issues] });
  }
  return rows.map(({ row }) => results.get(row) ?? { row, outcome: "skipped", object_key: null, issues: [] });
}

function blankIssue(row: number): Issue {
  return {
    row,
    column: null,
    field: null,
    severity: "warning",
    code: "ignored_value",
    message: "The row is blank",
  };
}

/** Records the unique keys of these rows for the import; returns, per row, the keys an earlier row had. */
async function rememberKeys(tx: Queryable, imp: ImportRow, fields: string[], rows: readonly CheckedRow[]) {
  const keys = rows.flatMap((r) =>
    fields.flatMap((field) => {
      const value = r.record[field];
      return typeof value === "string" ? [{ field, value, row: r.row }] : [];
    }),
  );
  const dupes = new Map<number, { field: string; value: string; row: number }[]>();
  if (!keys.length) return dupes;
  const { rows: taken } = await tx.query<{ field: string; value: string; row: number; new_row: number }>(
    `WITH k AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS k(field text, value text, row int)),
     inserted AS (
       INSERT INTO import_keys (import_id, field, value, row) SELECT $1, field, value, row FROM k
       ON CONFLICT DO NOTHING RETURNING field, value)
     SELECT k.field, k.value, ik.row, k.row AS new_row FROM k
     JOIN import_keys ik ON ik.import_id = $1 AND ik.field = k.field AND ik.value = k.value
     WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.field = k.field AND i.value = k.value)`,
    [imp.id, JSON.stringify(keys)],
  );
  for (const t of taken) {
    if (t.row === t.new_row) continue;
    const list = dupes.get(t.new_row) ?? [];
    list.push({ field: t.field, value: t.value, row: t.row });
    dupes.set(t.new_row, list);
  }
  return dupes;
}

/** Ends an import: completed (or cancelled). Ending it again answers as before. */
export async function finishImport(
  db: Database,
  caller: Caller,
  importId: string,
  to: "completed" | "cancelled",
  ip: string | null,
): Promise<ImportResource> {
  return db.transaction(async (tx) => {
    await getImport(tx, caller.program.id, importId);
    const { rows } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [importId]);
    const imp = rows[0] as ImportRow;
    if (imp.status === to) return importResource(await getImport(tx, caller.program.id, importId));
    if (imp.status !== "processing")
      throw new ApiError(409, "import_closed", `The import is already ${imp.status}; it cannot be ${to}.`);
    await tx.query("UPDATE imports SET status = $2, completed_at = now() WHERE id = $1", [importId, to]);
    const done = await getImport(tx, caller.program.id, importId);
    await appendAudit(tx, {
      programId: caller.program.id,
      actor: caller.email,
      action: to === "completed" ? "import.completed" : "import.cancelled",
      object: imp.object,
      importId,
      options: imp.options,
      source: imp.source,
      counts: importResource(done).counts,
      ip,
    });
    return importResource(done);
  });
}

/** Marks an import failed (a CSV import that broke while running in the background). */
export async function failImport(
  db: Database,
  caller: Caller,
  importId: string,
  reason: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<ImportRow>(
      "UPDATE imports SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status = 'processing' RETURNING *",
      [importId, reason],
    );
    const imp = rows[0];
    if (!imp) return;
    await appendAudit(tx, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.failed",
      object: imp.object,
      importId,
      options: imp.options,
      source: imp.source,
      counts: { rows: imp.rows, created: imp.created, updated: imp.updated, skipped: imp.skipped },
      detail: { reason },
    });
  });
}

/** Every row's result, in the order of the rows. */
export async function importReport(db: Queryable, programId: number, importId: string) {
  const imp = await getImport(db, programId, importId);
  const { rows } = await db.query<{ results: RowResult[] }>(
    "SELECT results FROM import_chunks WHERE import_id = $1 ORDER BY first_row NULLS LAST, seq",
    [importId],
  );
  return { import: importResource(imp), results: rows.flatMap((r) => r.results) };
}

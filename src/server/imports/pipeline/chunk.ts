import {
  type CheckedRow,
  createRowChecker,
  type Issue,
  isBlank,
  type ObjectName,
  quote,
} from "../../../core";
import type { Caller } from "../../caller";
import type { Database, Queryable } from "../../db/database";
import { refreshStatistics } from "../../db/statistics";
import { ApiError } from "../../errors";
import { APPLIERS } from "../appliers";
import type { ApplyContext, RowResult } from "../types";
import { rememberKeys } from "./importKeys";
import { planFor } from "./plan";
import { getImport, type ImportRow } from "./resource";

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

export function tally(results: readonly RowResult[]) {
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

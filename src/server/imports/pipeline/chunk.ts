import { setImmediate as nextTurn } from "node:timers/promises";
import {
  type CheckedRow,
  createRowChecker,
  dayFirstLocale,
  type Issue,
  isBlank,
  type ObjectName,
  quote,
  textFault,
} from "../../../core";
import type { Caller } from "../../caller";
import type { Database, Queryable } from "../../db/database";
import { analyseInBackground, GROWTH_COLUMNS, importGrew, staleTablesNow } from "../../db/statistics";
import { ApiError } from "../../errors";
import { APPLIERS, STORED_AS } from "../appliers";
import { requestHash } from "../idempotency";
import { FINGERPRINT_KEY } from "../repeats";
import type { ApplyContext, RowResult } from "../types";
import { addChanges, NEWEST_CHANGE } from "./changes";
import { type ColumnIssue, collapseRepeatedIssues } from "./columnIssues";
import { type ImportKey, type ImportKeys, keysOf, remember, takeKeys } from "./importKeys";
import { planFor } from "./plan";
import { type ImportRow, importObject } from "./resource";

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

export interface ChunkCounts {
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  /** Rows that matched a record an earlier import created, or an earlier row of the import. */
  repeats: number;
}

export interface ChunkResult {
  import_id: string;
  seq: number;
  /** True when this chunk had been applied before: its stored results, nothing changed. */
  replayed: boolean;
  results: RowResult[];
  /** Issues that many of its rows share in one column, said once (each row still has its own). */
  column_issues: ColumnIssue[];
  counts: ChunkCounts;
}

/**
 * Applies one chunk exactly once: its effects and its results commit in one transaction, and the
 * import's row lock makes chunks of one import take turns, so a chunk sent twice, or two chunks sent
 * at once, change the data once. A chunk sent again must hold the same rows (else `chunk_mismatch`),
 * and a row number already applied in another chunk is not applied again (`row_already_sent`).
 */
export async function applyChunk(
  db: Database,
  caller: Caller,
  importId: string,
  seq: number,
  rows: readonly ChunkRow[],
  /** The rows checked already (checkChunkRows), before this chunk's turn: not checked again. */
  early?: CheckedChunk,
): Promise<ChunkResult> {
  const object = await importObject(db, caller.program.id, importId);
  // On PostgreSQL a table grown stale is analysed on a connection of its own while the chunks go on (the
  // chunk's lookup plans with the statistics as they were, a chunk late at most); PGlite has one session,
  // where it would wait its turn anyway. Statistics only guide plans: an ANALYZE that fails is tried
  // again when next due, and never fails a chunk.
  const analyse = async (tables: readonly string[], columns: readonly string[] | null = null) => {
    const analysing = analyseInBackground(db, tables, columns);
    if (db.kind !== "postgres") await analysing;
  };
  await analyse(await staleTablesNow(db, LOOKUPS[object]));
  const rowsHash = requestHash(rows);
  // The records this chunk created (none in a dry run): the import's growth, that its table follows.
  let created = 0;
  // The keys this chunk's rows took, held for the import's next chunks once the chunk has committed.
  let taken: ImportKey[] | null = null;
  const numbers = rows.map((r) => r.row);
  const firstRow = numbers.length ? Math.min(...numbers) : null;
  const lastRow = numbers.length ? Math.max(...numbers) : null;
  const answer = await db.transaction(async (tx): Promise<ChunkResult> => {
    const { rows: locked } = await tx.query<ImportRow>("SELECT * FROM imports WHERE id = $1 FOR UPDATE", [
      importId,
    ]);
    const imp = locked[0] as ImportRow;
    // One statement after the lock: the chunk as stored, if it was applied before; the import named for
    // the data tables' triggers, which record what this chunk changes under its id (migration 006: what
    // an update changed, what an undo takes back; local to this transaction); and the newest change
    // line before this chunk's. And the planner told that the rows a chunk looks up are in memory, not
    // on a spinning disk (random_page_cost 1.1 for 4): with PostgreSQL's default it reads a whole program's
    // table to find 1,000 keys (11 to 24 ms at 100,000 rows) rather than probe their indexes (2 ms).
    // And the rows of this chunk that earlier chunks held (only chunks whose row range overlaps this
    // one's are looked into).
    const { rows: found } = await tx.query<
      Partial<StoredChunk> & { since: string; stored_chunks: number; sent: [number, number][] }
    >(
      `SELECT set_config('importer.import_id', $1::text, true) AS named, ${NEWEST_CHANGE} AS since,
         set_config('random_page_cost', '1.1', true) AS planned,
         (SELECT count(*)::int FROM import_chunks s WHERE s.import_id = $1::uuid) AS stored_chunks,
         (SELECT COALESCE(json_agg(json_build_array(r, s.seq)), '[]') FROM import_chunks s, unnest(s.row_numbers) AS r
          WHERE s.import_id = $1::uuid AND s.first_row <= $4 AND s.last_row >= $3 AND r = ANY($5::int[])) AS sent,
         c.results, c.column_issues, c.rows_hash, c.first_row, c.last_row
       FROM (VALUES (1)) AS one LEFT JOIN import_chunks c ON c.import_id = $1::uuid AND c.seq = $2`,
      [importId, seq, firstRow, lastRow, numbers],
    );
    const since = found[0]?.since ?? "0";
    const storedChunks = found[0]?.stored_chunks ?? 0;
    // The rows of this chunk that an earlier chunk of the import held already: row → that chunk's seq.
    const sent = new Map<number, number>(found[0]?.sent ?? []);
    const before = found[0]?.results ? (found[0] as StoredChunk) : undefined;
    if (before) {
      if (before.rows_hash !== null && before.rows_hash !== rowsHash)
        throw new ApiError(
          409,
          "chunk_mismatch",
          `Chunk ${seq} of this import was applied before with other rows (${before.results.length} rows, ${rowRange(before)}); a chunk sent again must hold the same rows. Send new rows under a new seq.`,
        );
      return {
        import_id: importId,
        seq,
        replayed: true,
        results: before.results,
        column_issues: before.column_issues,
        counts: tally(before.results),
      };
    }
    if (imp.status !== "processing")
      throw new ApiError(409, "import_closed", `The import is ${imp.status}; it takes no more rows.`);

    const seen = await keysOf(db, tx, importId, storedChunks);
    const { results, taken: chunkKeys } = await checkAndApply(
      tx,
      imp,
      rows,
      sent,
      since,
      seen,
      early?.rows === rows ? early : undefined,
    );
    const applied = results.filter((r) => !sent.has(r.row));
    // The fingerprints of the records this chunk made, for later chunks' duplicate_in_file.
    chunkKeys.push(
      ...takeKeys(
        seen,
        applied.flatMap((r) =>
          r.fingerprint ? [{ field: FINGERPRINT_KEY, value: r.fingerprint, row: r.row }] : [],
        ),
      ).taken,
    );
    for (const r of results) delete r.fingerprint;
    const columnIssues = collapseRepeatedIssues(results);
    const counts = tally(applied);
    const issued = applied.reduce((sum, r) => sum + (r.amount_usd_cents ?? 0), 0);
    // The chunk as stored, and the import's counts, in one statement.
    await tx.query(
      `WITH chunk AS (
         INSERT INTO import_chunks (import_id, seq, first_row, last_row, row_numbers, rows_hash, results, column_issues,
           key_fields, key_values, key_rows)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       )
       UPDATE imports SET rows = rows + $12, created = created + $13, updated = updated + $14, skipped = skipped + $15,
         repeats = repeats + $16, issued_usd_cents = issued_usd_cents + $17 WHERE id = $1`,
      [
        importId,
        seq,
        firstRow,
        lastRow,
        numbers,
        rowsHash,
        JSON.stringify(results),
        JSON.stringify(columnIssues),
        chunkKeys.map((k) => k.field),
        chunkKeys.map((k) => k.value),
        chunkKeys.map((k) => k.row),
        counts.rows,
        counts.created,
        counts.updated,
        counts.skipped,
        counts.repeats,
        issued,
      ],
    );
    taken = chunkKeys;
    if (!imp.options.dry_run) created = counts.created;
    return {
      import_id: importId,
      seq,
      replayed: false,
      results,
      column_issues: columnIssues,
      counts: tally(results),
    };
  });
  if (taken) remember(db, importId, seq, taken);
  if (importGrew(db, importId, created)) await analyse([object], GROWTH_COLUMNS);
  return answer;
}

/**
 * Which rows' results a chunk's answer holds: every row's (`all`), or only the rows skipped or with an
 * issue (`issues`), for a client that reads the full report at the end and would rather not receive a
 * result per row it sent. The counts, the column issues and the USD issued are the same either way.
 */
export type ResultsShown = "all" | "issues";

export interface ChunkAnswer extends ChunkResult {
  results_shown: ResultsShown;
  /** Rewards: the USD cents the chunk's rows issued (a dry run: would issue), over every row. */
  issued_usd_cents?: number;
}

/** A chunk's answer, holding the results `shown`. */
export function chunkAnswer(chunk: ChunkResult, shown: ResultsShown): ChunkAnswer {
  let cents: number | undefined;
  for (const r of chunk.results)
    if (r.amount_usd_cents !== undefined) cents = (cents ?? 0) + r.amount_usd_cents;
  const results =
    shown === "all"
      ? chunk.results
      : chunk.results.filter((r) => r.outcome === "skipped" || r.issues.length > 0);
  return {
    ...chunk,
    results,
    results_shown: shown,
    ...(cents === undefined ? {} : { issued_usd_cents: cents }),
  };
}

interface StoredChunk {
  results: RowResult[];
  column_issues: ColumnIssue[];
  rows_hash: string | null;
  first_row: number | null;
  last_row: number | null;
}

function rowRange(chunk: StoredChunk): string {
  if (chunk.first_row === null) return "no rows";
  return chunk.first_row === chunk.last_row
    ? `row ${chunk.first_row}`
    : `rows ${chunk.first_row} to ${chunk.last_row}`;
}

/** A chunk's counts. */
export function tally(results: readonly RowResult[]): ChunkCounts {
  const counts = { rows: results.length, created: 0, updated: 0, skipped: 0, repeats: 0 };
  for (const r of results) {
    counts[r.outcome]++;
    if (r.repeat) counts.repeats++;
  }
  return counts;
}

/** The import's plan (planFor) for checking its rows. */
export type ImportPlan = Awaited<ReturnType<typeof planFor>>;

/** A chunk's rows checked in JavaScript, with no lock and no statement: what checkAndApply starts from. */
export interface CheckedChunk {
  planned: ImportPlan;
  rows: readonly ChunkRow[];
  /** The rows already sent in earlier chunks, left out of the checks. */
  sent: ReadonlyMap<number, number>;
  checked: CheckedRow[];
  results: Map<number, RowResult>;
  warnings: Map<number, Issue[]>;
}

async function checkAndApply(
  tx: Queryable,
  imp: ImportRow,
  rows: readonly ChunkRow[],
  sent: ReadonlyMap<number, number>,
  /** The newest change line before this chunk's (see NEWEST_CHANGE). */
  since: string,
  /** The keys the import's earlier rows took. */
  seen: ImportKeys,
  /** The rows checked before the lock; checked again when rows turn out to have been sent before. */
  early?: CheckedChunk,
): Promise<{ results: RowResult[]; taken: ImportKey[] }> {
  const { program, spec, plan } =
    early?.planned ?? (await planFor(tx, imp.program_id, imp.object, imp.headers, imp.options));
  const { checked, results, warnings } =
    early && early.sent.size === 0 && sent.size === 0
      ? early
      : checkChunkRows(imp, { program, spec, plan }, rows, sent);
  const columnOf = new Map(plan.columns.map((c) => [c.field.name, c.column]));

  // A key or email an earlier row of this import had, in this chunk or an earlier one.
  const uniqueFields = spec.fields.filter((f) => f.unique).map((f) => f.name);
  const { taken, dupes: firstRows } = takeKeys(
    seen,
    checked.flatMap((r) =>
      uniqueFields.flatMap((field) => {
        const value = r.record[field];
        return typeof value === "string" ? [{ field, value, row: r.row }] : [];
      }),
    ),
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
      keys: seen,
      options: imp.options,
      column: (field) => columnOf.get(field) ?? null,
    };
    // A dry run runs every check and statement, then takes the changes back.
    if (imp.options.dry_run) await tx.query("SAVEPOINT dry_run");
    const applied = await APPLIERS[imp.object](ctx, fresh);
    // What the updates changed, read before a dry run takes them back.
    const stored = STORED_AS[imp.object];
    if (stored)
      await addChanges(
        tx,
        { importId: imp.id, programId: imp.program_id, since },
        stored,
        spec,
        fresh,
        applied,
      );
    if (imp.options.dry_run) await tx.query("ROLLBACK TO SAVEPOINT dry_run");
    for (const r of applied)
      results.set(r.row, { ...r, issues: [...(warnings.get(r.row) ?? []), ...r.issues] });
  }
  for (const [row, seq] of sent)
    results.set(row, {
      row,
      outcome: "skipped",
      object_key: null,
      issues: [
        {
          row,
          column: null,
          field: null,
          severity: "error",
          code: "row_already_sent",
          message: `Row ${row} was applied already, in chunk ${seq} of this import; a row is applied once, so this copy was skipped`,
        },
      ],
    });
  return {
    results: rows.map(
      ({ row }) => results.get(row) ?? { row, outcome: "skipped", object_key: null, issues: [] },
    ),
    taken,
  };
}

/**
 * Checks a chunk's rows against the import's plan: pure JavaScript, so it may run before the chunk's
 * turn (while the chunk before it is applied). Rows in `sent` are left to checkAndApply.
 */
export function checkChunkRows(
  imp: ImportRow,
  planned: ImportPlan,
  rows: readonly ChunkRow[],
  sent: ReadonlyMap<number, number> = new Map(),
): CheckedChunk {
  const checking = checkingRows(imp, planned, rows, sent);
  for (;;) {
    const step = checking.next();
    if (step.done) return step.value;
  }
}

/** Rows checked between two turns of the event loop (checkChunkRowsAside). */
const ROWS_A_TURN = 100;

/**
 * checkChunkRows while other work goes on: a turn of the event loop after each hundred rows, so the
 * answers of the statements the chunk before it is waiting for are read as they come, not once every
 * row of this chunk has been checked.
 */
export async function checkChunkRowsAside(
  imp: ImportRow,
  planned: ImportPlan,
  rows: readonly ChunkRow[],
): Promise<CheckedChunk> {
  const checking = checkingRows(imp, planned, rows, new Map());
  for (;;) {
    const step = checking.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** checkChunkRows, pausing after each ROWS_A_TURN rows. */
function* checkingRows(
  imp: ImportRow,
  planned: ImportPlan,
  rows: readonly ChunkRow[],
  sent: ReadonlyMap<number, number>,
): Generator<void, CheckedChunk> {
  const { plan } = planned;
  const checker = createRowChecker(plan, {
    expectedRows: rows.length,
    normalise: imp.options.normalise ? { dayFirst: dayFirstLocale(imp.options.locale) } : undefined,
  });
  // Blank headers as analyseHeaders reads them (trimmed): their columns are not imported, and a value
  // under one is said to be ignored. A column the mapping ignores is never read, not even for that.
  const ignored = new Set(plan.ignored);
  const unmapped = imp.headers.flatMap((h, i) => (String(h).trim() === "" && !ignored.has(i + 1) ? [i] : []));
  const checked: CheckedRow[] = [];
  const results = new Map<number, RowResult>();
  const warnings = new Map<number, Issue[]>();

  let counted = 0;
  for (const { row, cells } of rows) {
    if (++counted % ROWS_A_TURN === 0) yield;
    if (sent.has(row)) continue;
    const result = checker.check(row, cells);
    const extra: Issue[] = unmapped
      .filter((i) => !isBlank(cells[i]))
      .map((i) => ({
        row,
        column: i + 1,
        field: null,
        severity: "warning" as const,
        code: "ignored_value" as const,
        message: `This column has no header, so its value ${storable(cells[i]) ? `${quote(cells[i])} ` : ""}was ignored`,
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
  return { planned, rows, sent, checked, results, warnings };
}

/** A value a message may quote: the database stores messages, and refuses a NUL in them. */
function storable(value: unknown): boolean {
  return typeof value !== "string" || textFault(value) === null;
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

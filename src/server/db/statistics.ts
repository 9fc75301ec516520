import type { Database, Queryable } from "./database";

/**
 * Analyses the tables given when they have more than doubled since their last analysis (or never had
 * one). PGlite runs no autovacuum, and on a server it lags behind an import that grows a table fast;
 * without statistics the planner reads every row of a program for each chunk's lookup, instead of a
 * few index entries. Doubling keeps it to a handful of ANALYZEs while a table grows to 100,000 rows.
 * ANALYZE is the tables' owner's, which the service's role may not be: analyse_table runs as the owner,
 * and leaves a table that another session is analysing to it rather than wait (migration 007). Returns
 * the tables found stale.
 */
export async function refreshStatistics(db: Queryable, tables: readonly string[]): Promise<string[]> {
  const stale = await staleTables(db, tables);
  if (stale.length) await analyseTables(db, stale);
  return stale;
}

/** The tables given that have more than doubled since their last analysis: one statement. */
export async function staleTables(db: Queryable, tables: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT t.name FROM (
       SELECT c.relname AS name, c.relpages AS analysed_pages, c.reltuples AS tuples,
         (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
       FROM unnest($1::text[]) AS n(name) JOIN pg_class c ON c.oid = to_regclass(n.name)
     ) AS t
     WHERE t.pages > 16 AND (t.tuples < 0 OR t.pages > 2 * t.analysed_pages + 16)`,
    [tables],
  );
  return rows.map((t) => t.name);
}

/** Analyses the tables (see refreshStatistics), or only these columns of them. */
export async function analyseTables(
  db: Queryable,
  tables: readonly string[],
  columns: readonly string[] | null = null,
): Promise<void> {
  await db.query("SELECT analyse_table(t, $2::text[]) FROM unnest($1::text[]) AS t", [tables, columns]);
}

/**
 * How often a chunk asks whether the tables it reads have grown stale (one statement), per table and
 * database: a table grows by a chunk at a time, so asking at every chunk costs a round trip for nothing.
 */
const STALE_CHECK_MS = 1000;

/** Per database: when each table was last asked about, and the tables being analysed in the background. */
interface Watch {
  checked: Map<string, number>;
  analysing: Set<string>;
  /** Per import: the rows it has created in this process (importGrew). */
  created: Map<string, number>;
}
const watches = new WeakMap<Database, Watch>();

function watchOf(db: Database): Watch {
  let watch = watches.get(db);
  if (!watch) {
    watch = { checked: new Map(), analysing: new Set(), created: new Map() };
    watches.set(db, watch);
  }
  return watch;
}

/**
 * The tables given that have doubled since their last analysis (staleTables), asked about at most once
 * a second per table.
 */
export async function staleTablesNow(db: Database, tables: readonly string[]): Promise<string[]> {
  const { checked } = watchOf(db);
  const now = Date.now();
  const due = tables.filter((t) => now - (checked.get(t) ?? Number.NEGATIVE_INFINITY) >= STALE_CHECK_MS);
  if (!due.length) return [];
  for (const t of due) checked.set(t, now);
  return staleTables(db, due);
}

/**
 * Analyses the tables (or only these columns of them), skipping any this process is analysing already;
 * the promise settles when done and never rejects (statistics only guide plans: a failed ANALYZE is
 * tried again when next due).
 */
export function analyseInBackground(
  db: Database,
  tables: readonly string[],
  columns: readonly string[] | null = null,
): Promise<void> {
  const { analysing } = watchOf(db);
  const todo = [...new Set(tables)].filter((t) => !analysing.has(t));
  if (!todo.length) return Promise.resolve();
  for (const t of todo) analysing.add(t);
  return analyseTables(db, todo, columns)
    .catch(() => {})
    .finally(() => {
      for (const t of todo) analysing.delete(t);
    });
}

/**
 * The column an import's growth changes the planner's view of: how many rows its program has. (The
 * other columns' statistics follow the table's own growth, or autovacuum's; an ANALYZE of some columns
 * does not count as one of the table for autovacuum.)
 */
export const GROWTH_COLUMNS = ["program_id"] as const;

/** Imports whose growth is followed at once, past which the longest followed are let go. */
const MAX_FOLLOWED_IMPORTS = 10_000;
/** An import's table is analysed when the rows it has created reach this, then each time they double. */
const FIRST_GROWTH = 1000;

/**
 * Adds the rows an import's chunk created, and says whether they have just reached 1,000 or doubled
 * since: the time to analyse the import's table. The table-wide doubling (staleTables) misses a program
 * that grows inside a table far larger than it: its statistics still say the program has no rows, and
 * the planner reads every row the program has for each chunk's lookup (at 50,000 rows, tens of
 * milliseconds a chunk, growing with each). Following the import instead keeps the program's estimate
 * within twice its size, at about seven analyses of its program_id column for 100,000 rows.
 */
export function importGrew(db: Database, importId: string, created: number): boolean {
  if (created <= 0) return false;
  const { created: followed } = watchOf(db);
  const before = followed.get(importId) ?? 0;
  const after = before + created;
  followed.delete(importId);
  followed.set(importId, after);
  for (const id of followed.keys()) {
    if (followed.size <= MAX_FOLLOWED_IMPORTS) break;
    followed.delete(id);
  }
  return (
    after >= FIRST_GROWTH &&
    (before < FIRST_GROWTH ||
      Math.floor(Math.log2(after / FIRST_GROWTH)) > Math.floor(Math.log2(before / FIRST_GROWTH)))
  );
}

/** Stops following an import that takes no more rows. */
export function forgetGrowth(db: Database, importId: string): void {
  watches.get(db)?.created.delete(importId);
}

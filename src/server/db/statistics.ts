import type { Queryable } from "./database";

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

/** Analyses the tables (see refreshStatistics). */
export async function analyseTables(db: Queryable, tables: readonly string[]): Promise<void> {
  await db.query("SELECT analyse_table(t) FROM unnest($1::text[]) AS t", [tables]);
}

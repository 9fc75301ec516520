import type { Queryable } from "./database";

/**
 * Analyses the tables given when they have more than doubled since their last analysis (or never had
 * one). PGlite runs no autovacuum, and on a server it lags behind an import that grows a table fast;
 * without statistics the planner reads every row of a program for each chunk's lookup, instead of a
 * few index entries. Doubling keeps it to a handful of ANALYZEs while a table grows to 100,000 rows.
 * ANALYZE is the tables' owner's, which the service's role may not be: analyse_table runs as the owner.
 */
export async function refreshStatistics(db: Queryable, tables: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ name: string; analysed_pages: number; pages: number; tuples: number }>(
    `SELECT c.relname AS name, c.relpages AS analysed_pages, c.reltuples AS tuples,
       (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
     FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [tables],
  );
  const stale = rows
    .filter((t) => t.pages > 16 && (t.tuples < 0 || t.pages > 2 * t.analysed_pages + 16))
    .map((t) => t.name);
  for (const name of stale) await db.query("SELECT analyse_table($1)", [name]);
  return stale;
}

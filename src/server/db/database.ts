import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { DEFAULT_POOL_MAX } from "../settings";

/** Anything that runs a parameterised statement: the database, or one transaction on it. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface QueryResult<R> {
  rows: R[];
  /** The rows an INSERT, UPDATE or DELETE wrote, when the driver says. */
  rowCount?: number;
}

/** PostgreSQL, on a server (`pg`) or embedded (PGlite): one SQL dialect either way. */
export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * pg-boss's database adapter: a statement with values, or a script of several (its schema and
   * maintenance) without; the rows of the last statement.
   */
  executeSql(sql: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /**
   * A connection of its own until released, for what belongs to a session (the worker's advisory
   * locks). PGlite has one session: it is the database itself.
   */
  reserve(): Promise<Queryable & { release(): void }>;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

/** bigint as a number (amounts are checked to be safe integers), dates as `YYYY-MM-DD` text. */
const parseInt8 = (v: string) => Number(v);
const parseDate = (v: string) => v;

export interface DatabaseOptions {
  /** A postgresql:// address; without it, PGlite. */
  url?: string;
  /** PGlite's folder, or `memory` for a throwaway database. */
  dataDir?: string;
  /**
   * A schema to work in (created when missing, by a role that may): lets tests share one PostgreSQL
   * database.
   */
  schema?: string;
  /** PostgreSQL connections kept at most (DATABASE_POOL_MAX). */
  poolMax?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.schema, options.poolMax ?? DEFAULT_POOL_MAX);
  return openPglite(options.dataDir ?? "memory", options.schema);
}

async function openPostgres(url: string, schema: string | undefined, poolMax: number): Promise<Database> {
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // A role without CREATE on the database is refused even CREATE SCHEMA IF NOT EXISTS.
      const { rows } = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      if (!rows.length) await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8
          ? parseInt8
          : oid === DATE
            ? parseDate
            : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // A connection that drops while idle must not take the service down with it.
  pool.on("error", () => {});
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      const result = await client.query(sql, params?.map(arrayParam));
      return { rows: result.rows, rowCount: result.rowCount ?? undefined };
    },
  });
  return {
    kind: "postgres",
    ...run(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(run(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async executeSql(sql, values) {
      const result = (await pool.query(sql, values as unknown[] | undefined)) as
        | pg.QueryResult
        | pg.QueryResult[];
      return { rows: (Array.isArray(result) ? result.at(-1) : result)?.rows ?? [] };
    },
    async reserve() {
      const client = await pool.connect();
      return { ...run(client), release: () => client.release(true) };
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * An array parameter as the text of a PostgreSQL array, written as node-postgres writes it (each element
 * quoted, `\\` and `"` escaped, null as NULL) but joined once: node-postgres adds element after element
 * to a string and escapes each with two regular expressions, which for a chunk's few thousand keys and
 * row numbers was the service's largest allocation. Any other array (nested, of objects, of bytes) and
 * any other value is left to node-postgres.
 */
export function arrayParam(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const parts: string[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    if (element === null || element === undefined) parts[i] = "NULL";
    else if (typeof element === "string")
      parts[i] =
        `"${element.includes("\\") || element.includes('"') ? element.replace(/[\\"]/g, "\\$&") : element}"`;
    else if (typeof element === "number" || typeof element === "boolean") parts[i] = `"${element}"`;
    else return value;
  }
  return `{${parts.join(",")}}`;
}

async function openPglite(dataDir: string, schema?: string): Promise<Database> {
  return wrapPglite(await createPglite(dataDir, schema));
}

/** A PGlite in `dataDir` (or in memory), its folder private, in `schema` when given. */
export async function createPglite(dataDir: string, schema?: string): Promise<PGlite> {
  if (dataDir !== "memory") {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const db = await PGlite.create(dataDir === "memory" ? undefined : dataDir, {
    parsers: { [INT8]: parseInt8, [DATE]: parseDate },
  });
  if (dataDir !== "memory") makePrivate(dataDir);
  if (schema)
    await db.exec(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)};`,
    );
  return db;
}

/** The Database of a PGlite opened by the caller (the bench, which also COPYs into it directly). */
export function wrapPglite(db: PGlite): Database {
  const query: Queryable["query"] = async (sql, params) => {
    const result = await db.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as never[], rowCount: result.affectedRows };
  };
  return {
    kind: "pglite",
    query,
    async transaction(work) {
      return db.transaction(async (tx) =>
        work({
          async query(sql, params) {
            const result = await tx.query(sql, params as unknown[] | undefined);
            return { rows: result.rows as never[], rowCount: result.affectedRows };
          },
        }),
      );
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async executeSql(sql, values) {
      // PGlite's query takes one statement; a script without values goes through exec.
      if (values?.length) {
        const result = await db.query(sql, values as unknown[]);
        return { rows: result.rows as Record<string, unknown>[] };
      }
      const results = await db.exec(sql);
      return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
    },
    async reserve() {
      return { query, release: () => {} };
    },
    async close() {
      await db.close();
    },
  };
}

/**
 * Makes a PGlite folder's contents the service's alone: directories 0700, files 0600. PGlite writes
 * the files of a new database 0666 whatever the umask (and a folder from an older version holds
 * them still); what PostgreSQL writes after that it makes 0600 itself, inside a folder already 0700.
 */
function makePrivate(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o700);
      makePrivate(path);
    } else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

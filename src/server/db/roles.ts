import { randomBytes } from "node:crypto";
import { type Queryable, quoteIdent } from "./database";

/**
 * What the service's role may do on a table of ours, where it is less than reading and writing it:
 * the audit log is only added to (nor can the role alter it, or switch its trigger off, as it owns
 * nothing), and migrations are the owner's.
 */
const LIMITED: Record<string, string> = { audit_log: "SELECT, INSERT", schema_migrations: "SELECT" };
const READ_WRITE = "SELECT, INSERT, UPDATE, DELETE";

/**
 * Grants the service's role what it needs on the tables and sequences the migrating role owns in the
 * current schema, on pg-boss's schema `boss`, and on analyse_table; nothing more (a grant from an
 * earlier version is taken back). Run by the owner after each migration, so new tables are covered.
 */
export async function grantService(db: Queryable, role: string, boss: string): Promise<void> {
  const grantee = quoteIdent(role);
  const { rows } = await db.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
     WHERE c.relnamespace = to_regnamespace(current_schema()) AND pg_get_userbyid(c.relowner) = current_user
       AND c.relkind IN ('r', 'p', 'S')`,
  );
  for (const { name, kind } of rows) {
    const object = quoteIdent(name);
    if (kind === "S") {
      await db.query(`GRANT USAGE ON SEQUENCE ${object} TO ${grantee}`);
      continue;
    }
    await db.query(`REVOKE ALL ON TABLE ${object} FROM ${grantee}`);
    await db.query(`GRANT ${LIMITED[name] ?? READ_WRITE} ON TABLE ${object} TO ${grantee}`);
  }
  await db.query(`GRANT EXECUTE ON FUNCTION analyse_table(text) TO ${grantee}`);
  await db.query(`GRANT EXECUTE ON FUNCTION analyse_table(text, text[]) TO ${grantee}`);
  await db.query(`GRANT USAGE ON SCHEMA ${quoteIdent(boss)} TO ${grantee}`);
  await db.query(`GRANT ${READ_WRITE} ON ALL TABLES IN SCHEMA ${quoteIdent(boss)} TO ${grantee}`);
}

export interface RoleNames {
  /** Owns the tables: DATABASE_OWNER_URL. */
  owner: string;
  /** The service's: DATABASE_URL. */
  service: string;
}

/** What createRoles did, line by line, and the addresses to set (a new role's password is in it). */
export interface RolesCreated {
  done: string[];
  ownerUrl: string;
  serviceUrl: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Makes the two roles (those missing, with a new password each) and lets them into the current
 * database and schema: the owner may create there (tables, and pg-boss's schema), the service may
 * only connect and look. The service's rights on the tables come from the owner when it migrates
 * (grantService). Run by a role that may create roles; `url` is its address, the base of the two
 * printed.
 */
export async function createRoles(db: Queryable, url: string, names: RoleNames): Promise<RolesCreated> {
  for (const name of [names.owner, names.service])
    if (!ROLE_NAME.test(name))
      throw new Error(`"${name}" is not a role name this command makes: lower case letters, digits and _`);
  if (names.owner === names.service) throw new Error("The owner and the service need two roles");
  const { rows } = await db.query<{ database: string; schema: string | null }>(
    "SELECT current_database() AS database, current_schema() AS schema",
  );
  const { database, schema } = rows[0] as { database: string; schema: string | null };
  if (!schema) throw new Error("The connection has no schema to work in: check its search_path");
  const done: string[] = [];
  const address = async (name: string) => {
    const password = await ensureRole(db, name, done);
    const target = new URL(url);
    target.username = name;
    target.password = password ?? "";
    return target.toString();
  };
  const ownerUrl = await address(names.owner);
  const serviceUrl = await address(names.service);
  const [owner, service] = [quoteIdent(names.owner), quoteIdent(names.service)];
  const grants = [
    `GRANT CONNECT, CREATE ON DATABASE ${quoteIdent(database)} TO ${owner}`,
    `GRANT USAGE, CREATE ON SCHEMA ${quoteIdent(schema)} TO ${owner}`,
    `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${service}`,
    `GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${service}`,
  ];
  for (const grant of grants) {
    await db.query(grant);
    done.push(`${grant};`);
  }
  return { done, ownerUrl, serviceUrl };
}

/** Creates a login role with a new password, which it returns; an existing role is left as it is. */
async function ensureRole(db: Queryable, name: string, done: string[]): Promise<string | null> {
  const { rows } = await db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
  if (rows.length) {
    done.push(`Role ${name} exists: left as it is, its password unchanged.`);
    return null;
  }
  // base64url: letters, digits, - and _, safe inside the quotes and in an address.
  const password = randomBytes(24).toString("base64url");
  await db.query(`CREATE ROLE ${quoteIdent(name)} LOGIN PASSWORD '${password}'`);
  done.push(`Created role ${name} (LOGIN, with a new password).`);
  return password;
}

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import PgBoss from "pg-boss";
import { type Database, openDatabase, quoteIdent } from "../../src/server/db/database";
import { createRoles } from "../../src/server/db/roles";
import { applyProgramConfig } from "../../src/server/programs";
import { readSettings } from "../../src/server/settings";
import { startService } from "../../src/server/start";
import { acmeConfig, engines, KEYS } from "./harness";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const onPostgres = engines().includes("postgres") ? describe : describe.skip;
const DATABASE_URL = process.env.DATABASE_URL as string;

// Starting the service migrates a schema, and the last test runs tsx: slow on a busy machine.
jest.setTimeout(240_000);

/** Names of our own: roles are the whole cluster's, and other suites run at the same time. */
const unique = (prefix: string) => `${prefix}_${randomBytes(5).toString("hex")}`;

/** The address with a search_path, so that both roles work in the test's schema. */
function inSchema(url: string, schema: string): string {
  const at = new URL(url);
  at.searchParams.set("options", `-c search_path=${schema}`);
  return at.toString();
}

/** Drops the schemas and the roles a test made. */
async function dropAll(admin: Database, schema: string, roles: string[]) {
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_pgboss`)} CASCADE`);
  for (const role of roles) {
    const { rows } = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
    if (!rows.length) continue;
    await admin.query(`DROP OWNED BY ${quoteIdent(role)} CASCADE`);
    await admin.query(`DROP ROLE ${quoteIdent(role)}`);
  }
}

describe("DATABASE_OWNER_URL", () => {
  it("needs DATABASE_URL, the service's own role", () => {
    expect(() => readSettings({ DATABASE_OWNER_URL: "postgresql://owner@db/x" })).toThrow(
      "Bad settings: DATABASE_OWNER_URL: DATABASE_OWNER_URL needs DATABASE_URL, the service's own role",
    );
    expect(() =>
      readSettings({ DATABASE_URL: "postgresql://s@db/x", DATABASE_OWNER_URL: "mysql://o@db/x" }),
    ).toThrow("DATABASE_OWNER_URL is a postgresql:// address");
  });
});

onPostgres("the service's database role (postgres)", () => {
  const schema = unique("t_roles");
  const owner = unique("t_owner");
  const service = unique("t_service");
  let admin: Database;
  let app: FastifyInstance;
  let url: string;
  let serviceDb: Database;
  /** A connection of the service's role, as an attacker holding its password would have. */
  let asService: pg.Client;
  let created: Awaited<ReturnType<typeof createRoles>>;

  beforeAll(async () => {
    admin = await openDatabase({ url: DATABASE_URL, schema });
    created = await createRoles(admin, DATABASE_URL, { owner, service });
    const settings = readSettings({
      PORT: "0",
      DATABASE_URL: inSchema(created.serviceUrl, schema),
      DATABASE_OWNER_URL: inSchema(created.ownerUrl, schema),
    });
    const started = await startService(settings, { logger: false });
    ({ app, url, db: serviceDb } = started);
    await applyProgramConfig(started.db, acmeConfig);
    asService = new pg.Client({ connectionString: settings.DATABASE_URL });
    await asService.connect();
  });
  afterAll(async () => {
    await asService?.end();
    await app?.close();
    await dropAll(admin, schema, [service, owner]);
    await admin.close();
  });

  const refused = (sql: string) => expect(asService.query(sql)).rejects.toMatchObject({ code: "42501" });
  const headers = { authorization: `Bearer ${KEYS.admin}` };

  it("runs the whole service: migrated by the owner, an upload applied by the worker, the log read", async () => {
    const { rows: who } = await asService.query(
      "SELECT current_user AS role, current_schema() AS schema, (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log' AND schemaname = current_schema()) AS audit_owner",
    );
    expect(who[0]).toEqual({ role: service, schema, audit_owner: owner });

    // More rows than an upload applies within its request: pg-boss's worker applies them.
    const rows = 2_500;
    const csv = [
      "partner_email,partner_key,first_name,territory",
      ...Array.from({ length: rows }, (_, i) => `r${i}@example.com,r${i},R${i},North`),
    ].join("\n");
    const upload = await fetch(`${url}/v1/import/partners`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/csv" },
      body: csv,
    });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    let imp: { status: string; counts: Record<string, number> };
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      imp = (await (await fetch(`${url}/v1/imports/${id}`, { headers })).json()) as typeof imp;
    } while (imp.status === "processing");
    expect(imp).toMatchObject({ status: "completed", counts: { rows, created: rows, skipped: 0 } });

    const log = await fetch(`${url}/v1/audit-log`, { headers });
    expect(log.status).toBe(200);
    const entries = ((await log.json()) as { data: { action: string; import_id: string }[] }).data;
    expect(entries.filter((e) => e.import_id === id).map((e) => e.action)).toEqual([
      "import.completed",
      "import.started",
    ]);

    // pg-boss's upkeep, which the service runs every few minutes: expiring, archiving, dropping jobs.
    const boss = new PgBoss({
      db: { executeSql: (sql, values) => serviceDb.executeSql(sql, values) },
      schema: `${schema}_pgboss`,
      migrate: false,
    });
    await boss.maintain();
  });

  it("may add to the audit log and read it", async () => {
    const { rows } = await asService.query(
      "INSERT INTO audit_log (program_id, actor, action) SELECT id, 'test', 'probe' FROM programs WHERE key = 'acme' RETURNING id",
    );
    const read = await asService.query("SELECT action FROM audit_log WHERE id = $1", [rows[0].id]);
    expect(read.rows).toEqual([{ action: "probe" }]);
  });

  it("refreshes the planner's statistics through the owner's function: ANALYZE is the owner's", async () => {
    const analysed = async () =>
      (
        await asService.query(
          "SELECT analyze_count::int AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'partners'",
        )
      ).rows[0].n as number;
    const before = await analysed();
    await asService.query("SELECT analyse_table('partners')");
    expect(await analysed()).toBe(before + 1);
    // Some of its columns, as an import's growth has them analysed.
    await asService.query("SELECT analyse_table('partners', ARRAY['program_id'])");
    expect(await analysed()).toBe(before + 2);
  });

  it("may not change, remove or empty the audit log, nor alter it or switch its trigger off", async () => {
    await refused("UPDATE audit_log SET actor = 'someone else'");
    await refused("DELETE FROM audit_log");
    await refused("TRUNCATE audit_log");
    await refused("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update");
    await refused("ALTER TABLE audit_log DISABLE TRIGGER ALL");
    await refused("ALTER TABLE audit_log ADD COLUMN note text");
    await refused("DROP TRIGGER audit_log_no_update ON audit_log");
    await refused(
      "CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$",
    );
    const { rows } = await asService.query("SELECT count(*)::int AS n FROM audit_log");
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("will not start when the owner would migrate another schema than the service works in", async () => {
    const settings = readSettings({
      PORT: "0",
      DATABASE_URL: inSchema(created.serviceUrl, schema),
      DATABASE_OWNER_URL: inSchema(created.ownerUrl, "public"),
    });
    await expect(startService(settings, { logger: false })).rejects.toThrow(
      `DATABASE_URL works in schema ${schema} and DATABASE_OWNER_URL in public: give both roles the same search_path`,
    );
  });

  it("may not make schemas or tables, nor write down a migration", async () => {
    await refused(`CREATE SCHEMA ${unique("t_nope")}`);
    await refused("CREATE TABLE nope (id int)");
    await refused("INSERT INTO schema_migrations (version) VALUES ('999_nope')");
  });
});

onPostgres("npm run admin -- create-roles (postgres)", () => {
  const schema = unique("t_roles");
  const owner = unique("t_owner");
  const service = unique("t_service");
  let admin: Database;
  beforeAll(async () => {
    admin = await openDatabase({ url: DATABASE_URL, schema });
  });
  afterAll(async () => {
    await dropAll(admin, schema, [service, owner]);
    await admin.close();
  });

  const run = () =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const { DATABASE_OWNER_URL: _owner, ...env } = process.env;
      execFile(
        TSX,
        ["src/server/admin.ts", "create-roles", "--owner", owner, "--service", service],
        { cwd: ROOT, env: { ...env, DATABASE_URL: inSchema(DATABASE_URL, schema) }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("makes both roles, says what it granted, and prints the two addresses; run again, it leaves them", async () => {
    const first = await run();
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain(`Created role ${owner}`);
    expect(first.stdout).toContain(`Created role ${service}`);
    expect(first.stdout).toContain(`GRANT USAGE ON SCHEMA "${schema}" TO "${service}";`);
    const ownerUrl = first.stdout.match(/^DATABASE_OWNER_URL=(.+)$/m)?.[1] as string;
    const serviceUrl = first.stdout.match(/^DATABASE_URL=(.+)$/m)?.[1] as string;
    for (const [address, role, mayCreate] of [
      [ownerUrl, owner, true],
      [serviceUrl, service, false],
    ] as const) {
      const client = new pg.Client({ connectionString: address });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT current_user AS role, has_database_privilege(current_database(), 'CREATE') AS may_create",
        );
        expect(rows[0]).toEqual({ role, may_create: mayCreate });
      } finally {
        await client.end();
      }
    }

    const again = await run();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Role ${owner} exists: left as it is`);
  });
});

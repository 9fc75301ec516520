import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/server/app";
import { openDatabase } from "../../src/server/db/database";
import { migrate } from "../../src/server/db/migrate";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** DESIGN.md's example program config. */
const CONFIG = {
  program: { key: "acme", name: "Acme Partners", currency: "USD" },
  groups: [
    { key: "default", name: "Default", default: true },
    {
      key: "referral",
      name: "Referral",
      features: ["leads"],
      lead_fields: [{ key: "company_size", type: "number", required: true }],
    },
    {
      key: "resellers",
      name: "Resellers",
      features: ["deals"],
      deal_stages: ["Working", "Negotiation", "Closed won", "Closed lost"],
    },
  ],
  tiers: [{ key: "gold", name: "Gold" }],
  partner_fields: [{ key: "region", type: "text", required: false }],
  currency_rates: { as_of: "2026-11-01", usd_per_unit: { CAD: 0.72, EUR: 1.08 } },
  users: [
    { email: "admin@acme.test", role: "admin", api_key: "acme-local-admin-key-0001" },
    { email: "ops@acme.test", role: "custom", permissions: ["importer"] },
    { email: "pat@agency.test", role: "partner", partner_key: "agency" },
  ],
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Each test starts several tsx processes that each open PGlite and migrate it: a minute or more on a
// busy 2-core machine.
jest.setTimeout(240_000);

describe("npm run admin", () => {
  let dir: string;
  let dataDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "importer-admin-"));
    dataDir = join(dir, "data");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the admin command on PGlite in `dataDir`, as `npx tsx src/server/admin.ts ARGS` would. */
  const admin = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      const { DATABASE_URL: _url, IMPORTER_CONFIG: _config, ...env } = process.env;
      execFile(
        TSX,
        ["src/server/admin.ts", ...args],
        { cwd: ROOT, env: { ...env, IMPORTER_DATA_DIR: dataDir }, timeout: 90_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
      );
    });
  const writeConfig = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return path;
  };
  /** Opens the data directory in this process, once the command has exited and let go of it. */
  async function withDatabase<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) {
    const db = await openDatabase({ dataDir });
    try {
      await migrate(db);
      return await work(db);
    } finally {
      await db.close();
    }
  }
  const snapshot = () =>
    withDatabase(async (db) => ({
      programs: (await db.query("SELECT * FROM programs ORDER BY id")).rows,
      users: (await db.query("SELECT * FROM users ORDER BY id")).rows,
      keys: (await db.query("SELECT * FROM api_keys ORDER BY id")).rows,
      audit: (await db.query("SELECT * FROM audit_log ORDER BY id")).rows,
    }));
  /** GET /v1/me with a key, on a service started in this process on the same data directory. */
  const me = (key: string) =>
    withDatabase(async (db) => {
      const app = await buildApp({ db });
      try {
        const r = await app.inject({
          method: "GET",
          url: "/v1/me",
          headers: { authorization: `Bearer ${key}` },
        });
        return { status: r.statusCode, body: r.json() };
      } finally {
        await app.close();
      }
    });

  it("apply FILE applies a program config, and applying it again changes nothing", async () => {
    const file = writeConfig("config.json", CONFIG);
    const first = await admin("apply", file);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining(`Applied ${file}`) });
    const applied = await snapshot();
    expect(applied.programs).toEqual([
      expect.objectContaining({
        key: "acme",
        name: "Acme Partners",
        currency: "USD",
        catalogue: expect.objectContaining({
          groups: [
            expect.objectContaining({ key: "default" }),
            expect.objectContaining({
              key: "referral",
              lead_fields: [expect.objectContaining({ key: "company_size" })],
            }),
            expect.objectContaining({ key: "resellers", deal_stages: CONFIG.groups[2]?.deal_stages }),
          ],
          partner_fields: [expect.objectContaining({ key: "region" })],
        }),
      }),
    ]);
    expect(applied.users.map((u) => [u.email, u.role])).toEqual([
      ["admin@acme.test", "admin"],
      ["ops@acme.test", "custom"],
      ["pat@agency.test", "partner"],
    ]);
    expect(applied.keys).toHaveLength(1);
    expect(JSON.stringify(applied.keys)).not.toContain("acme-local-admin-key-0001");
    expect((await me("acme-local-admin-key-0001")).status).toBe(200);

    expect((await admin("apply", file)).code).toBe(0);
    expect(await snapshot()).toEqual(applied);
  });

  it("create-key prints a key on its last line that works, and revoke-key ends it", async () => {
    expect((await admin("apply", writeConfig("config.json", CONFIG))).code).toBe(0);
    const created = await admin("create-key", "--program", "acme", "--user", "ops@acme.test");
    expect(created.code).toBe(0);
    const key = created.stdout.trimEnd().split("\n").pop() as string;
    expect(key).toMatch(/^\S{24,}$/);
    expect(await me(key)).toMatchObject({
      status: 200,
      body: { user: { email: "ops@acme.test" }, may_import: true, program: { key: "acme" } },
    });

    const revoked = await admin("revoke-key", "--program", "acme", "--user", "ops@acme.test");
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining("Revoked 1 key") });
    expect(await me(key)).toMatchObject({ status: 401 });
    // The admin's own key is another user's: it still works.
    expect((await me("acme-local-admin-key-0001")).status).toBe(200);

    const again = await admin("revoke-key", "--program", "acme", "--user", "ops@acme.test");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No active key matched/);
  });

  it("exits 2 with the usage for an unknown command, option, or a missing argument, and touches no data", async () => {
    for (const args of [
      [],
      ["frobnicate"],
      ["apply"],
      ["create-key", "--program", "acme"],
      ["create-key", "--user", "ops@acme.test"],
      ["create-key", "--program", "acme", "--user", "ops@acme.test", "--colour", "blue"],
      ["revoke-key", "--program", "acme"],
      ["revoke-key", "--user", "ops@acme.test"],
    ]) {
      const run = await admin(...args);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).toContain("Usage: npm run admin -- <command>");
      expect(run.stderr).toContain("create-key --program KEY --user EMAIL");
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it("exits 1 for a bad config file, with a message naming the problem, and applies none of it", async () => {
    const cases: [string, string | object, RegExp][] = [
      ["missing.json", "", /Cannot read the program config .*missing\.json/],
      ["broken.json", "{ not json", /Cannot read the program config .*broken\.json/],
      [
        "bad-group.json",
        { ...CONFIG, groups: [{ key: "two words", name: "Two" }] },
        /groups\.0\.key: a key is letters, digits/,
      ],
      [
        "bad-field.json",
        { ...CONFIG, partner_fields: [{ key: "region", type: "choice" }] },
        /partner_fields\.0\.options: a choice field needs its options/,
      ],
      ["no-program.json", { users: [] }, /program: /],
    ];
    for (const [name, content, message] of cases) {
      const path = name === "missing.json" ? join(dir, name) : writeConfig(name, content);
      const run = await admin("apply", path);
      expect([name, run.code]).toEqual([name, 1]);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain("Usage:");
    }
    expect((await snapshot()).programs).toEqual([]);
  });

  it("leaves alone a PGlite data directory another process holds, and takes over one left behind", async () => {
    mkdirSync(dataDir, { recursive: true });
    const lock = join(dataDir, "importer.pid");
    writeFileSync(lock, String(process.pid));
    const refused = await admin("apply", writeConfig("config.json", CONFIG));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The data directory ${dataDir} is in use by process ${process.pid}`);
    expect(readFileSync(lock, "utf8")).toBe(String(process.pid));

    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(lock, String(gone));
    expect((await admin("apply", join(dir, "config.json"))).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect((await snapshot()).programs).toHaveLength(1);
  });

  it("exits 1 naming the user when create-key is asked for one the program does not have", async () => {
    expect((await admin("apply", writeConfig("config.json", CONFIG))).code).toBe(0);
    const run = await admin("create-key", "--program", "acme", "--user", "nobody@acme.test");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no user nobody@acme\.test in program acme/);
    expect((await snapshot()).keys).toHaveLength(1);
  });
});

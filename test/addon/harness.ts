/**
 * The real add-on bundle (dist/addon) in the emulator, against a real importer service in a process of
 * its own (on embedded PGlite, or on PostgreSQL in a schema of its own), with the demo program and a key
 * for each kind of user.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { USER_SETTINGS } from "../../src/addon/settingsKeys";
import type { CallLog } from "../../src/emulator/calls";
import type { VirtualClock } from "../../src/emulator/execution";
import { AddonHost, type Manifest } from "../../src/emulator/host";
import { type ServiceProcess, spawnService } from "../../src/emulator/serviceProcess";
import type { LockTable } from "../../src/emulator/services/lock";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { type Engine, engines } from "../server/harness";
import { postgresSchema } from "../server/serviceProcess";

export { type Engine, engines };

const ROOT = join(__dirname, "..", "..");
const dist = join(ROOT, "dist", "addon");

export const KEYS = {
  admin: "addon-test-admin-key-0001",
  ops: "addon-test-ops-key-0002",
  viewer: "addon-test-viewer-key-0003",
  partner: "addon-test-partner-key-0004",
} as const;

export interface TestService {
  url: string;
  process: ServiceProcess;
  /** GET from the service's REST API as the admin. */
  get<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The importer service with the demo program (groups, lead fields, stages, rates) and test users, on
 * PGlite, or on the PostgreSQL server at DATABASE_URL in a schema of its own (dropped by stop).
 */
export async function startService(engine: Engine = "pglite"): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), "addon-"));
  const program = JSON.parse(readFileSync(join(ROOT, "src/emulator/demo/program.json"), "utf8"));
  program.users = [
    { email: "admin@demo.test", role: "admin", api_key: KEYS.admin },
    { email: "ops@demo.test", role: "custom", permissions: ["importer"], api_key: KEYS.ops },
    { email: "viewer@demo.test", role: "custom", permissions: [], api_key: KEYS.viewer },
    { email: "pat@agency.test", role: "partner", partner_key: "agency", api_key: KEYS.partner },
  ];
  const config = join(dir, "program.json");
  writeFileSync(config, JSON.stringify(program));
  const database = engine === "postgres" ? await postgresSchema("a") : null;
  const service = await spawnService({
    IMPORTER_DATA_DIR: join(dir, "data"),
    IMPORTER_CONFIG: config,
    DATABASE_URL: database?.url ?? "",
  });
  return {
    url: service.url,
    process: service,
    async get(path) {
      const response = await fetch(`${service.url}${path}`, {
        headers: { authorization: `Bearer ${KEYS.admin}` },
      });
      return response.json();
    },
    async stop() {
      await service.stop();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AddonOptions {
  /** The service to reach; without one, the add-on is not set up. */
  url?: string;
  key?: string;
  workbook?: Workbook;
  /** The document's properties, shared by "executions" that stand for the same spreadsheet. */
  documentStore?: Record<string, string>;
  userStore?: Record<string, string>;
  calls?: CallLog;
  /** Who is at the keyboard (Session); collaborators on one spreadsheet differ by it. */
  userEmail?: string;
  /** The spreadsheet's locks and clock, shared by the hosts that stand for people in it. */
  locks?: LockTable;
  clock?: VirtualClock;
  /** A short wall time before a fetch fails with Google's Timeout (charged 60 s all the same). */
  urlFetchTimeoutMs?: number;
}

/** dist/addon/Code.js in a host whose manifest lets it reach the test service. */
export function loadAddonFor(options: AddonOptions = {}): AddonHost {
  const manifest = JSON.parse(readFileSync(join(dist, "appsscript.json"), "utf8")) as Manifest;
  const base = options.url ? `${options.url.replace(/\/$/, "")}/` : undefined;
  const user =
    options.userStore ??
    (base ? { [USER_SETTINGS.url]: base, [USER_SETTINGS.apiKey]: options.key ?? KEYS.admin } : {});
  return new AddonHost({
    code: readFileSync(join(dist, "Code.js"), "utf8"),
    readHtml: (name) => {
      try {
        return readFileSync(join(dist, `${name}.html`), "utf8");
      } catch {
        return undefined;
      }
    },
    manifest: {
      ...manifest,
      urlFetchWhitelist: [...(manifest.urlFetchWhitelist ?? []), ...(base ? [base] : [])],
    },
    workbook: options.workbook ?? new Workbook(),
    stores: { user, document: options.documentStore ?? {}, script: {} },
    ...(options.calls ? { calls: options.calls } : {}),
    ...(options.userEmail ? { userEmail: options.userEmail } : {}),
    ...(options.locks ? { locks: options.locks } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.urlFetchTimeoutMs !== undefined ? { urlFetchTimeoutMs: options.urlFetchTimeoutMs } : {}),
  });
}

/** Runs a sidebar call; its value, or throws the message the sidebar would show. */
export function call<T = any>(host: AddonHost, name: string, ...args: unknown[]): T {
  const outcome = host.runFromSidebar(name, args);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value as T;
}

/**
 * Drives an import as the sidebar does: an import is reviewed first (Import asks first) and started with
 * the fingerprint the confirmation showed, a dry run starts at once; then continue until it is no longer
 * running.
 */
export function runImport(host: AddonHost, choice: object, dryRun = false): any {
  const confirmed = dryRun ? null : call(host, "reviewImport", choice).fingerprint;
  let progress = call(host, "startImport", choice, dryRun, confirmed);
  const seen = [progress];
  while (progress.status === "running") {
    progress = call(host, "continueImport");
    seen.push(progress);
  }
  return Object.assign(progress, { steps: seen.length });
}

type CellValue = import("../../src/emulator/spreadsheet/cell").CellValue;
type SheetData = import("../../src/emulator/spreadsheet/sheetData").SheetData;

/** The columns of `partnerRows`: ten, as a real partner sheet has. */
export const PARTNER_HEADERS = [
  "partner_email",
  "partner_key",
  "first_name",
  "last_name",
  "partner_joined_date",
  "group_key",
  "tier_key",
  "tags",
  "region",
  "shipping_address_postal",
] as const;

/**
 * `n` partner rows under PARTNER_HEADERS, keys and emails starting with `prefix`; with `badEvery`, every
 * that-many-th row has an email without a domain and the one after it a region the program does not have.
 */
export function partnerRows(n: number, prefix: string, badEvery = 0): CellValue[][] {
  const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;
  return Array.from({ length: n }, (_, i) => {
    const bad = badEvery > 0 && i % badEvery === badEvery - 1;
    const badRegion = badEvery > 0 && i % badEvery === 0 && i > 0;
    return [
      bad ? `${prefix}${i}@` : `${prefix}${i}@example.com`,
      `${prefix}-${i}`,
      pick(["Ada", "Bryn", "Chen", "Dana", "Emeka"], i),
      pick(["Jones", "Lee", "Okafor", "Silva"], i),
      new Date(Date.UTC(2020 + (i % 5), i % 12, 1 + (i % 28))),
      pick(["default", "referral", "resellers"], i),
      pick(["silver", "gold", ""], i),
      pick(["", "launch", "emea, saas"], i),
      badRegion ? "Mars" : pick(["AMER", "EMEA", "APAC"], i),
      String(10000 + (i % 89999)),
    ];
  });
}

/**
 * Puts a header row and rows into a tab as cell values (a Date as a date cell, a string as text), as a
 * paste of values would, sized to fit: far faster than typing 100,000 rows in with writeRows.
 */
export function fillSheet(
  sheet: SheetData,
  headers: readonly string[],
  rows: readonly (readonly CellValue[])[],
): void {
  const lines = [headers, ...rows];
  sheet.maxRows = Math.max(sheet.maxRows, lines.length);
  sheet.maxColumns = Math.max(sheet.maxColumns, ...lines.map((line) => line.length));
  sheet.putValues(1, lines);
}

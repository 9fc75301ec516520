/**
 * The real add-on bundle (dist/addon) in the emulator, against a real importer service on embedded
 * PGlite in a process of its own, with the demo program and a key for each kind of user.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { USER_SETTINGS } from "../../src/addon/settingsKeys";
import type { CallLog } from "../../src/emulator/calls";
import { AddonHost, type Manifest } from "../../src/emulator/host";
import { type ServiceProcess, spawnService } from "../../src/emulator/serviceProcess";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

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

/** The importer service with the demo program (groups, lead fields, stages, rates) and test users. */
export async function startService(): Promise<TestService> {
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
  const service = await spawnService({
    IMPORTER_DATA_DIR: join(dir, "data"),
    IMPORTER_CONFIG: config,
    DATABASE_URL: "",
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
  });
}

/** Runs a sidebar call; its value, or throws the message the sidebar would show. */
export function call<T = any>(host: AddonHost, name: string, ...args: unknown[]): T {
  const outcome = host.runFromSidebar(name, args);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value as T;
}

/** Drives an import as the sidebar does: start, then continue until it is no longer running. */
export function runImport(host: AddonHost, choice: object, dryRun = false): any {
  let progress = call(host, "startImport", choice, dryRun);
  const seen = [progress];
  while (progress.status === "running") {
    progress = call(host, "continueImport");
    seen.push(progress);
  }
  return Object.assign(progress, { steps: seen.length });
}

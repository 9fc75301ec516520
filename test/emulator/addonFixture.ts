import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AddonHost, type HostOptions, type Manifest } from "../../src/emulator/host";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

const dist = join(__dirname, "..", "..", "dist", "addon");

/** The real built add-on, as the tests' global set-up built it. */
export function loadAddon(options: { workbook?: Workbook; user?: Record<string, string> } = {}) {
  return new AddonHost({
    code: readFileSync(join(dist, "Code.js"), "utf8"),
    readHtml: (name) => {
      try {
        return readFileSync(join(dist, `${name}.html`), "utf8");
      } catch {
        return undefined;
      }
    },
    manifest: JSON.parse(readFileSync(join(dist, "appsscript.json"), "utf8")) as Manifest,
    workbook: options.workbook ?? new Workbook(),
    stores: { user: options.user ?? {}, document: {}, script: {} },
  });
}

/**
 * A host for a small script of a test's own (no manifest rules unless given), closed after each test of
 * the file that asked for them.
 */
export function scriptHosts(): (code: string, options?: Partial<HostOptions>) => AddonHost {
  const hosts: AddonHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });
  return (code, options = {}) => {
    const host = new AddonHost({
      code,
      readHtml: () => "<p>page</p>",
      manifest: {},
      workbook: new Workbook(),
      stores: { user: {}, document: {}, script: {} },
      ...options,
    });
    hosts.push(host);
    return host;
  };
}

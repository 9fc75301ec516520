import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AddonHost, type Manifest } from "../../src/emulator/host";
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

// build.mjs itself: what it refuses, and how it sets the service's address. Builds go to temp folders.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Each test runs esbuild in a process of its own: seconds each on a busy 2-core machine.
jest.setTimeout(120_000);

const root = join(__dirname, "../..");
const buildScript = join(root, "build.mjs");
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "addon-build-"));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** This process's environment without build settings, plus the given ones. */
function buildEnv(settings: Record<string, string> = {}) {
  const { IMPORTER_PUBLIC_URL: _url, IMPORTER_PREVIEW: _preview, ...env } = process.env;
  return { ...env, ...settings };
}

/** Runs `node build.mjs ARGS` with only the given build settings in the environment. */
function runBuildCli(args: string[], settings: Record<string, string> = {}) {
  return spawnSync(process.execPath, [buildScript, ...args], {
    cwd: root,
    env: buildEnv(settings),
    encoding: "utf8",
  });
}

/** Calls the exported build() with the given options, in a separate Node (jest cannot import .mjs). */
function runBuildFunction(options: Record<string, unknown>) {
  const script = `import { build } from ${JSON.stringify(pathToFileURL(buildScript).href)};
await build(${JSON.stringify(options)}).catch((error) => { console.error(error.message); process.exit(1); });`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: buildEnv(),
    encoding: "utf8",
  });
}

function builtWhitelist(outDir: string): string[] {
  return JSON.parse(readFileSync(join(outDir, "appsscript.json"), "utf8")).urlFetchWhitelist;
}

describe("IMPORTER_PUBLIC_URL", () => {
  test.each([
    ["an http:// address", "http://importer.acme.test/", /must be an https:\/\/ address/],
    ["something that is not an address", "importer.acme.test", /not an address/],
    ["a loopback address", "https://127.0.0.1:8787/", /loopback/],
  ])("refuses %s and writes nothing", (_case, url, message) => {
    const outDir = join(scratch, "out");
    const result = runBuildCli([`--outdir=${outDir}`], { IMPORTER_PUBLIC_URL: url });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(existsSync(outDir)).toBe(false);
  });

  test("becomes the whitelist, normalised to end with /", () => {
    const result = runBuildCli([`--outdir=${scratch}`], {
      IMPORTER_PUBLIC_URL: "https://importer.acme.test/base",
    });
    expect(result.stderr).toBe("");
    expect(builtWhitelist(scratch)).toEqual(["https://importer.acme.test/base/"]);
  });

  test("with --preview, the local service is allowed too", () => {
    const result = runBuildCli([`--outdir=${scratch}`, "--preview"], {
      IMPORTER_PUBLIC_URL: "https://importer.acme.test",
    });
    expect(result.status).toBe(0);
    expect(builtWhitelist(scratch)).toEqual(["https://importer.acme.test/", "http://127.0.0.1:8787/"]);
  });

  test("when unset, the root manifest's whitelist is kept", () => {
    const rootManifest = JSON.parse(readFileSync(join(root, "appsscript.json"), "utf8"));
    const result = runBuildCli([`--outdir=${scratch}`]);
    expect(result.status).toBe(0);
    expect(builtWhitelist(scratch)).toEqual(rootManifest.urlFetchWhitelist);
  });

  test("--deploy refuses to build without it", () => {
    const result = runBuildCli([`--outdir=${scratch}`, "--deploy"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/--deploy needs IMPORTER_PUBLIC_URL/);
  });
});

describe("the entry-point list", () => {
  test("must match the entry module's exports both ways", () => {
    const entry = join(scratch, "main.ts");
    writeFileSync(entry, "export function onOpen(): void {}\nexport function helper(): void {}\n");
    const result = runBuildFunction({
      addonEntry: entry,
      entryPoints: ["onOpen", "showImporter"],
      outDir: join(scratch, "out"),
      typecheck: false,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/"showImporter" is listed but .* does not export it/);
    expect(result.stderr).toMatch(/exports "helper", which is not in the entry-point list/);
    expect(existsSync(join(scratch, "out"))).toBe(false);
  });

  test("builds when they match", () => {
    const entry = join(scratch, "main.ts");
    writeFileSync(entry, "export function onOpen(): void {}\n");
    const outDir = join(scratch, "out");
    const result = runBuildFunction({ addonEntry: entry, entryPoints: ["onOpen"], outDir, typecheck: false });
    expect(result.stderr).toBe("");
    expect(readFileSync(join(outDir, "Code.js"), "utf8")).toMatch(/^function onOpen\(\)/m);
  });
});

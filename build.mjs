// Builds the add-on into dist/addon, the folder clasp pushes: Code.js (one script, no modules),
// Sidebar.html (one self-contained page) and appsscript.json (with the service's address).
//
//   node build.mjs [--preview] [--deploy] [--outdir=DIR]
//
// --preview (or IMPORTER_PREVIEW=1) also lets UrlFetchApp reach the local service; --deploy requires
// IMPORTER_PUBLIC_URL. A failed build writes nothing.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import vm from "node:vm";
import * as esbuild from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));

/** The global the bundle's exports hang on; the top-level entry-point functions call into it. */
export const GLOBAL_NAME = "ChannelImporter";
/** Where the preview's importer service listens. */
export const PREVIEW_SERVICE_URL = "http://127.0.0.1:8787/";
/** DESIGN budgets, in bytes. */
export const SIZE_BUDGETS = { "Code.js": 200 * 1024, "Sidebar.html": 150 * 1024 };

export class BuildError extends Error {
  name = "BuildError";
}

/**
 * Builds dist/addon and returns what it wrote. Options default to the environment
 * (IMPORTER_PUBLIC_URL, IMPORTER_PREVIEW=1); addonEntry and entryPoints exist for tests.
 */
export async function build({
  preview = process.env.IMPORTER_PREVIEW === "1",
  deploy = false,
  publicUrl = process.env.IMPORTER_PUBLIC_URL,
  outDir = join(root, "dist/addon"),
  addonEntry = join(root, "src/addon/main.ts"),
  entryPoints,
  typecheck = true,
  log = console.log,
} = {}) {
  const rootManifest = JSON.parse(readFileSync(join(root, "appsscript.json"), "utf8"));
  const manifest = addonManifest(rootManifest, { publicUrl, preview, deploy });
  const names = entryPoints ?? (await loadEntryPoints(join(root, "src/addon/entryPoints.ts")));

  if (typecheck) typecheckSidebar();
  const outputs = {
    "Code.js": await bundleAddon(addonEntry, names, manifest),
    "Sidebar.html": await buildSidebarPage(join(root, "sidebar/index.html")),
    "appsscript.json": `${JSON.stringify(manifest, null, 2)}\n`,
  };

  const sizes = Object.fromEntries(
    Object.entries(outputs).map(([file, text]) => [file, Buffer.byteLength(text)]),
  );
  const overBudget = Object.entries(SIZE_BUDGETS).filter(([file, budget]) => sizes[file] > budget);
  if (overBudget.length > 0) {
    const lines = overBudget.map(
      ([file, budget]) => `${file} is ${kb(sizes[file])}, over its ${kb(budget)} budget`,
    );
    throw new BuildError(`${lines.join("; ")} (DESIGN.md, Budgets).`);
  }

  // dist/ is ours to clear, so files from an older build never reach clasp; other folders only get written to.
  if (isInside(outDir, join(root, "dist"))) rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [file, text] of Object.entries(outputs)) writeFileSync(join(outDir, file), text);

  const shown = relative(process.cwd(), outDir) || ".";
  for (const [file, budget] of Object.entries(SIZE_BUDGETS)) {
    log(`${join(shown, file).padEnd(28)} ${kb(sizes[file]).padStart(9)}  (budget ${kb(budget)})`);
  }
  log(
    `${join(shown, "appsscript.json").padEnd(28)} urlFetchWhitelist: ${manifest.urlFetchWhitelist.join(", ")}`,
  );
  return { outDir, sizes, manifest, entryPoints: names };
}

/** The manifest to ship: the root one, with urlFetchWhitelist set for this deployment. */
export function addonManifest(rootManifest, { publicUrl, preview = false, deploy = false }) {
  const given = typeof publicUrl === "string" && publicUrl.trim() !== "";
  if (deploy && !given) {
    throw new BuildError(
      "--deploy needs IMPORTER_PUBLIC_URL, the importer service's public https:// address " +
        "(e.g. IMPORTER_PUBLIC_URL=https://importer.acme.com/ npm run deploy).",
    );
  }
  if (deploy && preview) {
    throw new BuildError("--deploy and --preview exclude each other: a deployment cannot reach 127.0.0.1.");
  }

  const whitelist = given ? [publicServiceUrl(publicUrl)] : [...(rootManifest.urlFetchWhitelist ?? [])];
  if (preview && !whitelist.includes(PREVIEW_SERVICE_URL)) whitelist.push(PREVIEW_SERVICE_URL);
  return { ...rootManifest, urlFetchWhitelist: whitelist };
}

/** Checks IMPORTER_PUBLIC_URL and normalises it to the prefix form the whitelist wants (ends with /). */
export function publicServiceUrl(value) {
  const text = value.trim();
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new BuildError(
      `IMPORTER_PUBLIC_URL is not an address: "${text}". Expected e.g. https://importer.acme.com/.`,
    );
  }
  if (url.protocol !== "https:") {
    throw new BuildError(
      `IMPORTER_PUBLIC_URL must be an https:// address (Apps Script's urlFetchWhitelist only takes https), got "${text}".`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new BuildError(
      `IMPORTER_PUBLIC_URL must be a plain address without credentials, query or #fragment, got "${text}".`,
    );
  }
  if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname)) {
    throw new BuildError(
      `IMPORTER_PUBLIC_URL must be reachable from Google's servers, not a loopback address: "${text}".`,
    );
  }
  return `${url.origin}${url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`}`;
}

/** Reads the entry-point list from its TypeScript module (Node cannot import .ts itself). */
async function loadEntryPoints(file) {
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "warning",
  });
  const source = result.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  if (!Array.isArray(module.entryPoints)) {
    throw new BuildError(`${relative(root, file)} must export entryPoints, a list of names.`);
  }
  return module.entryPoints;
}

// esbuild strips types without checking them; checking the sidebar also checks the server module
// it is typed from, so a renamed server function fails here instead of in Sheets.
function typecheckSidebar() {
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(root, "sidebar/tsconfig.json")], {
      cwd: root,
      stdio: "pipe",
    });
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim();
    throw new BuildError(
      `the sidebar and the server it calls do not type-check:\n${output || error.message}`,
    );
  }
}

/**
 * Code.js: the add-on as one IIFE, then a top-level function per entry point so Apps Script finds it.
 * The add-on cannot read its own manifest, so the addresses it was built for are written into it.
 */
async function bundleAddon(entry, names, manifest) {
  const bundled = await bundle(entry, {
    format: "iife",
    globalName: GLOBAL_NAME,
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2020",
    // ES2020 has no class fields: esbuild writes each as a __publicField call (a defineProperty) unless
    // fields are plain assignments, as TypeScript makes them without useDefineForClassFields; a checked
    // row is an object with seven fields, made 100,000 times in a Validate of as many rows.
    tsconfigRaw: { compilerOptions: { strict: true, useDefineForClassFields: false } },
    define: { __URL_FETCH_WHITELIST__: JSON.stringify(manifest.urlFetchWhitelist ?? []) },
  });
  assertPlainScript(bundled, "Code.js");
  checkEntryPoints(exportsOf(bundled), names, relative(root, entry));

  const declarations = names.map(
    (name) => `function ${name}() {\n  return ${GLOBAL_NAME}.${name}.apply(this, arguments);\n}\n`,
  );
  const code = `${bundled}\n// Entry points: Apps Script only calls functions declared at the top level.\n${declarations.join("")}`;
  assertPlainScript(code, "Code.js");
  return code;
}

/** What the bundle exports, found by loading it as Apps Script would, but with no services around. */
function exportsOf(code) {
  let exported;
  try {
    exported = vm.runInContext(`${code}\n;${GLOBAL_NAME}`, vm.createContext({}), { filename: "Code.js" });
  } catch (error) {
    throw new BuildError(
      `Code.js throws while loading (${error?.message ?? error}). Module top levels must not call Apps Script ` +
        "services; call them inside functions.",
    );
  }
  return Object.fromEntries(Object.keys(exported).map((name) => [name, typeof exported[name]]));
}

/** The entry-point list and the entry module's exports must name the same functions. */
export function checkEntryPoints(exportTypes, names, entryLabel = "src/addon/main.ts") {
  const problems = [];
  const seen = new Set();
  for (const name of names) {
    if (seen.has(name)) problems.push(`"${name}" is listed twice`);
    seen.add(name);
    if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*$/.test(name)) {
      problems.push(`"${name}" is not a function name`);
    } else if (name.endsWith("_")) {
      problems.push(`"${name}" ends in "_", which makes it private to Apps Script`);
    } else if (name === GLOBAL_NAME) {
      problems.push(`"${name}" is the bundle's own global`);
    }
    if (!(name in exportTypes)) {
      problems.push(`"${name}" is listed but ${entryLabel} does not export it`);
    } else if (exportTypes[name] !== "function") {
      problems.push(`"${name}" is exported by ${entryLabel} but is not a function`);
    }
  }
  for (const name of Object.keys(exportTypes)) {
    if (!seen.has(name)) {
      problems.push(
        `${entryLabel} exports "${name}", which is not in the entry-point list (src/addon/entryPoints.ts)`,
      );
    }
  }
  if (problems.length > 0) throw new BuildError(`entry points do not match:\n  - ${problems.join("\n  - ")}`);
}

/** Apps Script has no modules: the file must compile as a classic script and load nothing. */
function assertPlainScript(code, file) {
  try {
    new vm.Script(code, { filename: file });
  } catch (error) {
    throw new BuildError(`${file} is not a plain script (no import/export may survive): ${error.message}`);
  }
  if (/\bimport\s*\(/.test(code)) {
    throw new BuildError(`${file} contains a dynamic import(), which Apps Script cannot run.`);
  }
  if (/\b__require\b/.test(code)) {
    throw new BuildError(`${file} calls require() for a dependency; Apps Script has none.`);
  }
}

/** Sidebar.html: index.html with its stylesheet and script inlined, so HtmlService serves one file. */
async function buildSidebarPage(htmlFile) {
  const folder = dirname(htmlFile);
  // Comments in index.html are notes for whoever edits it, not part of the page.
  const html = readFileSync(htmlFile, "utf8").replace(/[ \t]*<!--[\s\S]*?-->\n?/g, "");
  const inlined = [];
  let page = html.replace(/<link\s+rel="stylesheet"\s+href="([^"]+)"\s*\/?>/g, (_tag, href) => {
    inlined.push(href);
    const css = readFileSync(resolve(folder, href), "utf8").replace(/<\/style/gi, "<\\/style");
    return `<style>\n${css}</style>`;
  });
  const scripts = [];
  for (const match of page.matchAll(/<script\s+src="([^"]+\.ts)"\s*><\/script>/g)) {
    inlined.push(match[1]);
    scripts.push([match[0], await bundleSidebarScript(resolve(folder, match[1]))]);
  }
  for (const [tag, js] of scripts) page = page.replace(tag, () => `<script>\n${js}</script>`);

  const leftover = /<link\b[^>]*>|<script\b[^>]*\bsrc=[^>]*>/i.exec(page);
  if (leftover) {
    throw new BuildError(`Sidebar.html must be self-contained, but still refers to a file: ${leftover[0]}`);
  }
  if (inlined.length === 0) {
    throw new BuildError(`${relative(root, htmlFile)} names no stylesheet or script to inline.`);
  }
  return page;
}

async function bundleSidebarScript(file) {
  const js = await bundle(file, { format: "iife", platform: "browser", target: "es2020" });
  // Inside <script>, "</script" ends the element and "<!--" can start an escaped state; neither may appear.
  const escaped = js.replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--");
  assertPlainScript(escaped, relative(root, file));
  return escaped;
}

async function bundle(entry, options) {
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      charset: "utf8",
      logLevel: "warning",
      ...options,
    });
    return result.outputFiles[0].text;
  } catch (error) {
    throw new BuildError(`esbuild could not bundle ${relative(root, entry)} (see above): ${error.message}`);
  }
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function isInside(path, folder) {
  const fromFolder = relative(folder, resolve(path));
  return fromFolder !== "" && !fromFolder.startsWith("..") && !fromFolder.startsWith("/");
}

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        preview: { type: "boolean", default: process.env.IMPORTER_PREVIEW === "1" },
        deploy: { type: "boolean", default: false },
        outdir: { type: "string" },
      },
    }));
  } catch (error) {
    throw new BuildError(`${error.message}\nusage: node build.mjs [--preview] [--deploy] [--outdir=DIR]`);
  }
  await build({
    preview: values.preview,
    deploy: values.deploy,
    ...(values.outdir ? { outDir: resolve(values.outdir) } : {}),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof BuildError ? `build failed: ${error.message}` : error);
    process.exitCode = 1;
  });
}

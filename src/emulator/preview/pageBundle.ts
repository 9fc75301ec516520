import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import * as esbuild from "esbuild";

const ROOT = join(__dirname, "..", "..", "..");
const PAGE = join(__dirname, "page");

/** The preview's page, built: what the server serves at /, and the bridge it puts into the sidebar. */
export interface PageAssets {
  "index.html": string;
  "preview.js": string;
  "preview.css": string;
  /** google.script for the sidebar: inlined into /sidebar, not served on its own. */
  "bridge.js": string;
}

/**
 * Bundles src/emulator/preview/page with esbuild when the preview starts (a fraction of a second), and
 * leaves a copy in dist/preview to look at. Done here rather than in build.mjs, which builds what ships.
 */
export async function bundlePage(outDir = join(ROOT, "dist", "preview")): Promise<PageAssets> {
  const result = await esbuild.build({
    entryPoints: [
      { in: join(PAGE, "main.ts"), out: "preview" },
      { in: join(PAGE, "preview.css"), out: "preview" },
      { in: join(PAGE, "bridge.ts"), out: "bridge" },
    ],
    bundle: true,
    write: false,
    outdir: outDir,
    format: "iife",
    platform: "browser",
    target: "es2022",
    charset: "utf8",
    logLevel: "silent",
  });
  const files = Object.fromEntries(result.outputFiles.map((file) => [basename(file.path), file.text]));
  const assets: PageAssets = {
    "index.html": readFileSync(join(PAGE, "index.html"), "utf8"),
    "preview.js": required(files, "preview.js"),
    "preview.css": required(files, "preview.css"),
    "bridge.js": required(files, "bridge.js"),
  };
  try {
    mkdirSync(outDir, { recursive: true });
    for (const [name, text] of Object.entries(assets)) writeFileSync(join(outDir, name), text);
  } catch {
    // The copy is for people to look at; the server serves from memory.
  }
  return assets;
}

function required(files: Record<string, string>, name: string): string {
  const text = files[name];
  if (text === undefined) throw new Error(`Bundling the preview page gave no ${name}.`);
  return text;
}

// What ships: dist/addon as built by test/globalSetup.ts (npm run build --preview).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { entryPoints } from "../../src/addon/entryPoints";

const dist = join(__dirname, "../../dist/addon");
const code = readFileSync(join(dist, "Code.js"), "utf8");
const sidebarPage = readFileSync(join(dist, "Sidebar.html"), "utf8");
const manifest = JSON.parse(readFileSync(join(dist, "appsscript.json"), "utf8"));

/** Code.js loaded into a context that holds only the given globals. */
function loadCodeJs(globals: Record<string, unknown> = {}): vm.Context {
  const context = vm.createContext({ ...globals });
  vm.runInContext(code, context, { filename: "Code.js" });
  return context;
}

type RecordedMenu = { items: [caption: string, handler: string][]; addedToUi: boolean };

/** Just enough of SpreadsheetApp and HtmlService to record what the add-on asks of them. */
function fakeSheets() {
  const menus: RecordedMenu[] = [];
  const sidebars: { file: string; title: string | undefined }[] = [];
  const ui = {
    createAddonMenu() {
      const recorded: RecordedMenu = { items: [], addedToUi: false };
      menus.push(recorded);
      const menu = {
        addItem(caption: string, handler: string) {
          recorded.items.push([caption, handler]);
          return menu;
        },
        addSeparator() {
          recorded.items.push(["(separator)", ""]);
          return menu;
        },
        addToUi() {
          recorded.addedToUi = true;
        },
      };
      return menu;
    },
    createMenu() {
      throw new Error("an add-on must use createAddonMenu()");
    },
    showSidebar(page: { file: string; title: string | undefined }) {
      sidebars.push({ file: page.file, title: page.title });
    },
  };
  const HtmlService = {
    createHtmlOutputFromFile(file: string) {
      const page = {
        file,
        title: undefined as string | undefined,
        setTitle(title: string) {
          page.title = title;
          return page;
        },
      };
      return page;
    },
  };
  return { globals: { SpreadsheetApp: { getUi: () => ui }, HtmlService }, menus, sidebars };
}

const importerMenu = [
  ["Open importer", "showImporter"],
  ["Insert template headers", "insertTemplateHeaders"],
  ["Validate sheet", "validateSheet"],
  ["Clear highlights", "clearHighlights"],
  ["Settings", "showSettings"],
];

describe("Code.js", () => {
  test("loads into an empty context and defines onOpen and onInstall", () => {
    const context = loadCodeJs();
    expect(typeof context.onOpen).toBe("function");
    expect(typeof context.onInstall).toBe("function");
  });

  test("is a plain script: no import or export survives", () => {
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    expect(code).not.toMatch(/\bimport\s*\(/);
  });

  test("declares exactly the entry points as top-level functions", () => {
    const declared = [...code.matchAll(/^function\s+([\w$]+)\s*\(/gm)].map((match) => match[1]);
    expect(declared.sort()).toEqual([...entryPoints].sort());
    const context = loadCodeJs();
    for (const name of entryPoints) expect(typeof context[name]).toBe("function");
  });
});

describe("the add-on menu", () => {
  test("onOpen builds Extensions › Channel Importer with only SpreadsheetApp at hand (AuthMode.NONE)", () => {
    // No PropertiesService, ScriptApp or document here: touching them in onOpen throws.
    const sheets = fakeSheets();
    const context = loadCodeJs({ SpreadsheetApp: sheets.globals.SpreadsheetApp });
    context.onOpen({ authMode: "NONE" });
    expect(sheets.menus).toEqual([{ items: importerMenu, addedToUi: true }]);
  });

  test("onInstall adds the same menu", () => {
    const sheets = fakeSheets();
    const context = loadCodeJs(sheets.globals);
    context.onInstall({ authMode: "FULL" });
    expect(sheets.menus).toEqual([{ items: importerMenu, addedToUi: true }]);
  });

  test("every menu item runs a top-level function of Code.js", () => {
    const context = loadCodeJs();
    for (const [, handler] of importerMenu) expect(typeof context[handler as string]).toBe("function");
  });

  test("Open importer shows Sidebar.html as a sidebar titled Channel Importer", () => {
    const sheets = fakeSheets();
    const context = loadCodeJs(sheets.globals);
    context.showImporter();
    expect(sheets.sidebars).toEqual([{ file: "Sidebar", title: "Channel Importer" }]);
  });
});

describe("appsscript.json", () => {
  test("asks for exactly the three scopes and runs on V8", () => {
    expect(manifest.runtimeVersion).toBe("V8");
    expect([...manifest.oauthScopes].sort()).toEqual([
      "https://www.googleapis.com/auth/script.container.ui",
      "https://www.googleapis.com/auth/script.external_request",
      "https://www.googleapis.com/auth/spreadsheets.currentonly",
    ]);
  });

  test("the preview build lets UrlFetchApp reach the local service", () => {
    expect(manifest.urlFetchWhitelist).toContain("http://127.0.0.1:8787/");
  });
});

describe("Sidebar.html", () => {
  const inlineScripts = [...sidebarPage.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => match[1] ?? "",
  );

  test("is self-contained: no file or address is loaded", () => {
    expect(sidebarPage).not.toMatch(/<link\b/i);
    expect(sidebarPage).not.toMatch(/<script\b[^>]*\bsrc=/i);
    expect(sidebarPage).not.toMatch(/@import\b|url\(\s*["']?(https?:)?\/\//i);
    expect(sidebarPage).toMatch(/<style>[\s\S]*\S[\s\S]*<\/style>/);
    expect(inlineScripts.length).toBeGreaterThan(0);
  });

  test("its inline script compiles and cannot end the script element early", () => {
    expect((sidebarPage.match(/<script\b/gi) ?? []).length).toBe(
      (sidebarPage.match(/<\/script/gi) ?? []).length,
    );
    for (const script of inlineScripts) expect(() => new vm.Script(script)).not.toThrow();
  });

  test("has a labelled Object type select with the six objects", () => {
    const label = /<label\s+for="([^"]+)">\s*Object type\s*<\/label>/.exec(sidebarPage);
    expect(label).not.toBeNull();
    const select = new RegExp(`<select\\b[^>]*\\bid="${label?.[1]}"[^>]*>([\\s\\S]*?)</select>`).exec(
      sidebarPage,
    );
    expect(select).not.toBeNull();
    const options = [...(select?.[1] ?? "").matchAll(/<option\b[^>]*>([^<]*)<\/option>/g)].map((match) =>
      match[1]?.trim(),
    );
    expect(options).toEqual(["Partners", "Customers", "Transactions", "Rewards", "Leads", "Deals"]);
  });
});

describe("Code.js's classes", () => {
  it("keep their fields as plain properties: no WeakMap or defineProperty helper a field", () => {
    // ES2020 (the bundle's target) has no class fields: esbuild would write a `#` field as a WeakMap
    // lookup, and every field as a __publicField call, in classes made once a row (rows.ts, keyIndex.ts).
    for (const helper of ["__privateGet", "__privateSet", "__privateAdd", "__publicField", "new WeakMap"])
      expect([helper, code.includes(helper)]).toEqual([helper, false]);
    expect(code.startsWith('"use strict";')).toBe(true);
  });
});

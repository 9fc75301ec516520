import { types } from "node:util";
import type { AddonHost } from "../../src/emulator/host";
import { loadAddon, scriptHosts } from "./addonFixture";

describe("the real add-on bundle in the emulator", () => {
  let host: AddonHost;
  afterEach(() => host?.close());

  it.each(["NONE", "LIMITED"] as const)(
    "builds the Extensions › Channel Importer menu in onOpen under %s",
    (mode) => {
      host = loadAddon();
      host.openDocument(mode);
      expect(host.menu).toMatchObject({ title: "Channel Importer", placement: "extensions" });
      expect(host.menu?.items).toEqual([
        { caption: "Open importer", functionName: "showImporter" },
        { caption: "Insert template headers", functionName: "insertTemplateHeaders" },
        { caption: "Validate sheet", functionName: "validateSheet" },
        { caption: "Clear highlights", functionName: "clearHighlights" },
        { caption: "Settings", functionName: "showSettings" },
      ]);
      for (const name of host.menu?.items.map((i) => ("functionName" in i ? i.functionName : "")) ?? [])
        expect(host.hasFunction(name)).toBe(true);
    },
  );

  it("opens the sidebar from the built Sidebar.html", () => {
    host = loadAddon();
    host.runMenuItem("showImporter");
    expect(host.sidebar?.title).toBe("Channel Importer");
    expect(host.sidebar?.html).toContain("Object type");
  });

  it("holds the JavaScript built-ins and the Apps Script services, and nothing of Node", () => {
    host = loadAddon();
    for (const name of [
      "require",
      "process",
      "Buffer",
      "setTimeout",
      "fetch",
      "URL",
      "TextEncoder",
      "module",
    ])
      expect([name, host.globalType(name)]).toEqual([name, "undefined"]);
    for (const name of [
      "SpreadsheetApp",
      "UrlFetchApp",
      "PropertiesService",
      "HtmlService",
      "Utilities",
      "JSON",
      "Intl",
    ])
      expect([name, host.globalType(name)]).toEqual([name, "object"]);
    expect(host.globalType("Date")).toBe("function");
  });

  it("allows the sidebar with full or limited authorization, and only the menu under NONE", () => {
    host = loadAddon();
    expect(() => host.run("showImporter", [], "LIMITED")).not.toThrow();
    expect(() => host.run("showImporter", [], "NONE")).toThrow(/You do not have permission to call/);
  });

  it("counts the calls onOpen makes", () => {
    host = loadAddon();
    host.openDocument("NONE");
    expect(host.calls.total("SpreadsheetApp")).toBeLessThanOrEqual(1);
    expect(host.calls.count("SpreadsheetApp.getUi")).toBe(1);
  });

  it("runs under the manifest's oauthScopes, so a call outside them would be refused", () => {
    host = loadAddon();
    expect(host.options.manifest.oauthScopes).toEqual([
      "https://www.googleapis.com/auth/spreadsheets.currentonly",
      "https://www.googleapis.com/auth/script.container.ui",
      "https://www.googleapis.com/auth/script.external_request",
    ]);
    host.openDocument("LIMITED");
    host.runMenuItem("showImporter");
    expect(host.sidebar?.title).toBe("Channel Importer");
    expect(host.executions.map((e) => [e.name, e.trigger, e.error])).toEqual([
      ["onOpen", "simple", undefined],
      ["showImporter", "other", undefined],
    ]);
  });
});

describe("the script's built-ins and services", () => {
  const hostFor = scriptHosts();
  const NAMES = [
    "Math",
    "JSON",
    "Array",
    "Object",
    "Number",
    "String",
    "Map",
    "Set",
    "RegExp",
    "Intl",
    "Reflect",
  ];
  const CODE = `
    function builtIns() { return [${NAMES.join(", ")}]; }
    function ownRealm() {
      return [
        [].constructor === Array,
        ({}).constructor === Object,
        /x/.constructor === RegExp,
        Object.getPrototypeOf(Math) === Object.prototype,
        Object.getPrototypeOf(JSON) === Object.prototype,
        Object.getPrototypeOf(Map.prototype) === Object.prototype,
      ];
    }
    function withoutGlobalProperties() {
      for (const name of ${JSON.stringify([...NAMES, "SpreadsheetApp", "Date"])}) delete globalThis[name];
      return [${[...NAMES, "SpreadsheetApp", "Date"].map((name) => `typeof ${name}`).join(", ")}];
    }
    function replaceMath() { Math = { max: () => -1 }; return Math.max(2, 3); }
    function maxOf(a, b) { return Math.max(a, b); }`;

  it("are the context's own intrinsics, not proxies nor another realm's", () => {
    const host = hostFor(CODE);
    const values = host.run("builtIns") as object[];
    for (const [i, name] of NAMES.entries()) expect([name, types.isProxy(values[i])]).toEqual([name, false]);
    for (const [i, name] of NAMES.entries())
      expect([name, values[i] === globalThis[name as "Math"]]).toEqual([name, false]);
    expect(host.run("ownRealm")).toEqual([true, true, true, true, true, true]);
  });

  it("are bound in the script's own scope, so V8 reaches them without the vm global's interceptors", () => {
    // Node's vm routes a lookup on a context's global object through interceptors that V8 cannot cache
    // (tens of times slower); a binding of the script scope is found first, whatever the global holds.
    const host = hostFor(CODE);
    expect(host.run("withoutGlobalProperties")).toEqual([
      ...NAMES.map((name) => (["Math", "JSON", "Intl", "Reflect"].includes(name) ? "object" : "function")),
      "object",
      "function",
    ]);
  });

  it("start again in each execution's fresh global scope", () => {
    const host = hostFor(CODE);
    expect(host.run("replaceMath")).toBe(-1);
    expect(host.run("maxOf", [2, 3])).toBe(3);
  });
});

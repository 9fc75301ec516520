/**
 * Contract tests for the rules the host holds the add-on to beyond time: no UI from simple triggers,
 * the manifest's oauthScopes, the daily quotas, and what google.script.run cannot send.
 */
import { Worker } from "node:worker_threads";
import { DAILY_QUOTAS, Quotas } from "../../src/emulator/execution";
import { scriptHosts } from "./addonFixture";

const hostFor = scriptHosts();

const UI = `
  function ui() { return SpreadsheetApp.getUi(); }
  function page() { return HtmlService.createHtmlOutput("<p>hi</p>"); }
  const opens = {
    sidebar: () => ui().showSidebar(page()),
    modal: () => ui().showModalDialog(page(), "Title"),
    modeless: () => ui().showModelessDialog(page(), "Title"),
    alert: () => ui().alert("Hello"),
    prompt: () => ui().prompt("Name?"),
  };
  function onOpen(e) {
    ui().createAddonMenu().addItem("Open", "open").addToUi();
    opens[e.what]();
  }
  function onEdit(e) { opens[e.what](); }
  function open(what) { opens[what](); return "shown"; }`;

describe("no UI from simple triggers (https://developers.google.com/apps-script/guides/triggers#restrictions)", () => {
  test.each([
    ["sidebar", "Ui.showSidebar"],
    ["modal", "Ui.showModalDialog"],
    ["modeless", "Ui.showModelessDialog"],
    ["alert", "Ui.alert"],
    ["prompt", "Ui.prompt"],
  ])("onOpen and onEdit may not open a %s; the menu is built", (what, api) => {
    const host = hostFor(UI);
    const message = `You do not have permission to call ${api}. Required permissions: https://www.googleapis.com/auth/script.container.ui`;
    expect(() => host.run("onOpen", [{ what }], "LIMITED")).toThrow(message);
    expect(host.menu?.items).toEqual([{ caption: "Open", functionName: "open" }]);
    expect(() => host.run("onEdit", [{ what }], "LIMITED")).toThrow(message);
    expect(host.sidebar).toBeNull();
    expect(host.alerts).toEqual([]);
    // The same call from a menu item or the sidebar is allowed.
    expect(host.run("open", [what])).toBe("shown");
  });
});

describe("the manifest's oauthScopes (https://developers.google.com/apps-script/concepts/scopes)", () => {
  const CODE = `
    function sheet() { return SpreadsheetApp.getActiveSpreadsheet().getName(); }
    function fetch() { try { UrlFetchApp.fetch("https://example.invalid/"); } catch (e) { return e.message; } }
    function sidebar() { SpreadsheetApp.getUi().showSidebar(HtmlService.createHtmlOutput("x")); return "shown"; }
    function email() { return Session.getActiveUser().getEmail(); }
    function menu() { SpreadsheetApp.getUi().createAddonMenu().addItem("A", "sheet").addToUi(); return "built"; }`;

  test("a call that needs a scope outside them is refused with Google's message", () => {
    const host = hostFor(CODE, {
      manifest: { oauthScopes: ["https://www.googleapis.com/auth/spreadsheets.currentonly"] },
    });
    expect(host.run("sheet")).toBe("Untitled spreadsheet");
    expect(host.run("menu")).toBe("built");
    expect(host.run("fetch")).toBe(
      "You do not have permission to call UrlFetchApp.fetch. Required permissions: https://www.googleapis.com/auth/script.external_request",
    );
    expect(() => host.run("sidebar")).toThrow(
      "You do not have permission to call Ui.showSidebar. Required permissions: https://www.googleapis.com/auth/script.container.ui",
    );
    expect(() => host.run("email")).toThrow(
      "You do not have permission to call User.getEmail. Required permissions: https://www.googleapis.com/auth/userinfo.email",
    );
    expect(host.calls.count("UrlFetchApp.fetch")).toBe(0);
  });

  test("spreadsheets.currentonly or spreadsheets will do for SpreadsheetApp; neither is refused", () => {
    const full = hostFor(CODE, {
      manifest: { oauthScopes: ["https://www.googleapis.com/auth/spreadsheets"] },
    });
    expect(full.run("sheet")).toBe("Untitled spreadsheet");
    const none = hostFor(CODE, {
      manifest: { oauthScopes: ["https://www.googleapis.com/auth/script.external_request"] },
    });
    expect(() => none.run("sheet")).toThrow(
      "You do not have permission to call SpreadsheetApp.getActiveSpreadsheet. Required permissions: (https://www.googleapis.com/auth/spreadsheets.currentonly || https://www.googleapis.com/auth/spreadsheets)",
    );
  });

  test("without oauthScopes, Apps Script asks for what the code uses: nothing is refused", () => {
    const host = hostFor(CODE, { userEmail: "ann@example.com" });
    expect(host.run("sidebar")).toBe("shown");
    expect(host.run("email")).toBe("ann@example.com");
  });
});

describe("daily quotas, per user (https://developers.google.com/apps-script/guides/services/quotas)", () => {
  let server: Worker;
  let url = "";
  beforeAll(async () => {
    // A fetch blocks this thread until it is answered, so the server (an empty 200 for everything)
    // runs on a thread of its own.
    server = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const server = require("node:http").createServer((req, res) => res.end());
       server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));`,
      { eval: true },
    );
    const port = await new Promise<number>((resolve) => server.once("message", resolve));
    url = `http://127.0.0.1:${port}/`;
  });
  afterAll(() => server.terminate());

  const FETCH = `
    function fetchOnce(url) { try { return UrlFetchApp.fetch(url).getResponseCode(); } catch (e) { return e.message; } }
    function fetchTwo(url) { try { return UrlFetchApp.fetchAll([url, url]).length; } catch (e) { return e.message; } }`;

  test("URL fetches past 20,000 a day are refused with Google's message, for every host of the user", () => {
    const quotas = new Quotas();
    const mine = hostFor(FETCH, { quotas, userEmail: "ann@example.com" });
    const alsoMine = hostFor(FETCH, { quotas, userEmail: "ann@example.com" });
    const theirs = hostFor(FETCH, { quotas, userEmail: "bob@example.com" });
    quotas.useUrlFetches("ann@example.com", DAILY_QUOTAS.urlFetchCalls - 2);
    expect(mine.run("fetchOnce", [url])).toBe(200);
    expect(alsoMine.run("fetchTwo", [url])).toBe("Service invoked too many times for one day: urlfetch.");
    expect(alsoMine.run("fetchOnce", [url])).toBe(200);
    expect(mine.run("fetchOnce", [url])).toBe("Service invoked too many times for one day: urlfetch.");
    expect(quotas.used("ann@example.com").urlFetchCalls).toBe(DAILY_QUOTAS.urlFetchCalls);
    expect(theirs.run("fetchOnce", [url])).toBe(200);
    quotas.nextDay();
    expect(mine.run("fetchTwo", [url])).toBe(2);
  });

  test("simple triggers stop past 90 minutes of runtime a day; other executions do not count", () => {
    const quotas = new Quotas();
    // 400 Spreadsheet calls: 20 s projected.
    const host = hostFor(
      `function onEdit() { for (let i = 0; i < 400; i++) SpreadsheetApp.getActiveSpreadsheet(); }
       function menuItem() { for (let i = 0; i < 400; i++) SpreadsheetApp.getActiveSpreadsheet(); return "ran"; }`,
      { quotas, userEmail: "ann@example.com" },
    );
    host.run("onEdit", [{}], "LIMITED");
    expect(quotas.used("ann@example.com").triggerRuntimeMs).toBe(20_000);
    expect(host.runMenuItem("menuItem")).toBe("ran");
    expect(quotas.used("ann@example.com").triggerRuntimeMs).toBe(20_000);
    quotas.addTriggerRuntime("ann@example.com", DAILY_QUOTAS.triggerRuntimeMs - 30_000);
    // 10 s left: the call that passes them ends the trigger; the next trigger does not start.
    expect(() => host.run("onEdit", [{}], "LIMITED")).toThrow(
      "Service using too much computer time for one day",
    );
    expect(host.executions.at(-1)).toMatchObject({ name: "onEdit", projectedMs: 10_050 });
    expect(() => host.run("onEdit", [{}], "LIMITED")).toThrow(
      "Service using too much computer time for one day",
    );
    expect(host.executions.at(-1)).toMatchObject({ projectedMs: 0 });
    expect(host.runMenuItem("menuItem")).toBe("ran");
    quotas.nextDay();
    expect(() => host.run("onEdit", [{}], "LIMITED")).not.toThrow();
  });
});

describe("google.script.run and circular values", () => {
  const CODE = `
    function echo(value) { return "called"; }
    function loop() { const o = { rows: [] }; o.rows.push(o); return o; }`;

  test("a circular argument fails to the failure handler, and the function never runs", () => {
    const host = hostFor(CODE);
    const value: Record<string, unknown> = { a: 1 };
    value.again = value;
    expect(host.runFromSidebar("echo", [value])).toEqual({
      ok: false,
      error: "Failed due to illegal value in property: again (the value contains itself)",
    });
    expect(host.executions).toEqual([]);
  });

  test("a circular return value fails to the failure handler", () => {
    const host = hostFor(CODE);
    expect(host.runFromSidebar("loop", [])).toEqual({
      ok: false,
      error: "Failed due to illegal value in property: rows.0 (the value contains itself)",
    });
  });
});

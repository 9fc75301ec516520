import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Manifest } from "../../src/emulator/host";
import { PreviewDocument } from "../../src/emulator/preview/previewDocument";
import type { ActionResult, PreviewState } from "../../src/emulator/preview/protocol";
import { type PreviewServer, startPreviewServer, withBridge } from "../../src/emulator/preview/server";
import { parseDelimited } from "../../src/emulator/preview/sheetEdits";
import { USER_SETTINGS } from "../../src/emulator/preview/userSettings";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

const dist = join(__dirname, "..", "..", "dist", "addon");

/** A preview document over a bundle written for the test (the real one has no onEdit yet). */
function documentWith(code: string, workbook = new Workbook()) {
  const changes: number[] = [];
  const logs: string[] = [];
  const document = new PreviewDocument({
    code,
    manifest: {},
    readHtml: () => undefined,
    workbook,
    properties: { user: {}, document: {}, script: {} },
    firstOpen: false,
    onChange: () => changes.push(1),
    log: (line) => logs.push(line),
  });
  return { document, changes, logs };
}

describe("the preview server", () => {
  let dir: string;
  let server: PreviewServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "preview-"));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (serviceUrl = "http://127.0.0.1:8787") => {
    server = await startPreviewServer({
      dataDir: dir,
      port: 0,
      serviceUrl,
      apiKey: "demo-key",
      log: () => {},
    });
    return server;
  };
  const post = async (path: string, body: unknown) => {
    const response = await (server as PreviewServer).app.inject({
      method: "POST",
      url: path,
      payload: body as object,
    });
    return { status: response.statusCode, json: response.json() as ActionResult & { error?: string } };
  };
  const state = async () =>
    (await (server as PreviewServer).app.inject({ method: "GET", url: "/api/state" })).json() as PreviewState;
  const cells = async (sheetId: number, from = 1, to = 50) =>
    (
      await (server as PreviewServer).app.inject({
        method: "GET",
        url: `/api/sheets/${sheetId}/cells?from=${from}&to=${to}`,
      })
    ).json().cells as {
      row: number;
      column: number;
      text?: string;
      kind?: string;
      note?: string;
      formula?: string;
    }[];
  const text = async (sheetId: number, row: number, column: number) =>
    (await cells(sheetId, row, row)).find((c) => c.column === column)?.text;

  it("opens a new user's demo workbook with the add-on's menu and the service saved in the user settings", async () => {
    await start("http://127.0.0.1:9999");
    const first = await state();
    expect(first.sheets.map((s) => s.name)).toEqual(["Partners", "Customers"]);
    expect(first.sheets[0]).toMatchObject({ frozenRows: 1, lastRow: 7 });
    expect(first.menus[0]?.items.map((i) => ("caption" in i ? i.caption : ""))).toContain("Open importer");
    expect(await text(0, 4, 1)).toBe("farid@@skyline.test");
    expect((await cells(0, 1, 1))[0]?.note).toMatch(/mistakes/);

    const saved = JSON.parse(readFileSync(join(dir, "properties.json"), "utf8"));
    expect(saved.user).toEqual({
      [USER_SETTINGS.url]: "http://127.0.0.1:9999",
      [USER_SETTINGS.apiKey]: "demo-key",
    });
    expect((server as PreviewServer).document.host.options.manifest.urlFetchWhitelist).toContain(
      "http://127.0.0.1:9999/",
    );
  });

  it("reads typed input as Sheets does: numbers, dates, and an apostrophe for text", async () => {
    await start();
    await post("/api/sheets/0/cell", { row: 10, column: 1, input: "02134" });
    await post("/api/sheets/0/cell", { row: 10, column: 2, input: "'02134" });
    await post("/api/sheets/0/cell", { row: 10, column: 3, input: "2025-01-31" });
    const row = await cells(0, 10, 10);
    expect(row.map((c) => [c.text, c.kind])).toEqual([
      ["2134", "number"],
      ["02134", undefined],
      ["2025-01-31", "number"],
    ]);
  });

  it("reads 1,000, $12.50, 50%, +1 and spaced numbers as numbers, shown in the format they imply", async () => {
    await start();
    const inputs = ["1,000", "$12.50", "50%", "+1", " 42 "];
    for (const [i, input] of inputs.entries())
      await post("/api/sheets/0/cell", { row: 10, column: i + 1, input });
    const row = await cells(0, 10, 10);
    expect(row.map((c) => [c.text, c.kind])).toEqual([
      ["1,000", "number"],
      ["$12.50", "number"],
      ["50%", "number"],
      ["1", "number"],
      ["42", "number"],
    ]);
  });

  it("refuses a cell of more than 50,000 characters, typed or pasted, with Google's message", async () => {
    await start();
    const tooLong = "x".repeat(50_001);
    const typed = await post("/api/sheets/0/cell", { row: 10, column: 1, input: tooLong });
    expect(typed).toEqual({
      status: 400,
      json: {
        ok: false,
        error: "Your input contains more than the maximum of 50000 characters in a single cell.",
      },
    });
    const pasted = await post("/api/sheets/0/paste", { row: 10, column: 1, text: `a\t${tooLong}` });
    expect(pasted.status).toBe(400);
    expect(await cells(0, 10, 10)).toEqual([]);
  });

  it("adds, renames and deletes tabs, with Sheets' rules for names", async () => {
    await start();
    const added = await post("/api/sheets", {});
    const sheet = added.json.state.sheets.at(-1);
    expect(sheet?.name).toBe("Sheet3");
    expect(added.json.state.activeSheetId).toBe(sheet?.sheetId);
    const id = sheet?.sheetId as number;
    expect(
      (await post(`/api/sheets/${id}/name`, { name: "Q3 partners" })).json.state.sheets.at(-1)?.name,
    ).toBe("Q3 partners");
    for (const [name, error] of [
      ["partners", 'A sheet with the name "partners" already exists. Please enter another name.'],
      [" ", "The sheet name cannot be blank."],
      ["n".repeat(101), "The sheet name cannot be greater than 100 characters."],
    ])
      expect(await post(`/api/sheets/${id}/name`, { name })).toEqual({
        status: 400,
        json: { ok: false, error },
      });

    const remove = async (sheetId: number) =>
      (
        await (server as PreviewServer).app.inject({ method: "DELETE", url: `/api/sheets/${sheetId}` })
      ).json();
    expect((await remove(id)).state.sheets.map((s: { name: string }) => s.name)).toEqual([
      "Partners",
      "Customers",
    ]);
    await remove(0);
    expect(await remove(1)).toEqual({ ok: false, error: "You can't remove all the sheets in a document." });
    expect((await state()).sheets.map((s) => s.name)).toEqual(["Customers"]);
  });

  it("serves the sidebar and its google.script.run calls from another origin than the page's", async () => {
    const preview = await start();
    expect(new URL(preview.sidebarUrl).origin).not.toBe(new URL(preview.url).origin);
    const index = await (await fetch(preview.url)).text();
    expect(index).toContain(`<meta name="sidebar-origin" content="${preview.sidebarUrl}" />`);
    const sidebar = await fetch(`${preview.sidebarUrl}/sidebar`);
    expect(await sidebar.text()).toContain("Object type");
    const ran = await fetch(`${preview.sidebarUrl}/api/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "clearHighlights", args: [] }),
    });
    expect(await ran.json()).toEqual({ ok: true, value: 0 });
    expect((await fetch(`${preview.url}/api/run`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${preview.url}/sidebar`)).status).toBe(404);
  });

  it("pastes tab-separated or CSV text from a cell on, and the tab grows to hold it", async () => {
    await start();
    const { json } = await post("/api/sheets/1/paste", { row: 999, column: 25, text: "a\tb\tc\n1\t2\t3\n" });
    expect(json.state.selection).toEqual({ row: 999, column: 25, numRows: 2, numColumns: 3 });
    expect(json.state.sheets[1]).toMatchObject({ maxRows: 1000, maxColumns: 27 });
    expect(await text(1, 1000, 27)).toBe("3");
    await post("/api/sheets/1/paste", { row: 20, column: 1, text: 'x,"y, z"\n' });
    expect(await text(1, 20, 2)).toBe("y, z");
    expect(parseDelimited('5" screen\tb')).toEqual([['5" screen', "b"]]);
  });

  it("opens a CSV file as a new active tab named after the file", async () => {
    await start();
    const csv = "partner_email,partner_key\nzoe@x.test,zoe\n";
    const { json } = await post("/api/csv", { name: "partners.csv", text: csv });
    const again = await post("/api/csv", { name: "partners.csv", text: csv });
    const names = again.json.state.sheets.map((s) => s.name);
    expect(names).toEqual(["Partners", "Customers", "partners (2)", "partners (3)"]);
    expect(json.state.activeSheetId).toBe(json.state.sheets[2]?.sheetId);
    expect(await text(json.state.activeSheetId, 2, 1)).toBe("zoe@x.test");

    // A long file name is cut to Sheets' 100 characters, its number included.
    const long = `${"q".repeat(120)}.csv`;
    await post("/api/csv", { name: long, text: csv });
    const twice = await post("/api/csv", { name: long, text: csv });
    expect(twice.json.state.sheets.slice(-2).map((s) => s.name)).toEqual([
      "q".repeat(100),
      `${"q".repeat(96)} (2)`,
    ]);
  });

  it("opens a CSV file converted as typed input, or with conversion off as text exactly as in the file", async () => {
    await start();
    const csv = 'Joined,Amount,Key,Formula,Flag,Blank\n3/18/2026,"$1,234.56",02134,=1+1,TRUE,\n';
    const converted = await post("/api/csv", { name: "converted.csv", text: csv });
    const asText = await post("/api/csv", { name: "as text.csv", text: csv, convert: false });
    expect(asText.status).toBe(200);

    const row = async (sheetId: number) =>
      (await cells(sheetId, 2, 2)).map((c) => [c.text, c.kind ?? "text"]);
    expect(await row(converted.json.state.activeSheetId)).toEqual([
      ["3/18/2026", "number"],
      ["$1,234.56", "number"],
      ["2134", "number"],
      [undefined, "text"],
      ["TRUE", "boolean"],
    ]);
    expect((await cells(converted.json.state.activeSheetId, 2, 2))[3]?.formula).toBe("=1+1");
    expect(await row(asText.json.state.activeSheetId)).toEqual([
      ["3/18/2026", "text"],
      ["$1,234.56", "text"],
      ["02134", "text"],
      ["=1+1", "text"],
      ["TRUE", "text"],
    ]);

    // Text values in cells whose format stays Automatic (not plain text): what a script writes into
    // them later is read as input again, as Sheets reads it.
    const sheet = (server as PreviewServer).document.workbook.sheetById(asText.json.state.activeSheetId);
    expect([1, 2, 3, 4, 5].map((c) => sheet?.cell(2, c)?.value)).toEqual([
      "3/18/2026",
      "$1,234.56",
      "02134",
      "=1+1",
      "TRUE",
    ]);
    expect(sheet?.cell(2, 4)?.formula).toBeUndefined();
    expect([1, 2, 3].map((c) => sheet?.cell(2, c)?.numberFormat)).toEqual([undefined, undefined, undefined]);
    expect(sheet?.cell(2, 6)?.value).toBeUndefined();

    const refused = await post("/api/csv", { name: "x.csv", text: csv, convert: "sometimes" });
    expect(refused.status).toBe(400);
  });

  it("runs only the functions the add-on's menu names", async () => {
    await start();
    const { status } = await post("/api/menu", { functionName: "onOpen" });
    expect(status).toBe(400);
    const { json } = await post("/api/menu", { functionName: "showImporter" });
    expect(json.state.sidebar).toEqual({ title: "Channel Importer", seq: 1 });
  });

  it("serves the sidebar with google.script bridged before the page's own script", async () => {
    await start();
    const page = (await (server as PreviewServer).sidebarApp.inject({ method: "GET", url: "/sidebar" })).body;
    expect(page).toContain("Object type");
    expect(page.indexOf("google = { script:")).toBeGreaterThan(-1);
    expect(page.indexOf("google = { script:")).toBeLessThan(page.indexOf("#object-type"));
    expect(withBridge("<p>no head</p><script>x()</script>", "b()")).toMatch(
      /^<p>no head<\/p><script>\nb\(\)/,
    );
  });

  it("keeps the workbook and the settings across a restart, and moves the saved address with the service", async () => {
    await start("http://127.0.0.1:8787");
    await post("/api/sheets/0/cell", { row: 12, column: 2, input: "kept" });
    await (server as PreviewServer).close();
    await start("http://127.0.0.1:8797");
    expect(await text(0, 12, 2)).toBe("kept");
    expect((server as PreviewServer).document.properties.user[USER_SETTINGS.url]).toBe(
      "http://127.0.0.1:8797",
    );

    (server as PreviewServer).document.properties.user[USER_SETTINGS.url] = "https://importer.acme.com";
    await post("/api/sheets/0/select", {});
    await (server as PreviewServer).close();
    await start("http://127.0.0.1:8787");
    expect((server as PreviewServer).document.properties.user[USER_SETTINGS.url]).toBe(
      "https://importer.acme.com",
    );
  });

  it("runs the real bundle's menu from the built add-on", async () => {
    const manifest = JSON.parse(readFileSync(join(dist, "appsscript.json"), "utf8")) as Manifest;
    expect(manifest.urlFetchWhitelist).toContain("http://127.0.0.1:8787/");
    await start();
    // Validate sheet needs the sidebar's choice of object, so it opens the sidebar, which validates.
    const { json } = await post("/api/menu", { functionName: "validateSheet" });
    expect(json.state.sidebar).toMatchObject({ seq: 1, title: "Channel Importer" });
    expect(json.state.alert).toBeNull();
  });
});

describe("a person's edits in the preview", () => {
  const onEditBundle = `
    function onOpen() {}
    function onEdit(e) {
      var note = [e.authMode, e.range.getSheet().getName(), e.range.getA1Notation(), e.value, e.oldValue].join(" ");
      e.range.getSheet().getRange("Z1").setValue(note);
    }`;

  it("run the add-on's onEdit with the edited Range, the value and the old value", () => {
    const { document } = documentWith(onEditBundle);
    document.setCell(0, 2, 3, "first");
    document.setCell(0, 2, 3, "second");
    expect(document.workbook.sheets[0]?.cell(1, 26)?.value).toBe("LIMITED Sheet1 C2 second first");
    document.paste(0, 5, 1, "a,b\nc,d");
    expect(document.workbook.sheets[0]?.cell(1, 26)?.value).toBe("LIMITED Sheet1 A5:B6  ");
  });

  it("keep the edit when onEdit fails, and tell the add-on's author", () => {
    const { document, logs } = documentWith(
      "function onOpen() {} function onEdit() { throw new Error('boom'); }",
    );
    const result = document.setCell(0, 1, 1, "typed");
    expect(result.ok).toBe(true);
    expect(document.workbook.sheets[0]?.cell(1, 1)?.value).toBe("typed");
    expect(logs).toEqual(["The add-on's onEdit failed: boom"]);
  });

  it("clear contents but keep notes and backgrounds", () => {
    const { document } = documentWith("function onOpen() {}");
    const sheet = document.workbook.sheets[0];
    document.setCell(0, 1, 1, "x");
    sheet?.updateCells({ row: 1, column: 1, numRows: 1, numColumns: 1 }, (cell) => {
      cell.note = "kept";
      cell.background = "#ff0000";
    });
    document.clear(0, { row: 1, column: 1, numRows: 2, numColumns: 2 });
    expect(sheet?.cell(1, 1)).toEqual({ note: "kept", background: "#ff0000" });
  });

  it("bump the version for changed cells, not for a moved selection", () => {
    const { document, changes } = documentWith("function onOpen() {}");
    const before = document.version;
    document.select(0, { row: 3, column: 2, numRows: 1, numColumns: 1 });
    expect(document.version).toBe(before);
    expect(changes.length).toBe(1);
    expect(document.state().selection).toEqual({ row: 3, column: 2, numRows: 1, numColumns: 1 });
    document.setCell(0, 1, 1, "x");
    expect(document.version).toBe(before + 1);
  });
});

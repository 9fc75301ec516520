import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { DEMO_API_KEY } from "../../src/emulator/demo/seed";
import { type PreviewServer, startPreviewServer } from "../../src/emulator/preview/server";
import { USER_SETTINGS } from "../../src/emulator/preview/userSettings";
import { allowedByWhitelist } from "../../src/emulator/services/whitelist";
import { type RunningPreview, startPreview } from "../../src/emulator/start";
import {
  darkPixels,
  describeInChromium,
  holdingProxy,
  launchChromium,
  newPreviewPage,
  openCsv as openCsvIn,
  paste,
  spawnPreview,
} from "./previewPage";

/**
 * The keywords HtmlService's IFRAME mode sandboxes a sidebar with (allow-top-navigation-by-user-activation
 * is for stand-alone scripts only): https://developers.google.com/apps-script/guides/html/restrictions
 */
const HTML_SERVICE_SANDBOX = [
  "allow-same-origin",
  "allow-forms",
  "allow-scripts",
  "allow-popups",
  "allow-downloads",
  "allow-modals",
  "allow-popups-to-escape-sandbox",
];

describeInChromium("npm start's preview, in Chromium", () => {
  let dataDir: string;
  let running: RunningPreview;
  /** The preview server now serving: the one npm start started, or one restarted over the same data. */
  let preview: PreviewServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "preview-e2e-"));
    running = await startPreview({ dataDir, servicePort: 0, previewPort: 0, log: () => {} });
    preview = running.preview;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (preview && preview !== running?.preview) await preview.close();
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  beforeEach(async () => {
    page = await newPreviewPage(browser);
    page.setDefaultTimeout(15_000);
  });
  afterEach(async () => {
    await page?.close();
  });

  const grid = () => page.getByRole("grid");
  /** Waits until the name box shows a reference: where the selection is. */
  const nameBox = (a1: string) =>
    page
      .locator("#name-box")
      .filter({ hasText: new RegExp(`^${a1}$`) })
      .waitFor();
  const cell = (name: string) => page.getByRole("gridcell", { name, exact: true });

  /** `Open CSV file`, as a person clicks it and picks a file. */
  const openCsv = (name: string, text: string) => openCsvIn(page, name, text);

  it("loads a CSV file as a new tab, then opens the importer sidebar from Extensions › Channel Importer", async () => {
    await page.goto(preview.url);
    await cell("farid@@skyline.test").waitFor();
    await expectTabs(["Partners", "Customers"]);

    await openCsv("q3-partners.csv", "partner_email,partner_key,region\nzoe@zenith.test,zenith,EMEA\n");
    await cell("zoe@zenith.test").waitFor();
    await cell("zenith").waitFor();

    await page.getByRole("menuitem", { name: "Extensions" }).click();
    await page.getByRole("menuitem", { name: "Channel Importer" }).click();
    const items = page.getByRole("menu", { name: "Channel Importer" }).getByRole("menuitem");
    expect(await items.allTextContents()).toEqual([
      "Open importer",
      "Insert template headers",
      "Validate sheet",
      "Clear highlights",
      "Settings",
    ]);
    await page.getByRole("menuitem", { name: "Open importer" }).click();

    const sidebar = page.getByRole("complementary", { name: "Channel Importer" });
    await sidebar.waitFor();
    const objectType = sidebar.frameLocator("iframe").getByLabel("Object type");
    await objectType.waitFor();
    expect(await objectType.locator("option").allTextContents()).toEqual([
      "Partners",
      "Customers",
      "Transactions",
      "Rewards",
      "Leads",
      "Deals",
    ]);
    expect((await sidebar.locator("iframe").boundingBox())?.width).toBe(300);

    await sidebar.getByRole("button", { name: "Close sidebar" }).click();
    await sidebar.waitFor({ state: "hidden" });
  });

  it("saves a working service address and demo key in the user settings, which the fetch whitelist lets through", async () => {
    const user = preview.document.properties.user;
    const url = user[USER_SETTINGS.url] ?? "";
    expect(url).toBe(running.serviceUrl);
    expect(
      allowedByWhitelist(`${url}/v1/partners`, preview.document.host.options.manifest.urlFetchWhitelist),
    ).toBe(true);
    const response = await fetch(`${url}/v1/partners?limit=1`, {
      headers: { authorization: `Bearer ${user[USER_SETTINGS.apiKey]}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it("bridges google.script.run from the sidebar to the add-on, with handlers called as Google calls them", async () => {
    await page.goto(preview.url);
    await page.getByRole("menuitem", { name: "Extensions" }).click();
    await page.getByRole("menuitem", { name: "Channel Importer" }).click();
    await page.getByRole("menuitem", { name: "Open importer" }).click();
    const frame = page.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
    await frame.getByLabel("Object type").waitFor();
    const outcome = await frame.locator("body").evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          type Runner = {
            withSuccessHandler(f: (value: unknown, user: string) => void): Runner;
            withFailureHandler(f: (error: Error) => void): Runner;
            withUserObject(o: string): Runner;
            clearHighlights(): void;
            noSuchFunction(): void;
          };
          const run = (window as unknown as { google: { script: { run: Runner } } }).google.script.run;
          run
            .withSuccessHandler((value: unknown, user: string) => {
              seen.push(`ok ${String(value)} ${user}`);
              run
                .withFailureHandler((error: Error) => {
                  seen.push(`failed ${error.message}`);
                  resolve(seen);
                })
                .noSuchFunction();
            })
            .withUserObject("u1")
            .clearHighlights();
          seen.push("called");
        }),
    );
    // clearHighlights answers how many cells it restored: none here.
    expect(outcome).toEqual(["called", "ok 0 u1", "failed Script function not found: noSuchFunction"]);
  });

  it("edits a cell and pastes rows, and the workbook survives a restart of the preview server", async () => {
    await page.goto(preview.url);
    await page.getByRole("tab", { name: "Customers" }).click();
    await page.getByRole("tab", { name: "Customers", selected: true }).waitFor();
    await cell("cus_2003").waitFor();

    // Type into A6 and press Enter: 02134 reads as a number, as in Sheets.
    await page.locator('.cell[data-row="6"][data-column="1"]').click();
    await page.keyboard.type("02134");
    await page.keyboard.press("Enter");
    await nameBox("A7");
    await cell("2134").waitFor();

    // Paste tab-separated rows at A8, then CSV at A12.
    await page.locator('.cell[data-row="8"][data-column="1"]').click();
    await paste(page, "pia@example.com\tcus_2004\tagency\nquinn@example.com\tcus_2005\tnorthwind");
    await cell("quinn@example.com").waitFor();
    await nameBox("A8:C9");
    await page.locator('.cell[data-row="12"][data-column="1"]').click();
    await paste(page, 'rae@example.com,cus_2006,"Rae, Inc."\n');
    await cell("Rae, Inc.").waitFor();

    await preview.close();
    preview = await startPreviewServer({
      dataDir: join(dataDir, "preview"),
      port: 0,
      serviceUrl: running.serviceUrl,
      log: () => {},
    });
    await page.goto(preview.url);
    await page.getByRole("tab", { name: "Customers", selected: true }).waitFor();
    for (const text of ["2134", "pia@example.com", "cus_2005", "Rae, Inc."]) await cell(text).waitFor();
    await expectTabs(["Partners", "Customers", "q3-partners"]);
  });

  it("stays usable with 20,000 rows: scrolled to the bottom, row 20001 is drawn and few rows exist", async () => {
    const lines = ["partner_email,partner_key,first_name"];
    for (let i = 1; i <= 20_000; i++) lines.push(`p${i}@bulk.test,bulk${i},Name ${i}`);
    await page.goto(preview.url);
    await grid().waitFor();
    await openCsv("bulk.csv", `${lines.join("\n")}\n`);
    await cell("p1@bulk.test").waitFor();

    await page.mouse.move(600, 400);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 2000);
    await grid().evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await page.getByRole("rowheader", { name: "20001", exact: true }).waitFor();
    await cell("p20000@bulk.test").waitFor();
    expect(await page.getByRole("row").count()).toBeLessThan(150);

    await grid().focus();
    await page.keyboard.press("Control+Home");
    await cell("p1@bulk.test").waitFor();
    await page.keyboard.press("Control+End");
    await nameBox("C20001");
    await cell("Name 20000").waitFor();
  });

  it("serves the sidebar from another origin, sandboxed as HtmlService's, and Download CSV template downloads the template there", async () => {
    await page.goto(preview.url);
    const sidebar = await openImporter(page);
    const sandbox = await page.locator("#sidebar-frame").getAttribute("sandbox");
    expect(sandbox?.trim().split(/\s+/).sort()).toEqual([...HTML_SERVICE_SANDBOX].sort());
    const origins = await sidebar.locator("body").evaluate(() => ({
      own: location.origin,
      host: (window as unknown as { google: { script: { host: { origin: string } } } }).google.script.host
        .origin,
    }));
    expect(origins).toEqual({ own: new URL(preview.sidebarUrl).origin, host: new URL(preview.url).origin });
    expect(origins.own).not.toBe(origins.host);

    await sidebar.getByLabel("Object type").selectOption({ label: "Customers" });
    const downloading = page.waitForEvent("download");
    await sidebar.getByRole("button", { name: "Download CSV template" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("customers-template.csv");
    const template = await fetch(`${running.serviceUrl}/v1/objects/customers/template.csv`, {
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    });
    expect(readFileSync(await download.path(), "utf8").trim()).toBe((await template.text()).trim());
    await sidebar.getByRole("status").filter({ hasText: "Downloaded customers-template.csv." }).waitFor();
  });

  it("the sidebar's X closes it at once while a google.script.run call runs, and the call finishes in the background", async () => {
    const proxy = await holdingProxy(running.serviceUrl);
    const dir = mkdtempSync(join(tmpdir(), "preview-held-"));
    let held: Awaited<ReturnType<typeof spawnPreview>> | undefined;
    try {
      held = await spawnPreview({ dataDir: dir, serviceUrl: proxy.url, apiKey: DEMO_API_KEY });
      await page.goto(held.url);
      const sidebar = await openImporter(page);
      proxy.hold();
      const answeredBefore = proxy.answered;
      // The call fetches from the service, which holds it: the add-on waits, as on a slow network.
      await sidebar.locator("body").evaluate(() => {
        const run = (window as unknown as { google: { script: { run: { testConnection(): void } } } }).google
          .script.run;
        run.testConnection();
      });
      await until(() => proxy.held > 0, "the call's fetch reached the service");

      const aside = page.getByRole("complementary", { name: "Channel Importer" });
      await aside.getByRole("button", { name: "Close sidebar" }).click();
      await aside.waitFor({ state: "hidden" });
      expect(await page.locator("#sidebar-frame").getAttribute("src")).toBe("about:blank");
      expect(proxy.answered).toBe(answeredBefore);

      proxy.release();
      const stateUrl = `${held.url}/api/state`;
      const sidebarState = async () =>
        ((await (await fetch(stateUrl)).json()) as { sidebar: unknown }).sidebar;
      await until(
        async () => (await sidebarState()) === null,
        "the preview closed the sidebar after the call",
      );
      expect(proxy.answered).toBeGreaterThan(answeredBefore);
      expect(await aside.isHidden()).toBe(true);
    } finally {
      proxy.release();
      await held?.stop();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("adds, renames and deletes tabs, and says why a name is refused", async () => {
    await page.goto(preview.url);
    const before = await page.getByRole("tab").allTextContents();
    await page.getByRole("button", { name: "Add sheet" }).click();
    const added = `Sheet${before.length + 1}`;
    await page.getByRole("tab", { name: added, selected: true }).waitFor();

    await page.getByRole("tab", { name: added }).dblclick();
    await page.getByRole("textbox", { name: "Sheet name" }).fill("customers");
    await page.keyboard.press("Enter");
    await page
      .getByRole("alert")
      .filter({ hasText: 'A sheet with the name "customers" already exists. Please enter another name.' })
      .waitFor();
    await page.getByRole("tab", { name: added, selected: true }).waitFor();

    await page.getByRole("tab", { name: added }).dblclick();
    await page.getByRole("textbox", { name: "Sheet name" }).fill("Q4 partners");
    await page.keyboard.press("Enter");
    await page.getByRole("tab", { name: "Q4 partners", selected: true }).waitFor();
    expect(await page.getByRole("tab").allTextContents()).toEqual([...before, "Q4 partners"]);

    await page.getByRole("tab", { name: "Q4 partners" }).click({ button: "right" });
    await page
      .getByRole("menu", { name: "Q4 partners options" })
      .getByRole("menuitem", { name: "Delete" })
      .click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
    await page.getByRole("tab", { name: "Q4 partners" }).waitFor({ state: "detached" });
    expect(await page.getByRole("tab").allTextContents()).toEqual(before);
    expect(preview.document.workbook.sheets.map((s) => s.name)).toEqual(before);
  });

  it("a cell's text runs over empty cells to its right and stops at a filled one, the active cell's too", async () => {
    await page.goto(preview.url);
    await page.getByRole("button", { name: "Add sheet" }).click();
    await page.getByRole("tab", { selected: true, name: /^Sheet\d+$/ }).waitFor();
    await page.locator('.cell[data-row="1"][data-column="1"]').click();
    const long = "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW";
    await paste(page, `${long}\tb\n${long}`);
    await nameBox("A1:B2");
    await page.locator('.cell[data-row="2"][data-column="2"]').waitFor();
    // A1 active: its border is drawn over its edges, but its text must still end at B1.
    await page.locator('.cell[data-row="1"][data-column="1"]').click();
    await nameBox("A1");

    /** The inside of a cell, away from its edges, its own text (at its left) and the selection's border. */
    const inside = async (row: number, column: number) => {
      // The grid redraws its cells as new elements, so an element found a moment ago may be gone: look again.
      const cell = page.locator(`.cell[data-row="${row}"][data-column="${column}"]`);
      let box = await cell.boundingBox();
      for (let tries = 0; !box && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        box = await cell.boundingBox();
      }
      if (!box) throw new Error(`No cell at row ${row}, column ${column}.`);
      return { x: box.x + 30, y: box.y + 4, width: box.width - 40, height: box.height - 8 };
    };
    expect(await darkPixels(page, await inside(1, 2))).toBe(0);
    expect(await darkPixels(page, await inside(1, 3))).toBe(0);
    expect(await darkPixels(page, await inside(2, 2))).toBeGreaterThan(20);
    expect(await darkPixels(page, await inside(2, 3))).toBeGreaterThan(20);
  });

  /** Waits for a condition, checked every 100 ms, for up to 60 s. */
  async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Waited in vain until ${what}.`);
  }

  /** Extensions › Channel Importer › Open importer; resolves once the sidebar has reached the service. */
  async function openImporter(on: Page): Promise<FrameLocator> {
    await on.getByRole("menuitem", { name: "Extensions" }).click();
    await on.getByRole("menuitem", { name: "Channel Importer" }).click();
    await on.getByRole("menuitem", { name: "Open importer" }).click();
    const sidebar = on.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
    await sidebar.getByRole("status").filter({ hasText: "Connected to Demo Partner Program." }).waitFor();
    return sidebar;
  }

  async function expectTabs(names: string[]): Promise<void> {
    await page.getByRole("tab", { name: names.at(-1), exact: true }).waitFor();
    expect(await page.getByRole("tab").allTextContents()).toEqual(names);
  }
});

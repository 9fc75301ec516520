import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type PreviewServer, startPreviewServer } from "../../src/emulator/preview/server";
import { USER_SETTINGS } from "../../src/emulator/preview/userSettings";
import { allowedByWhitelist } from "../../src/emulator/services/whitelist";
import { type RunningPreview, startPreview } from "../../src/emulator/start";
import {
  describeInChromium,
  launchChromium,
  newPreviewPage,
  openCsv as openCsvIn,
  paste,
} from "./previewPage";

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

  async function expectTabs(names: string[]): Promise<void> {
    await page.getByRole("tab", { name: names.at(-1), exact: true }).waitFor();
    expect(await page.getByRole("tab").allTextContents()).toEqual(names);
  }
});

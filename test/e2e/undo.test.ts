import type { Browser, FrameLocator, Page } from "playwright-core";
import { DEMO_API_KEY } from "../../src/emulator/demo/seed";
import type { ServiceProcess } from "../../src/emulator/serviceProcess";
import {
  type DemoPreview,
  describeInChromium,
  newPreviewPage,
  openCsv,
  type PreviewProcess,
  startDemoPreview,
} from "./previewPage";
import { optionTexts, selectedText, sidebarSays } from "./sidebarPage";

/**
 * Modes, the changes a dry run would make, and Undo import, as a person meets them in the preview in
 * Chromium: the sidebar counts the stored values a dry run would change, and Undo import says what it
 * would do before it does it.
 */
describeInChromium("changes and Undo import, in the preview", () => {
  let demo: DemoPreview;
  let service: ServiceProcess;
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    demo = await startDemoPreview("undo-e2e");
    ({ service, preview, browser } = demo);
  }, 240_000);

  afterAll(() => demo?.stop(), 60_000);

  beforeEach(async () => {
    page = await newPreviewPage(browser);
    page.setDefaultTimeout(30_000);
  });
  afterEach(async () => {
    await page?.close();
  });

  it("a dry run counts the stored values it would change; the import is undone after the person saw what undoing does", async () => {
    await page.goto(preview.url);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(
      page,
      "Partner changes.csv",
      [
        "partner_email,partner_key,first_name,region",
        "ada@changed.test,agency,Ada,AMER",
        "zoe@new.test,zoe,Zoe,APAC",
      ].join("\n"),
    );
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });

    // Modes, for objects whose rows may update; transactions are only ever created.
    const mode = sidebar.getByLabel("Mode", { exact: true });
    expect(await optionTexts(mode)).toEqual(["Create and update", "Create only", "Update only"]);
    expect(await selectedText(mode)).toBe("Create and update");
    await sidebar.getByLabel("Object type").selectOption({ label: "Transactions" });
    await mode.waitFor({ state: "hidden" });
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    await mode.waitFor();

    await sidebar.getByRole("button", { name: "Dry run" }).click();
    await sidebarSays(sidebar, /^Dry run done: 1 would be created, 1 would be updated, 0 would be skipped\./);
    expect(await sidebar.locator("#import-result .change-counts li").allInnerTexts()).toEqual([
      "1 partner would change email",
      "1 partner would change region",
    ]);

    await sidebar.getByRole("button", { name: "Import", exact: true }).click();
    await sidebar.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, /^Import done: 1 created, 1 updated, 0 skipped\./);

    await sidebar.getByRole("button", { name: "Undo import" }).click();
    const panel = sidebar.locator("#undo-panel");
    await panel.getByText("Removes 1 partner created, restores 1 partner updated.").waitFor();
    // Back leaves the import as it is.
    await panel.getByRole("button", { name: "Back" }).click();
    await sidebarSays(sidebar, "Nothing was undone.");

    await sidebar.getByRole("button", { name: "Undo import" }).click();
    await panel.getByRole("button", { name: "Confirm undo" }).click();
    await sidebarSays(sidebar, "Import undone. Removed 1 partner created, restored 1 partner updated.");
    await sidebar.getByText("The last import of partners from this tab is undone.").waitFor();
    expect(await sidebar.getByRole("button", { name: "Undo import" }).isVisible()).toBe(false);

    const stored = await fetch(`${service.url}/v1/partners?key=agency`, {
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    }).then((r) => r.json());
    expect(stored.data[0]).toMatchObject({ partner_email: "ada@agency.test", fields: { region: "EMEA" } });
  }, 180_000);
});

async function openImporter(page: Page): Promise<FrameLocator> {
  await page.getByRole("menuitem", { name: "Extensions" }).click();
  await page.getByRole("menuitem", { name: "Channel Importer" }).click();
  await page.getByRole("menuitem", { name: "Open importer" }).click();
  const sidebar = page.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
  await sidebarSays(sidebar, "Connected to Demo Partner Program.");
  return sidebar;
}

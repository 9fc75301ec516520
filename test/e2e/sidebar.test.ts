import type { Browser, FrameLocator, Page } from "playwright-core";
import type { ServiceProcess } from "../../src/emulator/serviceProcess";
import {
  type DemoPreview,
  describeInChromium,
  newPreviewPage,
  openCsv,
  type PreviewProcess,
  startDemoPreview,
} from "./previewPage";
import { cellAt, countsIn, optionTexts, selectedText, sidebarSays } from "./sidebarPage";

/**
 * The sidebar as a person meets it with a sheet from another tool, in the preview in Chromium: a title
 * row above headers that are not the importer's own is mapped in `Map columns` and saved for that tab;
 * the sidebar follows the tab on screen, each tab showing its own findings; edits re-check by themselves;
 * `Fix N cells` rewrites the cells it lists. The preview runs in a process of its own, so the sidebar's
 * polling never waits on this test's thread.
 */
describeInChromium("the sidebar in step with the sheet, in the preview", () => {
  let demo: DemoPreview;
  let service: ServiceProcess;
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    demo = await startDemoPreview("sidebar-e2e");
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

  it("maps a CRM export's columns under a title row, saves the mapping for its tab, and each tab shows its own findings", async () => {
    await page.goto(preview.url);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(
      page,
      "CRM export.csv",
      [
        "Partners exported from our CRM on 2026-03-18,,,",
        "Email,Partner Key,Joined,Notes",
        "ada@lovelace.test,lovelace,2026-03-18,met at the expo",
        "grace@hopper.test,hopper,2026-02-01,",
      ].join("\n"),
    );
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    await sidebar.getByText("Not validated yet").waitFor();

    // The headers are not the importer's own: Validate opens Map columns instead of only refusing.
    await sidebar.getByRole("button", { name: "Validate", exact: true }).click();
    const mapColumns = sidebar.getByRole("group", { name: "Map columns" });
    await mapColumns.waitFor();
    expect(await sidebar.getByRole("button", { name: "Map columns" }).getAttribute("aria-expanded")).toBe(
      "true",
    );

    // The title row is not the header row: the headers are in row 2.
    await mapColumns.getByLabel("Header row").selectOption("2");
    await sidebarSays(sidebar, /^(Checked \d+ rows? of|The headers of) "CRM export"/);
    const email = mapColumns.getByLabel("Email (column A)", { exact: true });
    await email.waitFor();
    const key = mapColumns.getByLabel("Partner Key (column B)", { exact: true });
    const joined = mapColumns.getByLabel("Joined (column C)", { exact: true });
    const notes = mapColumns.getByLabel("Notes (column D)", { exact: true });
    expect(await mapColumns.getByLabel("Header row").inputValue()).toBe("2");
    expect(await email.inputValue()).toBe("partner_email");
    expect(await key.inputValue()).toBe("partner_key");
    expect(await notes.inputValue()).toBe("");
    expect(await selectedText(notes)).toBe("Ignore this column");
    // Each select offers the object's fields, required ones marked, and Ignore this column.
    expect(await optionTexts(email)).toEqual(
      expect.arrayContaining(["Ignore this column", "partner_email (required)", "partner_joined_date"]),
    );
    // A sample value beside each select, to recognise the column by.
    expect(await mapColumns.locator(".map-column").first().textContent()).toContain("ada@lovelace.test");

    // The required fields no select gives are named as the person changes them.
    const missing = mapColumns.locator("#mapping-missing");
    await email.selectOption("");
    await key.selectOption("");
    await missing.filter({ hasText: "Still needed: partner_email or partner_key." }).waitFor();
    await email.selectOption("partner_email");
    await key.selectOption("partner_key");
    await missing.filter({ hasText: "Every required field has a column." }).waitFor();
    await joined.selectOption("partner_joined_date");
    await notes.selectOption("");

    await mapColumns.getByRole("button", { name: "Save mapping" }).click();
    await sidebarSays(
      sidebar,
      'Saved the mapping for "CRM export": its Validate, Dry run and Import use it while its headers stay the same. Checked 2 rows of "CRM export": 0 errors, 0 warnings.',
    );
    const result = sidebar.locator("#validation-result");
    expect(await countsIn(result)).toEqual({
      Rows: "2",
      Errors: "0",
      Warnings: "0",
      "Rows with errors": "0",
    });
    await result.getByText('No errors: "CRM export" is ready for a dry run.').waitFor();

    // The next Validate of this tab reads it through the saved mapping, without asking.
    await sidebar.getByRole("button", { name: "Validate", exact: true }).click();
    await sidebarSays(sidebar, 'Checked 2 rows of "CRM export": 0 errors, 0 warnings.');
    expect(await countsIn(result)).toMatchObject({ Rows: "2", Errors: "0" });

    // Another tab: its own state, nothing of the first tab's.
    await openCsv(page, "Signups.csv", "partner_email,partner_key\nnot-an-email,signup1\n");
    await result.getByText("Not validated yet").waitFor();
    expect(await result.locator("dl").count()).toBe(0);
    expect(await sidebar.getByRole("button", { name: "Map columns" }).isVisible()).toBe(false);
    await sidebar.getByRole("button", { name: "Validate", exact: true }).click();
    await sidebarSays(sidebar, 'Checked 1 row of "Signups": 1 error, 0 warnings.');
    expect(await countsIn(result)).toMatchObject({ Rows: "1", Errors: "1" });

    // Back on the first tab: its findings again, and the second tab's when it comes back.
    await selectTab(page, "CRM export");
    await result.getByText('No errors: "CRM export" is ready for a dry run.').waitFor();
    expect(await countsIn(result)).toMatchObject({ Rows: "2", Errors: "0" });
    // The status line no longer speaks of the other tab (it is empty, so not shown).
    expect(await sidebar.locator("#status").textContent()).not.toContain("Signups");
    await selectTab(page, "Signups");
    await result.locator("dd").filter({ hasText: /^1$/ }).first().waitFor();
    expect(await countsIn(result)).toMatchObject({ Rows: "1", Errors: "1" });
  }, 240_000);

  it("Fix N cells rewrites the cells it lists, before → after; a dry run that skips nothing makes the tab ready to import, its result stays with its tab; edits are re-checked by themselves", async () => {
    await page.goto(preview.url);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(
      page,
      "Finance sheet.csv",
      "partner_email,partner_key,partner_joined_date\nmailto:Lin@Finance.test,lin,2026-03-18\nmo@finance.test,mo,2026-01-05\n",
    );
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    await sidebar.getByRole("button", { name: "Validate", exact: true }).click();
    await sidebarSays(sidebar, 'Checked 2 rows of "Finance sheet": 0 errors, 1 warning.');

    const fixPanel = sidebar.locator("#fix-panel");
    await fixPanel.getByText("A2 partner_email: mailto:Lin@Finance.test → lin@finance.test").waitFor();
    await sidebar.getByRole("button", { name: "Fix 1 cell", exact: true }).click();
    await sidebarSays(
      sidebar,
      /^Fixed 1 cell in "Finance sheet"\. Checked 2 rows of "Finance sheet": 0 errors, 0 warnings\.$/,
    );
    const fixed = sidebar.locator("#fix-result");
    await fixed.getByText("A2 partner_email: mailto:Lin@Finance.test → lin@finance.test").waitFor();
    expect(await fixed.textContent()).toContain("Undo in Sheets");
    await cellAt(page, "A2")
      .filter({ hasText: /^lin@finance\.test$/ })
      .waitFor();
    expect(await sidebar.getByRole("button", { name: /^Fix \d/ }).count()).toBe(0);

    // Validate cannot see the program's data: only a dry run that skips nothing makes the rows ready to import.
    const result = sidebar.locator("#validation-result");
    await result.getByText('No errors: "Finance sheet" is ready for a dry run.').waitFor();
    await sidebar.getByRole("button", { name: "Dry run" }).click();
    await sidebarSays(sidebar, /^Dry run done: 2 would be created, 0 would be updated, 0 would be skipped\./);
    await result.getByText('The dry run skipped no rows: "Finance sheet" is ready to import.').waitFor();

    // The dry run's result belongs to its tab: hidden on another, shown again back on it.
    const runResult = sidebar.locator("#import-state");
    expect(await runResult.isVisible()).toBe(true);
    await openCsv(page, "Elsewhere.csv", "partner_email\nsam@elsewhere.test\n");
    await runResult.waitFor({ state: "hidden" });
    await result.getByText("Not validated yet").waitFor();
    await selectTab(page, "Finance sheet");
    await runResult.waitFor({ state: "visible" });
    await result.getByText('The dry run skipped no rows: "Finance sheet" is ready to import.').waitFor();

    // A bad value typed into the sheet: onEdit re-checks the row, and the sidebar checks again by itself.
    await cellAt(page, "A3").click();
    await page.locator("#name-box").filter({ hasText: /^A3$/ }).waitFor();
    await page.keyboard.type("mo-at-finance");
    await page.keyboard.press("Enter");
    await sidebarSays(sidebar, 'Checked 2 rows of "Finance sheet": 1 error, 0 warnings.');
    expect(await countsIn(result)).toMatchObject({ Errors: "1" });
    expect(await result.textContent()).not.toContain("ready to import");
  }, 240_000);
});

/** Extensions › Channel Importer › Open importer; resolves once the sidebar has reached the demo program. */
async function openImporter(page: Page): Promise<FrameLocator> {
  await page.getByRole("menuitem", { name: "Extensions" }).click();
  await page.getByRole("menuitem", { name: "Channel Importer" }).click();
  await page.getByRole("menuitem", { name: "Open importer" }).click();
  const sidebar = page.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
  await sidebarSays(sidebar, "Connected to Demo Partner Program.");
  return sidebar;
}

async function selectTab(page: Page, name: string): Promise<void> {
  await page.getByRole("tab", { name, exact: true }).click();
  await page.getByRole("tab", { name, selected: true }).waitFor();
}

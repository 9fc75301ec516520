import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { USER_SETTINGS } from "../../src/emulator/preview/userSettings";
import { type RunningPreview, startPreview } from "../../src/emulator/start";
import { describeInChromium, launchChromium, newPreviewPage, openCsv } from "./previewPage";
import {
  cellAt,
  countsIn,
  findingsIn,
  isNumberCell,
  optionTexts,
  rowTexts,
  selectedText,
  sidebarSays,
} from "./sidebarPage";

/**
 * Issue 12's new user: files exported from another tool, opened in the preview as text exactly as in the
 * file, mapped in `Map columns` (a title line above the headers, a Notes column nobody wants), fixed with
 * `Fix N cells`, validated, dry-run and imported; a second tab with its own findings; and the first tab's
 * saved mapping used by the next Validate without asking. Every wait is for something a person sees.
 */

const FIXTURES = join(__dirname, "..", "fixtures");
const CRM_EXPORT = readFileSync(join(FIXTURES, "crm-export.csv"), "utf8");
const CRM_REWARDS = readFileSync(join(FIXTURES, "crm-rewards.csv"), "utf8");
const CONVERT = "Convert text to numbers, dates, and formulas";

describeInChromium("a new user's CRM export, mapped, fixed and imported in the preview", () => {
  let dataDir: string;
  let running: RunningPreview;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "new-user-e2e-"));
    running = await startPreview({ dataDir, servicePort: 0, previewPort: 0, log: () => {} });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  beforeEach(async () => {
    page = await newPreviewPage(browser);
    page.setDefaultTimeout(45_000);
  });
  afterEach(async () => {
    await page?.close();
  });

  it("maps the export's columns, fixes its cells in one click, imports it, and remembers the mapping per tab", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { name: "Partners", selected: true }).waitFor();

    // As in Sheets' File › Import, conversion is on unless the person turns it off.
    const convert = page.getByRole("checkbox", { name: CONVERT });
    expect(await convert.isChecked()).toBe(true);
    await convert.uncheck();
    await openCsv(page, "crm-export.csv", CRM_EXPORT);
    // Kept as the file has it: a text date, not a date cell; the title line above the headers.
    await cellAt(page, "C3").filter({ hasText: "3/18/2026" }).waitFor();
    expect(await isNumberCell(page, "C3")).toBe(false);
    expect(await rowTexts(page, 2, "A", "D")).toEqual(["Email", "Partner Key", "Joined", "Notes"]);
    expect(await cellAt(page, "A1").textContent()).toBe("Partners export from Acme CRM — 2026-11-30");

    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    await sidebar.getByRole("button", { name: "Validate" }).click();

    // Map columns: a select per column, labelled with its header, preselected from names and aliases;
    // the headers are found under the title line.
    const mapColumns = sidebar.getByRole("group", { name: "Map columns" });
    await mapColumns.waitFor();
    const column = (label: string) => mapColumns.getByLabel(label, { exact: true });
    await column("Email (column A)").waitFor();
    expect(await mapColumns.getByLabel("Header row").inputValue()).toBe("2");
    expect(await column("Email (column A)").inputValue()).toBe("partner_email");
    expect(await column("Partner Key (column B)").inputValue()).toBe("partner_key");
    expect(await column("Joined (column C)").inputValue()).toBe("partner_joined_date");
    const notes = column("Notes (column D)");
    expect(await optionTexts(notes)).toContain("Ignore this column");
    await notes.selectOption({ label: "Ignore this column" });
    expect(await selectedText(notes)).toBe("Ignore this column");
    await mapColumns.getByRole("button", { name: "Save mapping" }).click();
    await sidebarSays(sidebar, /Checked 4 rows of "crm-export": 0 errors, 5 warnings\.$/);

    // Two emails (capitals, mailto:) and three US dates, rewritten in one click.
    const fix = sidebar.getByRole("button", { name: "Fix 5 cells" });
    await fix.waitFor();
    await fix.click();
    await cellAt(page, "A3")
      .filter({ hasText: /^maya\.lopez@harbor\.test$/ })
      .waitFor();
    await cellAt(page, "A4")
      .filter({ hasText: /^kenji@tidewater\.test$/ })
      .waitFor();
    await page.waitForFunction(() =>
      document.querySelector('.cell[data-row="3"][data-column="3"]')?.classList.contains("number"),
    );
    for (const a1 of ["C3", "C4", "C5"]) expect(await isNumberCell(page, a1)).toBe(true);
    // 2026-01-15 was already in the importer's form: left as the file had it.
    expect(await cellAt(page, "C6").textContent()).toBe("2026-01-15");
    expect(await isNumberCell(page, "C6")).toBe(false);
    expect(await rowTexts(page, 5, "A", "B")).toEqual(["olga@summit-ridge.test", "acme-003"]);
    // The ignored Notes column is left as it was.
    expect(await cellAt(page, "D4").textContent()).toBe("Prefers email, not calls");

    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, /^Checked 4 rows of "crm-export": 0 errors, 0 warnings\.$/);
    await sidebar.getByText(/ready for a dry run/).waitFor();
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([]);
    expect(await sidebar.getByRole("button", { name: /^Fix \d+ cells?$/ }).isVisible()).toBe(false);

    await sidebar.getByRole("button", { name: "Dry run" }).click();
    await sidebarSays(sidebar, "Dry run done: 4 would be created, 0 would be updated, 0 would be skipped.");
    expect(await fetchRecord("partners", "acme-001")).toBeUndefined();

    await sidebar.getByRole("button", { name: "Import", exact: true }).click();
    const confirmation = sidebar.locator("#import-confirm");
    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, "Import done: 4 created, 0 updated, 0 skipped.");

    // The service holds them as fixed, and nothing of the ignored Notes column.
    expect(await fetchRecord("partners", "acme-001")).toMatchObject({
      partner_email: "maya.lopez@harbor.test",
      partner_joined_date: "2026-03-18",
    });
    expect(await fetchRecord("partners", "acme-002")).toMatchObject({
      partner_email: "kenji@tidewater.test",
      partner_joined_date: "2026-04-02",
    });
    expect(await fetchRecord("partners", "acme-003")).toMatchObject({ partner_joined_date: "2025-11-30" });
    const ravi = await fetchRecord("partners", "acme-004");
    expect(ravi).toMatchObject({ partner_email: "ravi@lumen.test", partner_joined_date: "2026-01-15" });
    expect(JSON.stringify(ravi)).not.toMatch(/Renewal/);

    // A second tab: rewards for those partners, with findings of its own.
    await openCsv(page, "crm-rewards.csv", CRM_REWARDS);
    await cellAt(page, "B2").filter({ hasText: "$1,234.56" }).waitFor();
    expect(await isNumberCell(page, "B2")).toBe(false);
    // The sidebar follows the tab on screen (it polls): this tab has no check of its own yet.
    await sidebar.getByText('Not validated yet: Validate checks "crm-rewards"', { exact: false }).waitFor();
    await sidebar.getByLabel("Object type").selectOption({ label: "Rewards" });
    await sidebar.getByRole("button", { name: "Validate" }).click();
    const amount = column("Amount (column B)");
    await amount.waitFor();
    expect(await mapColumns.getByLabel("Header row").inputValue()).toBe("1");
    await amount.selectOption("amount_in_dollars");
    await mapColumns.getByRole("button", { name: "Save mapping" }).click();
    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, /^Checked 3 rows of "crm-rewards": 1 errors?, /);
    const rewardFindings = await findingsIn(sidebar.locator("#validation-result"));
    expect(rewardFindings).toContainEqual(expect.stringMatching(/^Error: C4 .*\bbody\b/));
    // Three dollar amounts and three dates can be fixed.
    await sidebar.getByRole("button", { name: "Fix 6 cells" }).waitFor();

    // Back to the first tab: the sidebar shows its findings, not the rewards tab's.
    await page.getByRole("tab", { name: "crm-export", exact: true }).click();
    await page.getByRole("tab", { name: "crm-export", selected: true }).waitFor();
    const objectType = sidebar.getByLabel("Object type");
    await waitUntil(
      "the sidebar follow the tab to crm-export's Partners",
      async () => (await objectType.inputValue()) === "partners",
    );
    await waitUntil("the sidebar show crm-export's own findings, not the rewards tab's", async () => {
      const findings = await findingsIn(sidebar.locator("#validation-result"));
      const fixVisible = await sidebar.getByRole("button", { name: /^Fix \d+ cells?$/ }).isVisible();
      return !fixVisible && !findings.some((f) => /C4 .*\bbody\b/.test(f));
    });
    expect(await countsIn(sidebar.locator("#validation-result"))).toMatchObject({ Rows: "4", Errors: "0" });

    // The next Validate of that tab uses its saved mapping without asking.
    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, /^Checked 4 rows of "crm-export": 0 errors, 0 warnings\.$/);
    expect(await mapColumns.isVisible()).toBe(false);
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([]);
  }, 600_000);

  // The sidebar

  /** Extensions › Channel Importer › Open importer, once the sidebar has reached the demo program. */
  async function openImporter(on: Page): Promise<FrameLocator> {
    await on.getByRole("menuitem", { name: "Extensions" }).click();
    await on.getByRole("menuitem", { name: "Channel Importer" }).click();
    await on.getByRole("menuitem", { name: "Open importer" }).click();
    const sidebar = on.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
    await sidebarSays(sidebar, "Connected to Demo Partner Program.");
    return sidebar;
  }

  /** The record the service holds under a key, read with the preview's own (demo admin) key. */
  async function fetchRecord(object: string, key: string): Promise<Record<string, unknown> | undefined> {
    const apiKey = running.preview.document.properties.user[USER_SETTINGS.apiKey] ?? "";
    const response = await fetch(`${running.serviceUrl}/v1/${object}?key=${encodeURIComponent(key)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Record<string, unknown>[] };
    expect(data.length).toBeLessThanOrEqual(1);
    return data[0];
  }
});

/** Polls until `check` holds (the sidebar follows the tab on screen by polling), for up to a minute. */
async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Waited a minute for ${what}, in vain.`);
}

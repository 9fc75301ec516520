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
import { cellAt, findingsIn, rowTexts, sidebarSays } from "./sidebarPage";

const WAIT = 60_000;
/** An Import status cell: the outcome, then when, in the spreadsheet's time zone. */
const when = String.raw` \d{4}-\d\d-\d\d \d\d:\d\d$`;
const status = (outcome: string) => new RegExp(`^${outcome}${when}`);
/** The partner_key of rows 2 to 6: each row's Imported key (a skipped row's own key). */
const ROW_KEYS = ["ivory", "northwind", "juniper", "brightpath", "kestrel"];

/**
 * Issue 13's loop, as a new user meets it in the preview in Chromium: partners imported with mistakes,
 * the skipped rows fixed in the sheet and sent again with `Import skipped rows`, then that second import
 * taken back with `Undo import`, leaving the stored partners as they were before it. Every wait is for
 * something a person sees.
 */
describeInChromium("fix the skipped rows, import them, undo that import, in the preview", () => {
  let demo: DemoPreview;
  let service: ServiceProcess;
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    demo = await startDemoPreview("close-the-loop-e2e");
    ({ service, preview, browser } = demo);
  }, 240_000);

  afterAll(() => demo?.stop(), 60_000);

  beforeEach(async () => {
    page = await newPreviewPage(browser);
    page.setDefaultTimeout(WAIT);
  });
  afterEach(async () => {
    await page?.close();
  });

  it("imports partners with mistakes, imports the fixed skipped rows, and undoes that second import", async () => {
    await page.goto(preview.url);
    await page.getByRole("tab", { selected: true }).waitFor();
    // Two new partners, a new last name for northwind, and two mistakes: juniper (new) in a region the
    // program has not got, brightpath (existing) with a new last name and a date that does not exist.
    await openCsv(
      page,
      "Partner update.csv",
      [
        "partner_email,partner_key,first_name,last_name,partner_joined_date,group_key,tier_key,tags,region",
        "iris@ivory.test,ivory,Iris,Ivanova,2025-06-01,default,silver,,EMEA",
        "bryn@northwind.test,northwind,Bryn,Jones-Hart,2024-05-12,resellers,silver,,AMER",
        "jo@juniper.test,juniper,Jo,Jansen,2025-06-02,default,,,Mars",
        "dana@brightpath.test,brightpath,Dana,Okafor-Reyes,2025-02-30,default,,,AMER",
        "kai@kestrel.test,kestrel,Kai,Kim,2025-06-03,referral,gold,launch,APAC",
      ].join("\n"),
    );
    await cellAt(page, "I4").filter({ hasText: "Mars" }).waitFor();
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });

    // Validate finds both mistakes.
    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, /^Checked 5 rows of "Partner update": 2 errors, /);
    const findings = await findingsIn(sidebar.locator("#validation-result"));
    expect(findings).toContainEqual(expect.stringMatching(/^Error: I4 .*Mars/));
    expect(findings).toContainEqual(expect.stringMatching(/^Error: E5 /));

    // Import: the service skips those two rows; each row's outcome is written at the sheet's right.
    await sidebar.getByRole("button", { name: "Import", exact: true }).click();
    const confirmation = sidebar.locator("#import-confirm");
    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, /^Import done: 2 created, 1 updated, 2 skipped\./);
    await cellAt(page, "J1").filter({ hasText: "Import status" }).waitFor();
    expect(await rowTexts(page, 1, "J", "K")).toEqual(["Import status", "Imported key"]);
    await cellAt(page, "J5")
      .filter({ hasText: status("skipped") })
      .waitFor();
    const firstStatuses = await statusColumn();
    expect(firstStatuses.map(([outcome]) => outcome.replace(new RegExp(when), ""))).toEqual([
      "created",
      "updated",
      "skipped",
      "skipped",
      "created",
    ]);
    expect(firstStatuses.map(([, key]) => key)).toEqual(ROW_KEYS);
    const importSkipped = sidebar.getByRole("button", { name: "Import skipped rows" });
    await importSkipped.waitFor();
    const first = (await listImports())[0] as ImportSeen;
    expect(first).toMatchObject({
      status: "completed",
      counts: { rows: 5, created: 2, updated: 1, skipped: 2 },
    });

    // The stored partners as they are before the second import.
    const before = await storedPartners();
    expect(before.map((p) => p.partner_key)).toEqual(
      expect.arrayContaining(["agency", "northwind", "bluepeak", "brightpath", "ivory", "kestrel"]),
    );
    expect(before.some((p) => p.partner_key === "juniper")).toBe(false);
    expect(before.find((p) => p.partner_key === "northwind")).toMatchObject({ last_name: "Jones-Hart" });
    expect(before.find((p) => p.partner_key === "brightpath")).toMatchObject({
      last_name: "Okafor",
      partner_joined_date: "2025-03-03",
    });

    // Fixed in the grid, then only those two rows go again.
    await typeInto(page, "I4", "APAC");
    await cellAt(page, "I4")
      .filter({ hasText: /^APAC$/ })
      .waitFor();
    await typeInto(page, "E5", "2025-03-04");
    await cellAt(page, "E5").filter({ hasText: "2025-03-04" }).waitFor();
    // The sidebar checks the edited sheet again by itself once the edits pause.
    await sidebarSays(sidebar, 'Checked 5 rows of "Partner update": 0 errors, 0 warnings.');
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([]);
    await importSkipped.click();
    await sidebarSays(sidebar, /^Import done: 1 created, 1 updated, 0 skipped\./);
    await cellAt(page, "J4")
      .filter({ hasText: status("created") })
      .waitFor();
    await cellAt(page, "J5")
      .filter({ hasText: status("updated") })
      .waitFor();
    await importSkipped.waitFor({ state: "hidden" });
    // The rows of the first import that were not skipped keep what it wrote.
    const secondStatuses = await statusColumn();
    for (const row of [0, 1, 4]) expect(secondStatuses[row]).toEqual(firstStatuses[row]);
    expect(secondStatuses.map(([, key]) => key)).toEqual(ROW_KEYS);
    const [second] = await listImports();
    expect(second).toMatchObject({
      status: "completed",
      retry_of: first.id,
      counts: { rows: 2, created: 1, updated: 1, skipped: 0 },
    });
    const fixed = await storedPartners();
    expect(fixed.find((p) => p.partner_key === "juniper")).toMatchObject({ fields: { region: "APAC" } });
    expect(fixed.find((p) => p.partner_key === "brightpath")).toMatchObject({
      last_name: "Okafor-Reyes",
      partner_joined_date: "2025-03-04",
    });

    // Undo import says what it would do, then does it: the partners are as they were before.
    await sidebar.getByRole("button", { name: "Undo import" }).click();
    const panel = sidebar.locator("#undo-panel");
    await panel.getByText("Removes 1 partner created, restores 1 partner updated.").waitFor();
    await sidebarSays(sidebar, "Check what the undo would do, then Confirm undo or Back.");
    await panel.getByRole("button", { name: "Confirm undo" }).click();
    await sidebarSays(sidebar, "Import undone. Removed 1 partner created, restored 1 partner updated.");
    await sidebar.getByText("The last import of partners from this tab is undone.").waitFor();
    expect(await sidebar.getByRole("button", { name: "Undo import" }).isVisible()).toBe(false);

    expect(withoutUpdatedAt(await storedPartners())).toEqual(withoutUpdatedAt(before));
    expect(await getImport(second?.id ?? "")).toMatchObject({
      status: "undone",
      undo: { dry_run: false, removed: 1, restored: 1, refused: [] },
    });
    expect(await getImport(first.id)).toMatchObject({ status: "completed", undo: null });
  }, 600_000);

  // The grid

  /** The Import status and Imported key cells of rows 2 to 6. */
  async function statusColumn(): Promise<[string, string][]> {
    const rows: [string, string][] = [];
    for (let row = 2; row <= 6; row++) rows.push((await rowTexts(page, row, "J", "K")) as [string, string]);
    return rows;
  }

  // The service, read with the demo admin key

  interface ImportSeen {
    id: string;
    status: string;
    retry_of: string | null;
    counts: Record<string, number>;
  }

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${service.url}${path}`, {
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  /** Every stored partner, all pages, in key order. */
  async function storedPartners(): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: { data: Record<string, unknown>[]; next_cursor: string | null } = await api(
        `/v1/partners?limit=2${query}`,
      );
      all.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return all.sort((a, b) => String(a.partner_key).localeCompare(String(b.partner_key)));
  }

  /** The imports, newest first. */
  async function listImports(): Promise<ImportSeen[]> {
    return (await api<{ data: ImportSeen[] }>("/v1/imports")).data;
  }

  function getImport(id: string): Promise<Record<string, unknown>> {
    return api(`/v1/imports/${id}`);
  }
});

function withoutUpdatedAt(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.map(({ updated_at: _, ...rest }) => rest);
}

async function openImporter(page: Page): Promise<FrameLocator> {
  await page.getByRole("menuitem", { name: "Extensions" }).click();
  await page.getByRole("menuitem", { name: "Channel Importer" }).click();
  await page.getByRole("menuitem", { name: "Open importer" }).click();
  const sidebar = page.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
  await sidebarSays(sidebar, "Connected to Demo Partner Program.");
  return sidebar;
}

/** Clicks a cell, types over it and presses Enter, as a person fixes a cell. */
async function typeInto(page: Page, a1: string, text: string): Promise<void> {
  await cellAt(page, a1).click();
  await page
    .locator("#name-box")
    .filter({ hasText: new RegExp(`^${a1}$`) })
    .waitFor();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, FrameLocator, Locator, Page, Route } from "playwright-core";
import { HIGHLIGHT_COLORS } from "../../src/addon/highlights";
import { USER_SETTINGS } from "../../src/emulator/preview/userSettings";
import { type RunningPreview, startPreview } from "../../src/emulator/start";
import { call, loadAddonFor } from "../addon/harness";
import { describeInChromium, launchChromium, newPreviewPage, openCsv, paste } from "./previewPage";
import { cellAt, countsIn, findingsIn, position, rowTexts, sidebarSays } from "./sidebarPage";

/**
 * The add-on as a new user meets it in `npm start`'s preview: a fresh workbook and demo program, the
 * importer opened from the Extensions menu, rows pasted into a new tab, checked, fixed in the grid,
 * imported into the service, and the report read back. Every wait is for something a person sees.
 */
describeInChromium("the add-on in npm start's preview, used by a new user", () => {
  let dataDir: string;
  let running: RunningPreview;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "addon-e2e-"));
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
    page.setDefaultTimeout(20_000);
  });
  afterEach(async () => {
    await page?.close();
  });

  it("imports partners pasted into a new tab: template, check, fix in the grid, dry run, import, report", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { name: "Partners", selected: true }).waitFor();
    // The preview has no "+" for a blank tab: a person opens an empty CSV file instead.
    await openCsv(page, "New partners.csv", "\n");

    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    const invites = sidebar.getByRole("checkbox", { name: "Send invite emails" });
    await invites.waitFor();
    expect(await invites.isChecked()).toBe(false);

    await sidebar.getByRole("button", { name: "Insert template headers" }).click();
    await sidebarSays(sidebar, 'Wrote 15 template headers into the first row of "New partners".');
    await cellAt(page, "H1").filter({ hasText: "tags" }).waitFor();
    expect(await rowTexts(page, 1, "A", "H")).toEqual([
      "partner_email",
      "partner_key",
      "first_name",
      "last_name",
      "partner_joined_date",
      "group_key",
      "tier_key",
      "tags",
    ]);

    // Five rows: a bad email (A3), a key with a space (B4), a key already in row 2 (B5), and an
    // existing demo partner (bluepeak) with a new last name.
    await cellAt(page, "A2").click();
    await paste(
      page,
      [
        "zoe@zenith.test\tzenith\tZoe\tZhang\t2025-11-02\tdefault\tgold",
        "yuri@@yonder.test\tyonder\tYuri\tYates\t2025-11-03\tdefault\tsilver",
        "xena@xylo.test\txylo works\tXena\tXu\t2025-11-04\tresellers\t",
        "walt@wave.test\tzenith\tWalt\tWu\t2025-11-05\tdefault\t",
        "chen@bluepeak.test\tbluepeak\tChen\tWei-Lin\t2025-01-20\tresellers\tgold",
      ].join("\n"),
    );
    await cellAt(page, "A6").filter({ hasText: "chen@bluepeak.test" }).waitFor();

    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 5 rows of "New partners": 3 errors, 0 warnings.');
    expect(await countsIn(sidebar.locator("#validation-result"))).toEqual({
      Rows: "5",
      Errors: "3",
      Warnings: "0",
      "Rows with errors": "3",
    });
    const badEmail =
      'partner_email "yuri@@yonder.test" is not a valid email address; expected one like name@example.com';
    const spacedKey = 'partner_key "xylo works" has a space in it; a key is one word without spaces';
    const twiceKey = 'partner_key "zenith" is also in row 2; a partner can be in one row of an import only';
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([
      `Error: A3 ${badEmail}`,
      `Error: B4 ${spacedKey}`,
      `Error: B5 ${twiceKey}`,
    ]);
    await expectHighlighted(page, "A3", "error", badEmail);
    await expectHighlighted(page, "B4", "error", spacedKey);
    await expectHighlighted(page, "B5", "error", twiceKey);

    await finding(sidebar, spacedKey).click();
    await sidebarSays(sidebar, "Selected B4 in the sheet.");
    await nameBoxShows(page, "B4");

    // Typing the fix over a cell re-checks its row: the highlight goes at once.
    await typeInto(page, "A3", "yuri@yonder.test");
    await expectPlain(page, "A3", "yuri@yonder.test");
    await expectHighlighted(page, "B4", "error", spacedKey);
    await typeInto(page, "B4", "xylo");
    await expectPlain(page, "B4", "xylo");
    await typeInto(page, "B5", "wave");
    await expectPlain(page, "B5", "wave");

    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 5 rows of "New partners": 0 errors, 0 warnings.');
    await sidebar.getByText('No errors: "New partners" is ready for a dry run.').waitFor();
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([]);

    await sidebar.getByRole("button", { name: "Dry run" }).click();
    await sidebarSays(sidebar, "Dry run done: 4 would be created, 1 would be updated, 0 would be skipped.");
    expect(await countsIn(sidebar.locator("#import-result"))).toEqual({
      "Would be created": "4",
      "Would be updated": "1",
      "Would be skipped": "0",
    });
    expect(await fetchRecord("partners", "zenith")).toBeUndefined();

    // Import asks first, with the dry run's figures: these rows were dry-run as they are.
    const confirmation = await askToImport(sidebar);
    expect(await countsIn(confirmation)).toEqual({
      Object: "Partners",
      Sheet: "New partners",
      Rows: "5",
      "Invite emails": "Not sent",
    });
    expect(await countsIn(confirmation.locator("#confirm-dry-run"))).toEqual({
      "Would be created": "4",
      "Would be updated": "1",
      "Would be skipped": "0",
      Repeats: "0",
    });
    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, "Import done: 4 created, 1 updated, 0 skipped.");
    expect(await progressOf(sidebar)).toEqual({ value: 5, max: 5, line: "5 of 5 rows sent" });
    expect(await countsIn(sidebar.locator("#import-result"))).toEqual({
      Created: "4",
      Updated: "1",
      Skipped: "0",
    });

    await page.getByRole("tab", { name: "New partners", exact: true }).click();
    await page.getByRole("tab", { name: "New partners", selected: true }).waitFor();
    const report = await openReport(page, sidebar, /^Partners import /);
    expect(await reportLines(page, 5)).toEqual([
      ["2", "created", "zenith", ""],
      ["3", "created", "yonder", ""],
      ["4", "created", "xylo", ""],
      ["5", "created", "wave", ""],
      // An updated row's messages say what it changed.
      ["6", "updated", "bluepeak", 'last_name changed: was "Wei" → now "Wei-Lin"'],
    ]);
    expect(await reportSummary(page)).toMatchObject({
      Import: "Partners",
      Status: "completed",
      Source: "New partners",
      Rows: "5",
      Created: "4",
      Updated: "1",
      Skipped: "0",
    });
    expect(report).toMatch(/^Partners import \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The service holds them, as typed and fixed.
    expect(await fetchRecord("partners", "zenith")).toMatchObject({
      partner_email: "zoe@zenith.test",
      first_name: "Zoe",
      group_key: "default",
      tier_key: "gold",
    });
    expect(await fetchRecord("partners", "yonder")).toMatchObject({ partner_email: "yuri@yonder.test" });
    expect(await fetchRecord("partners", "xylo")).toMatchObject({
      partner_email: "xena@xylo.test",
      group_key: "resellers",
    });
    expect(await fetchRecord("partners", "wave")).toMatchObject({ partner_email: "walt@wave.test" });
    expect(await fetchRecord("partners", "bluepeak")).toMatchObject({
      partner_email: "chen@bluepeak.test",
      last_name: "Wei-Lin",
    });
    expect(await fetchRecord("partners", "xylo works")).toBeUndefined();
  }, 120_000);

  it("imports transactions for the demo customers, and one for an unknown customer is skipped, highlighted and reported", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(page, "New transactions.csv", "\n");

    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Transactions" });
    await sidebar.getByRole("button", { name: "Insert template headers" }).click();
    await sidebarSays(sidebar, 'Wrote 8 template headers into the first row of "New transactions".');
    await cellAt(page, "H1").filter({ hasText: "product_key" }).waitFor();
    expect(await rowTexts(page, 1, "A", "H")).toEqual([
      "customer_key",
      "customer_email",
      "amount",
      "currency",
      "key",
      "created_at",
      "category_key",
      "product_key",
    ]);

    // The demo customers (src/emulator/demo/customers.csv) are cus_1001 to cus_1003; lena@example.com
    // is cus_1003. Mistakes: an unknown currency and a short key (row 4). An amount in dollars (C3) is
    // read as cents, and said so: a fixable warning, listed but not painted. Row 5's customer is not in
    // the program: only the service can tell.
    await cellAt(page, "A2").click();
    await paste(
      page,
      [
        "cus_1001\t\t40000\tUSD\ttxn_demo_0001\t2025-11-02",
        "cus_1002\t\t12.50\tUSD\ttxn_demo_0002\t2025-11-03",
        "cus_1003\t\t9900\tXYZ\ttx3\t2025-11-04",
        "cus_9999\t\t5000\tEUR\ttxn_demo_0004\t2025-11-05",
        "\tlena@example.com\t-2500\t\ttxn_demo_0005\t2025-11-06",
      ].join("\n"),
    );
    await cellAt(page, "E6").filter({ hasText: "txn_demo_0005" }).waitFor();

    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 5 rows of "New transactions": 2 errors, 1 warning.');
    expect(await countsIn(sidebar.locator("#validation-result"))).toEqual({
      Rows: "5",
      Errors: "2",
      Warnings: "1",
      "Rows with errors": "1",
    });
    const dollars = 'amount "12.5" is an amount in dollars; read as 1250 cents';
    const currency = 'currency "XYZ" is not an ISO 4217 currency code; expected e.g. USD, CAD or EUR';
    const shortKey = 'key "tx3" is 3 characters long; it needs at least 4';
    expect(await findingsIn(sidebar.locator("#validation-result"))).toEqual([
      `Warning: C3 ${dollars}`,
      `Error: D4 ${currency}`,
      `Error: E4 ${shortKey}`,
    ]);
    await expectPlain(page, "C3", "12.5");
    await expectHighlighted(page, "D4", "error", currency);
    await expectHighlighted(page, "E4", "error", shortKey);

    // Clear highlights gives the cells their own look back; Validate marks them again.
    await sidebar.getByRole("button", { name: "Clear highlights" }).click();
    await sidebarSays(sidebar, "Restored 2 cells to how they were.");
    await expectPlain(page, "C3", "12.5");
    await expectPlain(page, "D4", "XYZ");
    await expectPlain(page, "E4", "tx3");
    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 5 rows of "New transactions": 2 errors, 1 warning.');
    await expectHighlighted(page, "E4", "error", shortKey);

    await finding(sidebar, shortKey).click();
    await nameBoxShows(page, "E4");

    await typeInto(page, "C3", "1250");
    await expectPlain(page, "C3", "1250");
    await typeInto(page, "D4", "CAD");
    await expectPlain(page, "D4", "CAD");
    // Row 4 was checked again: its other mistake is still marked.
    await expectHighlighted(page, "E4", "error", shortKey);
    await typeInto(page, "E4", "txn_demo_0003");
    await expectPlain(page, "E4", "txn_demo_0003");

    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 5 rows of "New transactions": 0 errors, 0 warnings.');
    await sidebar.getByText('No errors: "New transactions" is ready for a dry run.').waitFor();

    const unknownCustomer =
      'No customer has customer_key "cus_9999"; expected the key of an existing customer (import customers before their transactions)';
    await sidebar.getByRole("button", { name: "Dry run" }).click();
    await sidebarSays(sidebar, "Dry run done: 4 would be created, 0 would be updated, 1 would be skipped.");
    expect(await countsIn(sidebar.locator("#import-result"))).toEqual({
      "Would be created": "4",
      "Would be updated": "0",
      "Would be skipped": "1",
      Repeats: "0",
    });
    await sidebar.getByRole("heading", { name: "Rows that would be skipped" }).waitFor();
    expect(await findingsIn(sidebar.locator("#import-result"))).toEqual([`Error: A5 ${unknownCustomer}`]);
    expect(await fetchRecord("transactions", "txn_demo_0001")).toBeUndefined();

    const confirmation = await askToImport(sidebar);
    expect(await countsIn(confirmation)).toEqual({
      Object: "Transactions",
      Sheet: "New transactions",
      Rows: "5",
      "Rows that match earlier imports": "Skipped",
    });
    expect(await countsIn(confirmation.locator("#confirm-dry-run"))).toEqual({
      "Would be created": "4",
      "Would be updated": "0",
      "Would be skipped": "1",
      Repeats: "0",
    });
    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, "Import done: 4 created, 0 updated, 1 skipped.");
    expect(await progressOf(sidebar)).toEqual({ value: 5, max: 5, line: "5 of 5 rows sent" });
    expect(await countsIn(sidebar.locator("#import-result"))).toEqual({
      Created: "4",
      Updated: "0",
      Skipped: "1",
      Repeats: "0",
    });
    await sidebar.getByRole("heading", { name: "Skipped rows" }).waitFor();
    expect(await findingsIn(sidebar.locator("#import-result"))).toEqual([`Error: A5 ${unknownCustomer}`]);

    // The skipped row, from the sidebar: its cell in the source tab, highlighted with the reason.
    await finding(sidebar, unknownCustomer).click();
    await page.getByRole("tab", { name: "New transactions", selected: true }).waitFor();
    await nameBoxShows(page, "A5");
    await expectHighlighted(page, "A5", "error", unknownCustomer);

    await openReport(page, sidebar, /^Transactions import /);
    // Skipped rows first, known by their own key.
    expect(await reportLines(page, 5)).toEqual([
      ["5", "skipped", "txn_demo_0004", `error: ${unknownCustomer}`],
      ["2", "created", "txn_demo_0001", ""],
      ["3", "created", "txn_demo_0002", ""],
      ["4", "created", "txn_demo_0003", ""],
      ["6", "created", "txn_demo_0005", ""],
    ]);
    expect(await reportSummary(page)).toMatchObject({
      Import: "Transactions",
      Source: "New transactions",
      Rows: "5",
      Created: "4",
      Updated: "0",
      Skipped: "1",
    });

    expect(await fetchRecord("transactions", "txn_demo_0001")).toMatchObject({
      customer_key: "cus_1001",
      amount: 40000,
      currency: "USD",
    });
    expect(await fetchRecord("transactions", "txn_demo_0002")).toMatchObject({
      customer_key: "cus_1002",
      amount: 1250,
    });
    expect(await fetchRecord("transactions", "txn_demo_0003")).toMatchObject({
      currency: "CAD",
      amount: 9900,
    });
    expect(await fetchRecord("transactions", "txn_demo_0005")).toMatchObject({
      customer_key: "cus_1003",
      amount: -2500,
    });
    expect(await fetchRecord("transactions", "txn_demo_0004")).toBeUndefined();
  }, 120_000);

  it("Import asks first: rewards without a dry run say so and offer one, Back sends nothing, the confirmation shows the dry run's figures and USD, Confirm import imports, and the same sheet imported again creates nothing", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    // Demo partners; 1000 EUR cents at 1.08, 2500 CAD at 0.72, 300 USD: $31.80 in all.
    await openCsv(
      page,
      "Bonuses.csv",
      [
        "partner_key,amount_in_cents,body,currency,created_at",
        "agency,1000,Launch bonus,EUR,2026-01-05",
        "northwind,2500,Referral,CAD,2026-01-06",
        "bluepeak,300,Spiff,,2026-01-07",
      ].join("\n"),
    );
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Rewards" });

    // The option to import repeats: off, and a plain warning once ticked.
    const repeats = sidebar.getByRole("checkbox", { name: "Import rows that match earlier imports" });
    await repeats.waitFor();
    expect(await repeats.isChecked()).toBe(false);
    const paidAgain = sidebar.getByText(
      "Rows already imported will be created again, and those rewards paid again.",
    );
    expect(await paidAgain.isVisible()).toBe(false);
    await repeats.check();
    await paidAgain.waitFor();
    await repeats.uncheck();
    await paidAgain.waitFor({ state: "hidden" });

    const importsBefore = await importCount();
    const rewardsBefore = await recordCount("rewards");

    // No dry run yet: the confirmation says so plainly and offers one. Back sends nothing.
    let confirmation = await askToImport(sidebar);
    expect(await countsIn(confirmation)).toEqual({
      Object: "Rewards",
      Sheet: "Bonuses",
      Rows: "3",
      "Rows that match earlier imports": "Skipped",
    });
    await confirmation
      .getByText(
        /^No dry run of these rows yet, so the rewards this creates and the USD it pays have not been counted\./,
      )
      .waitFor();
    await confirmation.getByRole("button", { name: "Dry run" }).waitFor();
    await confirmation.getByRole("button", { name: "Back" }).click();
    await sidebarSays(sidebar, "Nothing was imported.");
    await confirmation.waitFor({ state: "hidden" });
    await sidebar.getByRole("button", { name: "Import", exact: true }).waitFor();
    expect(await importCount()).toBe(importsBefore);

    // The confirmation's Dry run: once done, the confirmation asks again with its figures.
    confirmation = await askToImport(sidebar);
    await confirmation.getByRole("button", { name: "Dry run" }).click();
    await sidebar.getByText(/^The dry run of these rows \(/).waitFor();
    await sidebarSays(
      sidebar,
      'Ready to import 3 rows of rewards from "Bonuses": check the dry run\'s figures, then Confirm import.',
    );
    expect(await countsIn(confirmation.locator("#confirm-dry-run"))).toEqual({
      "Would be created": "3",
      "Would be updated": "0",
      "Would be skipped": "0",
      Repeats: "0",
      "Would issue (USD)": "$31.80",
    });
    expect(await confirmation.getByRole("button", { name: "Dry run" }).isVisible()).toBe(false);
    expect(await recordCount("rewards")).toBe(rewardsBefore);

    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(sidebar, "Import done: 3 created, 0 updated, 0 skipped.");
    expect(await countsIn(sidebar.locator("#import-result"))).toEqual({
      Created: "3",
      Updated: "0",
      Skipped: "0",
      Repeats: "0",
      "Issued (USD)": "$31.80",
    });
    expect(await recordCount("rewards")).toBe(rewardsBefore + 3);

    // The same sheet again: the dry run counts every row a repeat, and the import pays nothing twice.
    confirmation = await askToImport(sidebar);
    await confirmation.getByText(/^No dry run of these rows yet/).waitFor();
    await confirmation.getByRole("button", { name: "Dry run" }).click();
    await sidebar.getByText(/^The dry run of these rows \(/).waitFor();
    expect(await countsIn(confirmation.locator("#confirm-dry-run"))).toEqual({
      "Would be created": "0",
      "Would be updated": "0",
      "Would be skipped": "3",
      Repeats: "3",
      "Would issue (USD)": "$0.00",
    });
    const willSkip = "3 rows match an earlier import or another row of the sheet and will be skipped.";
    await confirmation.getByText(willSkip).waitFor();
    await sidebar.locator("#import-result").getByText(willSkip).waitFor();
    await confirmation.getByRole("button", { name: "Confirm import" }).click();
    await sidebarSays(
      sidebar,
      "Import done: 0 created, 0 updated, 3 skipped. 3 rows matched an earlier import or another row of the sheet and were skipped.",
    );
    expect(await recordCount("rewards")).toBe(rewardsBefore + 3);
    expect(await findingsIn(sidebar.locator("#import-result"))).toHaveLength(3);

    // Ticked, the confirmation says again what it does; the dry run of other options is not shown; Back.
    await repeats.check();
    confirmation = await askToImport(sidebar);
    expect(await countsIn(confirmation)).toMatchObject({
      "Rows that match earlier imports": "Imported again",
    });
    await confirmation
      .getByText("Rows already imported will be created again, and those rewards paid again.")
      .waitFor();
    await confirmation.getByText(/^No dry run of these rows yet/).waitFor();
    await confirmation.getByRole("button", { name: "Back" }).click();
    await sidebarSays(sidebar, "Nothing was imported.");
    expect(await recordCount("rewards")).toBe(rewardsBefore + 3);
  }, 240_000);

  it("View headers lists the template's columns and what each needs, and Download CSV template saves that header row", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    const sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Transactions" });

    await sidebar.getByRole("button", { name: "View headers" }).click();
    const list = sidebar.locator("#headers-list");
    await list.getByText("Transactions: 8 columns.").waitFor();
    const columns = [
      "customer_key",
      "customer_email",
      "amount",
      "currency",
      "key",
      "created_at",
      "category_key",
      "product_key",
    ];
    expect(await list.locator(".column-name").allTextContents()).toEqual(columns);
    const needs = (name: string) =>
      list
        .locator(".column")
        .filter({ has: sidebar.getByText(name, { exact: true }) })
        .locator(".badge")
        .textContent();
    expect(await needs("amount")).toBe("required");
    expect(await needs("customer_key")).toBe("required: this or customer_email");
    expect(await needs("product_key")).toBe("optional");

    const download = page.waitForEvent("download");
    await sidebar.getByRole("button", { name: "Download CSV template" }).click();
    const file = await download;
    await sidebarSays(sidebar, "Downloaded transactions-template.csv.");
    expect(file.suggestedFilename()).toBe("transactions-template.csv");
    expect(readFileSync(await file.path(), "utf8")).toBe(`${columns.join(",")}\r\n`);
  }, 120_000);

  it("Settings shows the saved address and only a hint of the key, and Test connection names the demo admin and program", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    const sidebar = await openImporter(page);

    await sidebar.getByText("Settings", { exact: true }).click();
    const url = sidebar.getByLabel("Importer URL");
    const key = sidebar.getByLabel("API key");
    await url.waitFor();
    expect(await url.inputValue()).toBe(running.serviceUrl);
    expect(await key.inputValue()).toBe("");
    const hint = (await key.getAttribute("placeholder")) ?? "";
    expect(hint).toMatch(/^saved \(.+\)$/);
    expect(hint).not.toContain(apiKey());

    await sidebar.getByRole("button", { name: "Test connection" }).click();
    await sidebarSays(sidebar, "Connected to Demo Partner Program as admin@demo.test.");
    expect(await countsIn(sidebar.locator("#connection"))).toEqual({
      User: "admin@demo.test",
      Role: "admin",
      Program: "Demo Partner Program",
      "May import": "Yes",
    });
  }, 120_000);

  it("an import whose sidebar was closed between calls is offered as Resume import when the importer opens again, and resumes to the end", async () => {
    // More rows than one call sends (5 chunks of 1,000), so the import takes more than one call.
    const rows = 10_200;
    const lines = ["partner_email,partner_key,first_name"];
    for (let i = 1; i <= rows; i++) lines.push(`p${i}@bulk.test,bulk${i},Bulk ${i}`);
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(page, "Bulk partners.csv", `${lines.join("\n")}\n`);

    let sidebar = await openImporter(page);
    await sidebar.getByLabel("Object type").selectOption({ label: "Partners" });
    await sidebar.getByRole("button", { name: "Validate" }).click();
    await sidebarSays(sidebar, 'Checked 10,200 rows of "Bulk partners": 0 errors, 0 warnings.');

    // The sidebar's startImport call is held for a moment, and its first continueImport call for good,
    // as if it were on its way when the sidebar closed.
    let holdStart: ((route: Route) => void) | null = null;
    const startHeld = new Promise<Route>((resolve) => {
      holdStart = resolve;
    });
    let hold: ((route: Route) => void) | null = null;
    const held = new Promise<Route>((resolve) => {
      hold = resolve;
    });
    await page.route("**/api/run", async (route) => {
      const call = route.request().postDataJSON() as { name?: string };
      if (holdStart && call.name === "startImport") {
        holdStart(route);
        holdStart = null;
      } else if (hold && call.name === "continueImport") {
        hold(route);
        hold = null;
      } else await route.continue();
    });

    await (await askToImport(sidebar)).getByRole("button", { name: "Confirm import" }).click();
    // The bar shows at once, at 0 of the rows confirmed, before the first chunk is answered.
    const starting = await startHeld;
    expect(await progressOf(sidebar)).toEqual({ value: 0, max: rows, line: "0 of 10,200 rows sent" });
    expect(await sidebar.locator("#import-title").textContent()).toBe(
      'Import: Partners from "Bulk partners"',
    );
    await starting.continue();
    await sidebarSays(sidebar, /^Import in progress: [\d,]+ of 10,200 rows sent\.$/);
    const progress = await progressOf(sidebar);
    // With the first answer: how fast it goes, and how long is left.
    expect(await sidebar.locator("#import-pace").textContent()).toMatch(
      /^([\d,]+ rows|under 1 row) per second · (about \d+ (s|min) left|a few seconds left|about \d+ h( \d+ min)? left)$/,
    );
    expect(progress.value).toBeGreaterThan(0);
    expect(progress.value).toBeLessThan(rows);
    expect(progress.max).toBe(rows);
    const continuing = await held;
    await page
      .getByRole("complementary", { name: "Channel Importer" })
      .getByRole("button", { name: "Close sidebar" })
      .click();
    await page.getByRole("complementary", { name: "Channel Importer" }).waitFor({ state: "hidden" });
    // Its page is gone, and the call with it.
    await continuing.abort("connectionclosed").catch(() => {});

    sidebar = await openImporter(
      page,
      'An import of partners from "Bulk partners" has not finished: resume or cancel it.',
    );
    expect(await progressOf(sidebar)).toEqual(progress);
    await sidebar.getByRole("button", { name: "Cancel import" }).waitFor();
    await sidebar.getByRole("button", { name: "Resume import" }).click();
    await sidebarSays(sidebar, "Import done: 10,200 created, 0 updated, 0 skipped.");
    expect(await progressOf(sidebar)).toEqual({ value: rows, max: rows, line: "10,200 of 10,200 rows sent" });
    expect(await fetchRecord("partners", "bulk1")).toMatchObject({ partner_email: "p1@bulk.test" });
    expect(await fetchRecord("partners", `bulk${rows}`)).toMatchObject({
      partner_email: `p${rows}@bulk.test`,
    });
  }, 120_000);

  it("a colleague's unfinished import shows who is importing what and how far, with no Resume or Cancel to press", async () => {
    const rows = 10_200;
    const lines = ["partner_email,partner_key,first_name"];
    for (let i = 1; i <= rows; i++) lines.push(`c${i}@colleague.test,colleague${i},Colleague ${i}`);
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openCsv(page, "Colleague partners.csv", `${lines.join("\n")}\n`);

    // A colleague, in the same spreadsheet (its properties, locks and clock) with their own Google
    // identity, starts importing that tab; their first call leaves it midway.
    const document = running.preview.document;
    const colleague = loadAddonFor({
      url: running.serviceUrl,
      key: apiKey(),
      workbook: document.workbook,
      documentStore: document.properties.document,
      locks: document.host.locks,
      clock: document.host.clock,
      userEmail: "colleague@example.com",
    });
    try {
      const started = call(
        colleague,
        "startImport",
        { object: "partners", groupKey: null, sendInvites: false, allowRepeats: false },
        false,
      );
      expect(started).toMatchObject({ status: "running", rowsSent: 5_000 });

      const holder =
        /^admin@demo\.test is importing Partners from “Colleague partners”: 5,000 of 10,200 rows sent\. Only they can resume or cancel it, unless it stays idle for 30 minutes/;
      const sidebar = await openImporter(page, holder);
      expect(await progressOf(sidebar)).toEqual({
        value: 5_000,
        max: rows,
        line: "5,000 of 10,200 rows sent",
      });
      await sidebar.locator("#import-note").filter({ hasText: holder }).waitFor();
      expect(await sidebar.getByRole("button", { name: "Resume import" }).isVisible()).toBe(false);
      expect(await sidebar.getByRole("button", { name: "Cancel import" }).isVisible()).toBe(false);
    } finally {
      // The colleague ends it, so the spreadsheet is free for the tests after this one.
      call(colleague, "cancelImport");
      await colleague.close();
    }
  }, 120_000);

  it("Close sidebar ends the sidebar's page, as Sheets does, so nothing it was doing goes on unseen", async () => {
    await page.goto(running.previewUrl);
    await page.getByRole("tab", { selected: true }).waitFor();
    await openImporter(page);
    const aside = page.getByRole("complementary", { name: "Channel Importer" });
    await aside.getByRole("button", { name: "Close sidebar" }).click();
    await aside.waitFor({ state: "hidden" });
    // The sidebar's page is of another origin (as in Sheets), so its address cannot be read: a frame
    // whose page can be read (about:blank) no longer holds it.
    await page
      .waitForFunction(() =>
        [...document.querySelectorAll("iframe")].every((frame) => {
          try {
            return frame.contentWindow?.location.pathname !== "/sidebar";
          } catch {
            return false;
          }
        }),
      )
      .catch((error: Error) => {
        throw new Error(
          `The closed sidebar's page is still loaded (hidden), so its scripts go on calling the add-on.\n${error.message}`,
        );
      });
  }, 120_000);

  // The sidebar

  /**
   * Extensions › Channel Importer › Open importer; resolves once the sidebar says it is ready: by
   * default, that it has reached the demo program's service.
   */
  async function openImporter(
    on: Page,
    ready: string | RegExp = "Connected to Demo Partner Program.",
  ): Promise<FrameLocator> {
    await on.getByRole("menuitem", { name: "Extensions" }).click();
    await on.getByRole("menuitem", { name: "Channel Importer" }).click();
    await on.getByRole("menuitem", { name: "Open importer" }).click();
    const sidebar = on.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
    await sidebarSays(sidebar, ready);
    return sidebar;
  }

  /**
   * `Import`; resolves with the confirmation once it asks, before any row is sent: nothing is imported
   * until its `Confirm import`.
   */
  async function askToImport(sidebar: FrameLocator): Promise<Locator> {
    await sidebar.getByRole("button", { name: "Import", exact: true }).click();
    const confirmation = sidebar.locator("#import-confirm");
    await confirmation.getByRole("button", { name: "Confirm import" }).waitFor();
    await sidebarSays(sidebar, /^(Ready to import|About to import) /);
    expect(await sidebar.getByRole("button", { name: "Import", exact: true }).isVisible()).toBe(false);
    return confirmation;
  }

  /** `Open report`; resolves with the report tab's name once that tab is the selected one. */
  async function openReport(on: Page, sidebar: FrameLocator, name: RegExp): Promise<string> {
    await sidebar.getByRole("button", { name: "Open report" }).click();
    await sidebarSays(sidebar, /^Opened the report tab /);
    const tab = on.getByRole("tab", { name, selected: true });
    await tab.waitFor();
    const tabName = (await tab.textContent()) ?? "";
    expect(await sidebar.getByRole("status").textContent()).toBe(`Opened the report tab "${tabName}".`);
    await cellAt(on, "A1").filter({ hasText: "Source row" }).waitFor();
    return tabName;
  }

  // The service

  function apiKey(): string {
    return running.preview.document.properties.user[USER_SETTINGS.apiKey] ?? "";
  }

  /** GET from the service as the demo admin. */
  async function fromService<T>(path: string): Promise<T> {
    const response = await fetch(`${running.serviceUrl}${path}`, {
      headers: { authorization: `Bearer ${apiKey()}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  /** How many items a listing of the service holds, page by page. */
  async function countAll(path: string): Promise<number> {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { data: unknown[]; next_cursor: string | null } = await fromService(
        `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      count += page.data.length;
      cursor = page.next_cursor;
    } while (cursor);
    return count;
  }

  /** How many records of an object the service stores. */
  function recordCount(object: string): Promise<number> {
    return countAll(`/v1/${object}`);
  }

  /** How many imports (dry runs included) were started. */
  function importCount(): Promise<number> {
    return countAll("/v1/imports");
  }

  /** The record the service holds under a key (GET /v1/{object}?key=…), or undefined. */
  async function fetchRecord(object: string, key: string): Promise<Record<string, unknown> | undefined> {
    const response = await fetch(`${running.serviceUrl}/v1/${object}?key=${encodeURIComponent(key)}`, {
      headers: { authorization: `Bearer ${apiKey()}` },
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Record<string, unknown>[] };
    expect(data.length).toBeLessThanOrEqual(1);
    return data[0];
  }
});

function finding(sidebar: FrameLocator, message: string): Locator {
  return sidebar.locator("button.finding").filter({ hasText: message });
}

async function progressOf(sidebar: FrameLocator): Promise<{ value: number; max: number; line: string }> {
  const bar = sidebar.getByRole("progressbar", { name: "Import progress" });
  const { value, max } = await bar.evaluate((element) => {
    const progress = element as HTMLProgressElement;
    return { value: progress.value, max: progress.max };
  });
  return { value, max, line: (await sidebar.locator("#import-line").textContent()) ?? "" };
}

// The grid

/** Clicks a cell, types over it and presses Enter, as a person fixes a value. */
async function typeInto(page: Page, a1: string, text: string): Promise<void> {
  await cellAt(page, a1).click();
  await nameBoxShows(page, a1);
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

async function nameBoxShows(page: Page, a1: string): Promise<void> {
  await page
    .locator("#name-box")
    .filter({ hasText: new RegExp(`^${a1}$`) })
    .waitFor();
}

/** Waits until a cell shows `text` on the default background, without a note. */
async function expectPlain(page: Page, a1: string, text: string): Promise<void> {
  await waitForLook(page, a1, text, null);
  expect(await cellAt(page, a1).evaluate((cell) => cell.classList.contains("has-note"))).toBe(false);
}

/**
 * Waits until a cell shows as the add-on highlights it: the severity's colour, and a note (seen by
 * pointing at the cell) headed with the add-on's name and the severity, with the message on a line.
 */
async function expectHighlighted(
  page: Page,
  a1: string,
  severity: keyof typeof HIGHLIGHT_COLORS,
  message: string,
): Promise<void> {
  await waitForLook(page, a1, null, rgb(HIGHLIGHT_COLORS[severity]));
  await cellAt(page, a1).hover();
  const note = page.getByRole("tooltip");
  await note.filter({ hasText: message }).waitFor();
  const [head, ...lines] = ((await note.textContent()) ?? "").split("\n");
  expect(head).toMatch(new RegExp(`^Channel Importer · ${severity}\\b`));
  expect(lines).toContain(message);
}

/** Waits for a cell's text (unless null) and background colour (null: the default, none set). */
async function waitForLook(page: Page, a1: string, text: string | null, background: string | null) {
  const { row, column } = position(a1);
  const look = () =>
    page.evaluate(
      ({ row, column }) => {
        const cell = document.querySelector<HTMLElement>(`.cell[data-row="${row}"][data-column="${column}"]`);
        return cell
          ? {
              text: cell.textContent,
              background: cell.style.backgroundColor ? getComputedStyle(cell).backgroundColor : null,
            }
          : null;
      },
      { row, column },
    );
  await page
    .waitForFunction(
      ({ row, column, text, background }) => {
        const cell = document.querySelector<HTMLElement>(`.cell[data-row="${row}"][data-column="${column}"]`);
        if (!cell || (text !== null && cell.textContent !== text)) return false;
        const painted = cell.style.backgroundColor ? getComputedStyle(cell).backgroundColor : null;
        return painted === background;
      },
      { row, column, text, background },
    )
    .catch(async (error: Error) => {
      throw new Error(
        `${a1} never showed ${JSON.stringify({ text, background })}; it shows ${JSON.stringify(await look())}.\n${error.message}`,
      );
    });
}

/** "#f4c7c3" as the browser reports a computed colour: "rgb(244, 199, 195)". */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

// The report tab

/** The report's lines (source row, outcome, key, messages) below its header; the line after them is empty. */
async function reportLines(page: Page, count: number): Promise<string[][]> {
  expect(await rowTexts(page, 1, "A", "D")).toEqual(["Source row", "Outcome", "Key", "Messages"]);
  const lines: string[][] = [];
  for (let row = 2; row <= count + 1; row++) lines.push(await rowTexts(page, row, "A", "D"));
  expect(await rowTexts(page, count + 2, "A", "D")).toEqual(["", "", "", ""]);
  return lines;
}

/**
 * The summary beside the report's table (after it and a blank column; the table is as wide as the rows'
 * cells), read as a person does: scrolled to with Ctrl+→ from A1, as the grid draws only what is in view.
 */
async function reportSummary(page: Page): Promise<Record<string, string>> {
  await cellAt(page, "A1").click();
  await page.keyboard.press("Control+ArrowRight");
  const cellsOf = (row: number) =>
    page.evaluate(
      (r) =>
        Object.fromEntries(
          [...document.querySelectorAll(`.cell[data-row="${r}"]`)].map((cell) => [
            Number((cell as HTMLElement).dataset.column),
            cell.textContent ?? "",
          ]),
        ) as Record<number, string>,
      row,
    );
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.cell[data-row="1"]')].some((cell) => cell.textContent === "Import"),
  );
  const first = await cellsOf(1);
  const at = Number(Object.keys(first).find((column) => first[Number(column)] === "Import"));
  const summary: Record<string, string> = {};
  for (let row = 1; row <= 14; row++) {
    const cells = await cellsOf(row);
    // The tab holds only the lines it needs: past its last row there are no cells to read.
    if (cells[at] === undefined) break;
    if (cells[at]) summary[cells[at] as string] = cells[at + 1] ?? "";
  }
  return summary;
}

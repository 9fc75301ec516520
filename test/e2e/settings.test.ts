// Settings in npm start's preview, in Chromium: Test connection tests the key typed in the field, not
// the one saved.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { type RunningPreview, startPreview } from "../../src/emulator/start";
import { describeInChromium, launchChromium, newPreviewPage } from "./previewPage";

describeInChromium("Settings in the preview, in Chromium", () => {
  let dataDir: string;
  let running: RunningPreview;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "settings-e2e-"));
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

  /** Extensions › Channel Importer › Settings: the sidebar, opened on its Settings section. */
  async function openSettings(): Promise<FrameLocator> {
    await page.goto(running.previewUrl);
    await page.getByRole("menuitem", { name: "Extensions" }).click();
    await page.getByRole("menuitem", { name: "Channel Importer" }).click();
    await page.getByRole("menuitem", { name: "Settings" }).click();
    const frame = page.getByRole("complementary", { name: "Channel Importer" }).frameLocator("iframe");
    await frame.getByLabel("API key").waitFor();
    return frame;
  }

  it("a wrong key typed in the field reads as not valid, though the saved key works", async () => {
    const frame = await openSettings();
    const alert = frame.getByRole("alert");
    const status = frame.locator("#status");

    await frame.getByLabel("API key").fill("not-a-key-of-this-program");
    await frame.getByRole("button", { name: "Test connection" }).click();
    await alert.filter({ hasText: "The API key is not valid." }).waitFor();
    expect(await alert.textContent()).toContain("Check the API key in Settings");
    expect(await status.textContent()).not.toContain("Connected");
    expect(await frame.locator("#connection").textContent()).toBe("");

    // An empty key field means the saved key, which works.
    await frame.getByLabel("API key").fill("");
    await frame.getByRole("button", { name: "Test connection" }).click();
    await status.filter({ hasText: /^Connected to Demo Partner Program as / }).waitFor();
    expect(await alert.isHidden()).toBe(true);
  }, 60_000);
});

/** Chromium and the preview page, as the end-to-end tests drive them: launched, opened, pasted into. */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** The system's Chromium; playwright-core never downloads one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** A browser like a person's: a fresh profile (launch makes one), nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * `describe` where Chromium is installed. Elsewhere the tests are skipped, except in CI, where nothing
 * is skipped: there a failing test says what is missing.
 */
export function describeInChromium(name: string, tests: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(name, tests);
    return;
  }
  if (process.env.CI === "true")
    test("Chromium is installed for the end-to-end tests (CI skips nothing)", () => {
      throw new Error(`No Chromium at ${CHROMIUM}; set CHROMIUM_PATH or install Debian's chromium.`);
    });
  describe.skip(name, tests);
}

/** A new tab the size of a laptop's screen, allowed to use the clipboard (for paste). */
export function newPreviewPage(browser: Browser): Promise<Page> {
  return browser.newPage({
    viewport: { width: 1280, height: 800 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
}

/** Ctrl+V with text on the system clipboard. */
export async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((clip) => navigator.clipboard.writeText(clip), text);
  await page.keyboard.press("Control+V");
}

/** `Open CSV file`, as a person clicks it and picks a file; waits until its tab is the selected one. */
export async function openCsv(page: Page, name: string, text: string): Promise<void> {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Open CSV file" }).click();
  await (await chooser).setFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
  await page.getByRole("tab", { name: name.replace(/\.csv$/, ""), selected: true }).waitFor();
}

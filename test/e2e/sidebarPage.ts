/**
 * What the Chromium tests read off the preview: the importer sidebar's status line, findings, counts and
 * selects, and the grid's cells. Shared by the end-to-end suites, so each waits for things the same way.
 */
import type { FrameLocator, Locator, Page } from "playwright-core";

/**
 * Waits until the sidebar's status line says `text` (the exact sentence, or a pattern); fails with the
 * sidebar's error instead when it shows one.
 */
export async function sidebarSays(sidebar: FrameLocator, text: string | RegExp): Promise<void> {
  const status = sidebar.getByRole("status");
  const alert = sidebar.getByRole("alert");
  await status
    .filter({ hasText: text })
    .or(alert)
    .first()
    .waitFor()
    .catch(async (error: Error) => {
      throw new Error(
        `The sidebar never said ${String(text)}; it says "${await status.textContent()}".\n${error.message}`,
      );
    });
  if (await alert.isVisible()) throw new Error(`The sidebar shows an error: ${await alert.textContent()}`);
  if (typeof text === "string") expect(await status.textContent()).toBe(text);
}

/** The findings listed in a section, each as its button reads: "Error: B4 message". */
export async function findingsIn(section: Locator): Promise<string[]> {
  const texts = await section.locator("button.finding").allInnerTexts();
  return texts.map((text) => text.replace(/\s+/g, " ").trim());
}

/** A definition list of counts (label → value), as the sidebar shows them under a section. */
export function countsIn(section: Locator): Promise<Record<string, string>> {
  return section
    .locator("dl")
    .first()
    .evaluate((list) => {
      const counts: Record<string, string> = {};
      for (const term of list.querySelectorAll("dt"))
        counts[term.textContent ?? ""] = term.nextElementSibling?.textContent ?? "";
      return counts;
    });
}

/** The texts of a select's options, in order. */
export function optionTexts(select: Locator): Promise<string[]> {
  return select.evaluate((element) =>
    [...(element as HTMLSelectElement).options].map((option) => option.text),
  );
}

/** The text of a select's chosen option ("" when none). */
export function selectedText(select: Locator): Promise<string> {
  return select.evaluate((element) => {
    const chosen = element as HTMLSelectElement;
    return chosen.options[chosen.selectedIndex]?.text ?? "";
  });
}

// The grid

/** The cell at an A1 reference, as the grid draws it. */
export function cellAt(page: Page, a1: string): Locator {
  const { row, column } = position(a1);
  return page.locator(`.cell[data-row="${row}"][data-column="${column}"]`);
}

export function position(a1: string): { row: number; column: number } {
  const match = /^([A-Z]+)(\d+)$/.exec(a1);
  if (!match) throw new Error(`Not a cell reference: ${a1}`);
  const column = [...(match[1] as string)].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0);
  return { row: Number(match[2]), column };
}

/** The texts of a row's cells from one column to another. */
export async function rowTexts(page: Page, row: number, from: string, to: string): Promise<string[]> {
  const texts: string[] = [];
  for (let c = position(`${from}1`).column; c <= position(`${to}1`).column; c++)
    texts.push((await page.locator(`.cell[data-row="${row}"][data-column="${c}"]`).textContent()) ?? "");
  return texts;
}

/** A number or date cell, as the grid draws one (right-aligned); a text cell is not. */
export function isNumberCell(page: Page, a1: string): Promise<boolean> {
  return cellAt(page, a1).evaluate((cell) => cell.classList.contains("number"));
}

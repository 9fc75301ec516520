/**
 * `Fix N cells`: cells in a common form of a value (`3/18/2026`, `$1,234.56`, `Open`) that the importer
 * reads as its canonical form. The first are listed before → after; the button rewrites them all in the
 * sheet (Sheets' Undo takes it back) and shows what it changed, then the tab checked again.
 */
import type { FixResult, FixView } from "../src/addon/contract";
import { checkSummary, runCheck, sheetOf } from "./checks";
import { callServer } from "./serverClient";
import { onShownChange, type TabRecord } from "./tabState";
import { countOf, element, fill, formatCount, requireElement } from "./view";

const panel = requireElement<HTMLDivElement>("#fix-panel");
const intro = requireElement<HTMLParagraphElement>("#fix-intro");
const list = requireElement<HTMLUListElement>("#fix-list");
const more = requireElement<HTMLParagraphElement>("#fix-more");
const fixButton = requireElement<HTMLButtonElement>("#fix-cells");
const done = requireElement<HTMLDivElement>("#fix-result");

/** "A3 partner_joined_date: 3/18/2026 → 2026-03-18" */
function fixItem(fix: FixView): HTMLLIElement {
  return element(
    "li",
    "fix",
    element("span", "finding-where", fix.a1),
    ` ${fix.field}: `,
    element("span", "fix-from", fix.from),
    " → ",
    element("span", "fix-to", fix.to),
  );
}

function render(record: TabRecord): void {
  renderDone(record.fixed);
  const view = record.view;
  const fixable = view && !view.blocked ? view.fixable : 0;
  panel.hidden = fixable === 0;
  if (!view || fixable === 0) return;
  intro.textContent = `${countOf(fixable, "cell holds", "cells hold")} a common form of a value; the importer reads ${fixable === 1 ? "it" : "them"} as shown after the arrow.`;
  list.replaceChildren(...view.fixes.map(fixItem));
  const unlisted = fixable - view.fixes.length;
  more.textContent = unlisted > 0 ? `and ${countOf(unlisted, "more cell")}.` : "";
  more.hidden = unlisted <= 0;
  fixButton.textContent = `Fix ${countOf(fixable, "cell")}`;
}

function renderDone(fixed: FixResult | null): void {
  if (!fixed) {
    fill(done);
    return;
  }
  const unlisted = fixed.fixed - fixed.changes.length;
  fill(
    done,
    element(
      "p",
      "callout callout-ok",
      `Fixed ${countOf(fixed.fixed, "cell")}. Undo in Sheets (Ctrl+Z) puts ${fixed.fixed === 1 ? "it" : "them"} back as ${fixed.fixed === 1 ? "it was" : "they were"}.`,
    ),
    fixed.changes.length > 0 ? element("ul", "fixes", ...fixed.changes.map(fixItem)) : null,
    unlisted > 0 ? element("p", "panel-note", `and ${countOf(unlisted, "more cell")}.`) : null,
    fixed.skipped > 0
      ? element(
          "p",
          "panel-note",
          `${countOf(fixed.skipped, "cell was", "cells were")} left as ${fixed.skipped === 1 ? "it was" : "they were"}: changed since the check, or holding a formula.`,
        )
      : null,
  );
}

async function fixCells(): Promise<void> {
  await runCheck({
    working: "Fixing the cells…",
    work: (choice) => callServer("fixCells", choice),
    viewOf: (fixed) => fixed.validation,
    fixedOf: (fixed) => fixed,
    said: (fixed, view) =>
      `Fixed ${countOf(fixed.fixed, "cell")} in ${sheetOf(view)}${fixed.skipped > 0 ? ` (${formatCount(fixed.skipped)} left as they were)` : ""}. ${checkSummary(view)}`,
  });
}

fixButton.addEventListener("click", fixCells);
onShownChange(render);

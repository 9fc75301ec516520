/**
 * What an import changed (a dry run: would change) in the records it updates, counted per field from the
 * add-on's progress: "3 partners would change email", most frequent first, the rest in one line.
 */
import type { FieldChangeCount, ImportProgress } from "../src/addon/contract";
import { countOf, element } from "./view";

/** Fields listed one a line; the others are counted in the last line. */
const SHOWN_FIELDS = 6;

/** The heading and the list of fields changed, or nothing when no stored value changes. */
export function changeCountParts(
  view: Pick<ImportProgress, "label" | "dryRun">,
  counts: readonly FieldChangeCount[] = [],
  heading: "h3" | "h4" = "h3",
): HTMLElement[] {
  if (counts.length === 0) return [];
  const lines = counts.slice(0, SHOWN_FIELDS).map((count) => changeSentence(view, count));
  const rest = counts.length - SHOWN_FIELDS;
  if (rest > 0) lines.push(`and ${countOf(rest, "more field")}`);
  const list = element("ul", "change-counts", ...lines.map((line) => element("li", null, line)));
  return [
    element(heading, null, view.dryRun ? "Stored values that would change" : "Stored values changed"),
    list,
    element(
      "p",
      "panel-note",
      view.dryRun
        ? "Each changed cell's note in the sheet says the stored value and the new one."
        : "Each changed cell's note in the sheet says the value it had and the new one.",
    ),
  ];
}

/** "3 partners would change email" (after an import: "email changed on 3 partners"). */
export function changeSentence(
  view: Pick<ImportProgress, "label" | "dryRun">,
  count: FieldChangeCount,
): string {
  const plural = view.label.toLowerCase();
  const records = countOf(count.records, plural.replace(/s$/, ""), plural);
  return view.dryRun
    ? `${records} would change ${count.words}`
    : `${capitalised(count.words)} changed on ${records}`;
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

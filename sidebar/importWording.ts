/** How the sidebar words an import's counts: the same labels in the progress, the result and the confirmation. */
import type { ImportCounts, ObjectName } from "../src/addon/contract";
import { catalogueObject } from "./catalogue";
import { countOf, formatCount } from "./view";

/** Label and value of each count; repeats where the object's rows can repeat an earlier import's. */
export function countRows(object: ObjectName, dryRun: boolean, counts: ImportCounts): [string, number][] {
  const { created, updated, skipped, repeats } = counts;
  const rows: [string, number][] = dryRun
    ? [
        ["Would be created", created],
        ["Would be updated", updated],
        ["Would be skipped", skipped],
      ]
    : [
        ["Created", created],
        ["Updated", updated],
        ["Skipped", skipped],
      ];
  if (repeats > 0 || catalogueObject(object)?.repeats) rows.push(["Repeats", repeats]);
  return rows;
}

/** "4 would be created, 0 would be updated, 1 would be skipped" (repeats have a sentence of their own). */
export function countsSentence(object: ObjectName, dryRun: boolean, counts: ImportCounts): string {
  return countRows(object, dryRun, counts)
    .filter(([label]) => label !== "Repeats")
    .map(([label, value]) => `${formatCount(value)} ${label.toLowerCase()}`)
    .join(", ");
}

/**
 * What became of the rows that match an earlier import (or another row of the sheet), or "" when none
 * did: "6 rows match an earlier import or another row of the sheet and will be skipped."
 */
export function repeatsSentence(dryRun: boolean, allowRepeats: boolean, repeats: number): string {
  if (repeats === 0) return "";
  const rows = countOf(repeats, "row");
  if (dryRun)
    return `${rows} ${repeats === 1 ? "matches" : "match"} an earlier import or another row of the sheet and will be ${allowRepeats ? "imported again" : "skipped"}.`;
  return `${rows} matched an earlier import or another row of the sheet and ${repeats === 1 ? "was" : "were"} ${allowRepeats ? "imported again" : "skipped"}.`;
}

/**
 * How fast an import goes and when it should be done, measured over the run so far: "1,250 rows per
 * second · about 40 s left"; "" before anything can be measured.
 */
export function paceLine(rowsPerSecond: number, rowsLeft: number): string {
  if (!Number.isFinite(rowsPerSecond) || rowsPerSecond <= 0) return "";
  const rate =
    rowsPerSecond < 1
      ? "under 1 row per second"
      : `${formatCount(Math.round(rowsPerSecond))} rows per second`;
  const left = timeLeft(rowsLeft / rowsPerSecond);
  return left ? `${rate} · ${left}` : rate;
}

/** "about 40 s left", "about 3 min left", "about 1 h 20 min left"; rounded, as an estimate should be. */
export function timeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "";
  if (seconds < 10) return "a few seconds left";
  if (seconds < 60) return `about ${Math.min(Math.round(seconds / 5) * 5, 55)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest > 0 ? ` ${rest} min` : ""} left`;
}

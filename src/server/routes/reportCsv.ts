import type { RowResult } from "../imports/types";

/**
 * The report as CSV. A value a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) is written with a leading apostrophe, so it is shown, never run.
 */
export function reportCsv(results: readonly RowResult[]): string {
  const lines = [["row", "outcome", "object_key", "codes", "messages"]];
  for (const r of results)
    lines.push([
      String(r.row),
      r.outcome,
      r.object_key ?? "",
      r.issues.map((i) => i.code).join(" "),
      r.issues.map((i) => `${i.severity === "error" ? "Error" : "Warning"}: ${i.message}`).join("; "),
    ]);
  return `${lines.map((l) => l.map((v) => csvCell(safeForSpreadsheet(v))).join(",")).join("\r\n")}\r\n`;
}

export function safeForSpreadsheet(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

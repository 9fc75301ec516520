/** A list of findings, each a button that selects its cell in the sheet. */
import type { Finding } from "../src/addon/contract";
import { callServer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { element } from "./view";

/** Fills `list` (a <ul>) with the findings. */
export function renderFindings(list: HTMLElement, findings: readonly Finding[]): void {
  list.replaceChildren(...findings.map((finding) => element("li", null, findingItem(finding))));
}

function findingItem(finding: Finding): HTMLButtonElement {
  const where = finding.a1 ?? (finding.column === null ? `Row ${finding.row}` : `Column ${finding.column}`);
  const severity = finding.severity === "error" ? "Error" : "Warning";
  const suggestion =
    finding.suggestion && !finding.message.includes(finding.suggestion)
      ? element("span", "finding-suggestion", `Did you mean "${finding.suggestion}"?`)
      : null;
  const parts = [
    element("span", "visually-hidden", `${severity}: `),
    element("span", "finding-where", where),
    element("span", "finding-message", finding.message),
    suggestion,
  ];
  const button = element("button", `finding finding-${finding.severity}`, ...parts);
  button.type = "button";
  button.addEventListener("click", async () => {
    const done = await runTask(`Selecting ${where}…`, async () => {
      await callServer("selectCell", finding.sheetId, finding.row, finding.column);
      return true;
    });
    if (done) showStatus(`Selected ${where} in the sheet.`);
  });
  return button;
}

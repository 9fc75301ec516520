/**
 * `Undo import`: takes back the last import of the tab on screen (never a dry run). Each tab remembers
 * its last import (TabState.lastImport) when the import finishes; the sidebar first shows what the undo
 * would do (the service's dry run of it), then undoes that same import once the person confirms.
 */
import { OBJECT_LABELS, type ObjectName } from "../core/catalogue";
import type { TabImport, UndoRefusal, UndoView } from "./contract";
import type { ImportResource, ImportState } from "./importRun";
import { ServiceError, serviceRequest } from "./serviceClient";
import { rememberSheetName } from "./sheetTable";
import { readTab, rememberedChoice, updateTab } from "./tabState";

/** What `POST /v1/imports/{id}/undo` answers. */
interface UndoAnswer {
  import: ImportResource;
  undo: {
    dry_run: boolean;
    at: string;
    by: string;
    removed: number;
    restored: number;
    refused: { record_key: string | null; row: number | null; code: string; reason: string }[];
    invites_sent: number;
    invites_withdrawn: number;
  };
}

/** Records a finished import (not a dry run) as its tab's last, the one `Undo import` takes back. */
export function rememberTabImport(state: ImportState): void {
  const last: TabImport = {
    importId: state.importId,
    object: state.object,
    label: OBJECT_LABELS[state.object],
    finishedAt: state.finishedAt ?? new Date().toISOString(),
    counts: { created: state.counts.created, updated: state.counts.updated },
    undone: false,
  };
  // The tab is of what it was imported as, with these options, from now on.
  const choice = state.choice ? rememberedChoice(state.choice) : null;
  updateTab(state.sheetId, (tab) =>
    choice ? { ...tab, choice, guessed: false, lastImport: last } : { ...tab, lastImport: last },
  );
}

/** What undoing the last import of the tab on screen would do; nothing is changed. */
export function previewTabUndo(): UndoView {
  const { sheetId, sheetName, last } = tabImport();
  return askUndo(sheetId, sheetName, last, true);
}

/**
 * Undoes the last import of the tab on screen. `importId` is the import the preview showed: when the
 * tab's last import is another one now (someone imported meanwhile), nothing is undone.
 */
export function undoTabImport(importId: unknown): UndoView {
  const { sheetId, sheetName, last } = tabImport();
  if (typeof importId !== "string" || last.importId !== importId)
    throw new Error(
      `"${sheetName}" was imported again since you asked: nothing was undone. Press Undo import to see what undoing its last import would do.`,
    );
  const view = askUndo(sheetId, sheetName, last, false);
  markUndone(sheetId, last.importId);
  return view;
}

function tabImport(): { sheetId: number; sheetName: string; last: TabImport } {
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
  const last = readTab(sheetId)?.lastImport;
  if (!last)
    throw new Error(
      `No import from "${sheetName}" to undo: Undo import takes back the last import of the tab on screen (a dry run changes nothing).`,
    );
  if (last.undone)
    throw new Error(`The last import of ${last.label.toLowerCase()} from "${sheetName}" is undone already.`);
  return { sheetId, sheetName, last };
}

function askUndo(sheetId: number, sheetName: string, last: TabImport, dryRun: boolean): UndoView {
  let answer: UndoAnswer;
  try {
    answer = serviceRequest<UndoAnswer>(
      "POST",
      `v1/imports/${last.importId}/undo`,
      dryRun ? { dry_run: true } : {},
    );
  } catch (error) {
    if (error instanceof ServiceError && error.code === "already_undone") markUndone(sheetId, last.importId);
    throw new Error(refusalOf(error, last, sheetName));
  }
  const { undo } = answer;
  const refused: UndoRefusal[] = undo.refused.map((r) => ({
    recordKey: r.record_key,
    row: r.row,
    code: r.code,
    reason: r.reason,
  }));
  return {
    importId: last.importId,
    object: last.object,
    label: last.label,
    sheetName,
    dryRun,
    removed: undo.removed,
    restored: undo.restored,
    refused,
    invitesSent: undo.invites_sent,
    invitesWithdrawn: undo.invites_withdrawn,
    importStatus: answer.import.status,
    summary: undoSummary(last.object, dryRun, undo.removed, undo.restored, refused, undo.invites_sent),
  };
}

function markUndone(sheetId: number, importId: string): void {
  updateTab(sheetId, (tab) =>
    tab.lastImport?.importId === importId ? { ...tab, lastImport: { ...tab.lastImport, undone: true } } : tab,
  );
}

/** Why the importer would not undo, in plain words. */
function refusalOf(error: unknown, last: TabImport, sheetName: string): string {
  const what = `The import of ${last.label.toLowerCase()} from "${sheetName}"`;
  if (!(error instanceof ServiceError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case "already_undone":
      return `${what} was undone already (perhaps by someone else): there is nothing left to take back.`;
    case "import_open":
      return `${what} is still being processed by the importer; it can be undone once it has finished.`;
    case "dry_run_import":
      return `${what} was a dry run: it changed nothing, so there is nothing to undo.`;
    default:
      return error.status === 404 && error.code !== null
        ? `The importer no longer knows the import of ${last.label.toLowerCase()} from "${sheetName}", so it cannot be undone.`
        : error.message;
  }
}

/**
 * "Removes 4 partners created, restores 2 partners updated; 1 can't be undone: <reason>. 1 invite email
 * was sent already and cannot be unsent." (done: "Removed …, restored …").
 */
export function undoSummary(
  object: ObjectName,
  dryRun: boolean,
  removed: number,
  restored: number,
  refused: readonly UndoRefusal[],
  invitesSent: number,
): string {
  const one = OBJECT_LABELS[object].toLowerCase().replace(/s$/, "");
  const records = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? one : `${one}s`}`;
  const [remove, restore] = dryRun ? ["Removes", "restores"] : ["Removed", "restored"];
  let text =
    removed === 0 && restored === 0
      ? dryRun
        ? "Nothing would be undone"
        : "Nothing was undone"
      : `${remove} ${records(removed)} created, ${restore} ${records(restored)} updated`;
  if (refused.length > 0) {
    const reasons = refused.slice(0, 3).map((r) => r.reason.replace(/[.\s]+$/, ""));
    const more = refused.length > 3 ? `; and ${refused.length - 3} more` : "";
    text += `; ${refused.length.toLocaleString("en-US")} can't be undone: ${reasons.join("; ")}${more}`;
  }
  text += ".";
  if (invitesSent > 0) {
    const emails = `${invitesSent.toLocaleString("en-US")} invite email${invitesSent === 1 ? "" : "s"}`;
    text += ` ${emails} ${invitesSent === 1 ? "was" : "were"} sent already and cannot be unsent.`;
  }
  return text;
}

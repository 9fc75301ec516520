/**
 * Who holds an import: the person who started it (or took it over). Collaborators share the document's
 * properties, so without this anyone's sidebar would resume someone else's import with their own key.
 * A person is known by Session.getTemporaryActiveUserKey(), which needs no OAuth scope of its own; the
 * importer's answer gives the e-mail shown to the others.
 */
import { OBJECT_LABELS, type ObjectName } from "../core/catalogue";

/** After this long without moving, an import may be taken over by anyone. */
export const TAKE_OVER_AFTER_MS = 30 * 60_000;

export interface ImportOwner {
  /** Session.getTemporaryActiveUserKey() of the person. */
  key: string;
  /** Their e-mail as the importer knows them; null until known. */
  email: string | null;
}

/** What of an import's state the owner's rule reads. */
export interface OwnedImport {
  object: ObjectName;
  dryRun: boolean;
  sheetName: string;
  rowsSent: number;
  rowsTotal: number;
  owner?: ImportOwner;
  /** Epoch milliseconds it last moved (started, sent rows, stopped). */
  movedAt?: number;
}

/** The person at the keyboard, as this spreadsheet's import record names them. */
export function currentUserKey(): string {
  return Session.getTemporaryActiveUserKey();
}

/** Someone else's import, as the person `me` sees it; null when it is theirs (or nobody's). */
export interface OtherHolder {
  email: string | null;
  idleMs: number;
  mayTakeOver: boolean;
}

export function otherHolder(state: OwnedImport, me: string, now = Date.now()): OtherHolder | null {
  if (!state.owner || state.owner.key === me) return null;
  const idleMs = Math.max(0, now - (state.movedAt ?? 0));
  return { email: state.owner.email, idleMs, mayTakeOver: idleMs >= TAKE_OVER_AFTER_MS };
}

/** "ops@demo.test is importing Partners from “Sheet1”: 4,000 of 20,000 rows" */
export function holderLine(state: OwnedImport, holder: OtherHolder): string {
  const who = holder.email ?? "Someone else";
  const doing = state.dryRun ? "running a dry run of" : "importing";
  return `${who} is ${doing} ${OBJECT_LABELS[state.object]} from “${state.sheetName}”: ${count(state.rowsSent)} of ${count(state.rowsTotal)} rows`;
}

/** Why this person may not resume, cancel or start over someone else's import, or that they now may. */
export function holderRule(holder: OtherHolder): string {
  if (holder.mayTakeOver)
    return `It has not moved for ${minutes(holder.idleMs)}: you may take it over with Resume import or Cancel import.`;
  const left = Math.max(1, Math.ceil((TAKE_OVER_AFTER_MS - holder.idleMs) / 60_000));
  return `Only they can resume or cancel it, unless it stays idle for 30 minutes (${left} more minute${left === 1 ? "" : "s"}).`;
}

function minutes(ms: number): string {
  const n = Math.floor(ms / 60_000);
  return `${count(n)} minute${n === 1 ? "" : "s"}`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

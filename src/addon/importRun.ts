/**
 * A chunked import (or dry run) of a sheet, driven by the sidebar as many short calls. Its state lives
 * in the document's properties, so a closed sidebar or a failed call leaves it resumable; each chunk
 * has a fixed sequence number, and the service applies a chunk sent twice only once.
 */
import { OBJECT_LABELS, type ObjectName } from "../core/catalogue";
import type { Issue } from "../core/issues";
import { dateFormatter } from "../core/values";
import type { Finding, ImportChoice, ImportProgress, ImportStatus } from "./contract";
import { readState, writeState } from "./documentState";
import { Marks, paintBlock, wholeSheetBlock } from "./highlights";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { writeReportTab } from "./reportTab";
import { ServiceError, serviceRequest, settledServiceCalls } from "./serviceClient";
import { headerPlanOf, MAX_FINDINGS, toFinding } from "./sheetCheck";
import { isBlankRow, readTable, rememberSheetName, sheetById, spreadsheetTimeZone } from "./sheetTable";

/** Rows a chunk carries (DESIGN: at least 500). */
export const CHUNK_ROWS = 1000;
/** Chunks read with one getValues and sent with one fetchAll. */
const CHUNKS_PER_BATCH = 5;
/** Chunks one sidebar call sends at most, so the progress bar moves. */
const CHUNKS_PER_CALL = 10;
/** Work one sidebar call starts; Apps Script allows 6 minutes, a person waits for far less. */
const CALL_BUDGET_MS = 20_000;

type Cell = string | number | boolean | null;

interface ChunkPlan {
  /** Sheet rows the chunk spans (blank rows among them are not sent). */
  first: number;
  last: number;
  rows: number;
  /** Fingerprint of its rows as they were checked: a different one means the sheet changed. */
  hash: string;
}

interface ImportState {
  importId: string;
  object: ObjectName;
  dryRun: boolean;
  sheetId: number;
  sheetName: string;
  width: number;
  timeZone: string;
  chunks: ChunkPlan[];
  nextSeq: number;
  rowsSent: number;
  counts: { created: number; updated: number; skipped: number };
  issuedUsdCents: number | null;
  status: ImportStatus;
  /** All chunks sent: what is left is completing the import and writing its report. */
  finishing: boolean;
  message: string | null;
  resumable: boolean;
  reportSheet: string | null;
  skippedFindings: Finding[];
}

interface ChunkResponse {
  results: { row: number; outcome: "created" | "updated" | "skipped"; amount_usd_cents?: number }[];
  counts: { rows: number; created: number; updated: number; skipped: number };
}

export interface ImportResource {
  id: string;
  object: ObjectName;
  status: string;
  options: { group_key: string | null; send_invites: boolean; dry_run: boolean };
  source: { kind: string; name?: string };
  counts: { rows: number; created: number; updated: number; skipped: number };
  issued_usd_cents?: number;
  user: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface ReportResult {
  row: number;
  outcome: "created" | "updated" | "skipped";
  object_key: string | null;
  issues: Issue[];
  amount_usd_cents?: number;
}

/** Starts an import of the active sheet and sends its first chunks. */
export function startSheetImport(input: ImportChoice, dryRun: boolean): ImportProgress {
  const active = readState<ImportState>("import");
  if (active && (active.status === "running" || active.status === "stopped"))
    throw new Error(
      `An import of ${OBJECT_LABELS[active.object]} from "${active.sheetName}" is not finished (${active.rowsSent.toLocaleString("en-US")} of ${totalRows(active).toLocaleString("en-US")} rows sent): resume it or cancel it first.`,
    );
  const choice = readChoice(input);
  writeState("choice", choice);
  const timeZone = spreadsheetTimeZone();
  const { catalogue } = fetchCatalogue();
  const spec = specFor(choice, catalogue);
  const sheet = SpreadsheetApp.getActiveSheet();
  const sheetId = sheet.getSheetId();
  const sheetName = sheet.getName();
  rememberSheetName(sheetId, sheetName);
  const table = readTable(sheet, sheetId);
  const { values, headerIndex } = table;
  const plan = headerPlanOf(spec, values, headerIndex);
  if (plan.blocked)
    throw new Error(
      `The header row needs fixing before anything is imported: ${plan.alerts
        .filter((a) => a.severity === "error")
        .map((a) => a.message)
        .join(" ")} Validate shows it in the sheet.`,
    );

  const width = values[headerIndex]?.length ?? 0;
  const toCells = wireCells(timeZone, width);
  const rows: { row: number; cells: Cell[] }[] = [];
  for (let i = headerIndex + 1; i < values.length; i++)
    if (!isBlankRow(values[i] as unknown[]))
      rows.push({ row: i + 1, cells: toCells(values[i] as unknown[]) });
  if (rows.length === 0)
    throw new Error(`There are no rows under the header row of "${sheetName}" to import.`);

  const chunks: ChunkPlan[] = [];
  const rowsOfChunk: { row: number; cells: Cell[] }[][] = [];
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    const part = rows.slice(at, at + CHUNK_ROWS);
    rowsOfChunk.push(part);
    chunks.push({
      first: (part[0] as { row: number }).row,
      last: (part[part.length - 1] as { row: number }).row,
      rows: part.length,
      hash: fingerprint(part),
    });
  }

  const started = serviceRequest<ImportResource>("POST", "v1/imports", {
    object: choice.object,
    options: { group_key: choice.groupKey ?? undefined, send_invites: choice.sendInvites, dry_run: dryRun },
    headers: toCells(values[headerIndex] ?? []),
    total_rows: rows.length,
    source: { kind: "sheet", name: sheetName },
    client_token: Utilities.getUuid(),
  });
  const state: ImportState = {
    importId: started.id,
    object: choice.object,
    dryRun,
    sheetId,
    sheetName,
    width,
    timeZone,
    chunks,
    nextSeq: 0,
    rowsSent: 0,
    counts: { created: 0, updated: 0, skipped: 0 },
    issuedUsdCents: choice.object === "rewards" ? 0 : null,
    status: "running",
    finishing: false,
    message: null,
    resumable: true,
    reportSheet: null,
    skippedFindings: [],
  };
  writeState("import", state);
  return drive(state, Date.now(), (seq) => rowsOfChunk[seq] ?? null);
}

/** Sends the next chunks of the import under way (or finishes it); the sidebar calls it until done. */
export function continueRunningImport(): ImportProgress {
  const state = readState<ImportState>("import");
  if (!state) throw new Error("There is no import to resume in this spreadsheet.");
  if (state.status === "completed" || state.status === "cancelled") return progressOf(state);
  return drive(state, Date.now(), null);
}

/** Cancels the import under way: rows already sent stay imported; the rest are not sent. */
export function cancelRunningImport(): ImportProgress | null {
  const state = readState<ImportState>("import");
  if (!state || state.status === "completed" || state.status === "cancelled")
    return state ? progressOf(state) : null;
  try {
    serviceRequest("POST", `v1/imports/${state.importId}/cancel`);
    state.status = "cancelled";
    state.message = `Cancelled after ${state.rowsSent.toLocaleString("en-US")} of ${totalRows(state).toLocaleString("en-US")} rows.`;
  } catch (error) {
    if (!(error instanceof ServiceError && error.code === "import_closed")) throw error;
    state.status = "completed";
    state.message = error.message;
  }
  state.resumable = false;
  writeState("import", state);
  return progressOf(state);
}

/** The import under way, if there is one, for a sidebar that opens. */
export function unfinishedImport(): ImportProgress | null {
  const state = readState<ImportState>("import");
  return state && (state.status === "running" || state.status === "stopped") ? progressOf(state) : null;
}

/**
 * Sends chunks until they are all sent, the call's share of work is spent, or something stops it;
 * then completes the import and writes its report. A failure leaves the state resumable.
 * `inMemory` gives a chunk's rows when this execution has just read them (the first call).
 */
function drive(
  state: ImportState,
  startedAt: number,
  inMemory: ((seq: number) => { row: number; cells: Cell[] }[] | null) | null,
): ImportProgress {
  state.status = "running";
  state.message = null;
  state.resumable = true;
  try {
    let sheet: GoogleAppsScript.Spreadsheet.Sheet | null = null;
    let sent = 0;
    while (!state.finishing && sent < CHUNKS_PER_CALL && Date.now() - startedAt < CALL_BUDGET_MS) {
      const seqs: number[] = [];
      for (
        let s = state.nextSeq;
        s < state.chunks.length && seqs.length < Math.min(CHUNKS_PER_BATCH, CHUNKS_PER_CALL - sent);
        s++
      )
        seqs.push(s);
      if (seqs.length === 0) {
        state.finishing = true;
        break;
      }
      let batch = seqs.map((seq) => inMemory?.(seq) ?? null);
      if (batch.some((rows) => rows === null)) {
        sheet ??= sheetById(state.sheetId, state.sheetName);
        batch = readChunks(sheet, state, seqs);
        const changed = seqs.findIndex((seq, i) => fingerprint(batch[i] ?? []) !== state.chunks[seq]?.hash);
        if (changed >= 0) return stop(state, changedMessage(state, seqs[changed] as number), true);
      }
      const responses = settledServiceCalls<ChunkResponse>(
        seqs.map((seq, i) => ({
          method: "PUT",
          path: `v1/imports/${state.importId}/chunks/${seq}`,
          body: { rows: batch[i] },
        })),
      );
      // Chunks that went through count even when a later one of the batch failed.
      const failed = responses.findIndex((settled) => "error" in settled);
      const through = (failed < 0 ? responses : responses.slice(0, failed)).map(
        (settled) => (settled as { value: ChunkResponse }).value,
      );
      through.forEach((response, i) => {
        const plan = state.chunks[seqs[i] as number] as ChunkPlan;
        state.nextSeq = (seqs[i] as number) + 1;
        state.rowsSent += plan.rows;
        state.counts.created += response.counts.created;
        state.counts.updated += response.counts.updated;
        state.counts.skipped += response.counts.skipped;
        if (state.issuedUsdCents !== null)
          for (const r of response.results) state.issuedUsdCents += r.amount_usd_cents ?? 0;
      });
      sent += through.length;
      if (state.nextSeq >= state.chunks.length) state.finishing = true;
      writeState("import", state);
      const failure = responses[failed];
      if (failure && "error" in failure) throw failure.error;
    }
    if (state.finishing && Date.now() - startedAt < CALL_BUDGET_MS) finish(state);
    writeState("import", state);
    return progressOf(state);
  } catch (error) {
    return stop(state, error instanceof Error ? error.message : String(error), true);
  }
}

function stop(state: ImportState, message: string, resumable: boolean): ImportProgress {
  state.status = "stopped";
  state.message = message;
  state.resumable = resumable;
  writeState("import", state);
  return progressOf(state);
}

function changedMessage(state: ImportState, seq: number): string {
  const plan = state.chunks[seq] as ChunkPlan;
  const done = state.rowsSent.toLocaleString("en-US");
  return `Rows ${plan.first}–${plan.last} of "${state.sheetName}" changed after the import checked them, so it stopped (${done} rows were sent before). Undo the change and resume, or cancel, validate the sheet again and import the remaining rows.`;
}

/** The rows of some consecutive chunks, read with one getValues. */
function readChunks(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  state: ImportState,
  seqs: readonly number[],
): { row: number; cells: Cell[] }[][] {
  const first = (state.chunks[seqs[0] as number] as ChunkPlan).first;
  const last = (state.chunks[seqs[seqs.length - 1] as number] as ChunkPlan).last;
  const values = sheet
    .getRange(first, 1, last - first + 1, Math.max(state.width, 1))
    .getValues() as unknown[][];
  const toCells = wireCells(state.timeZone, state.width);
  return seqs.map((seq) => {
    const plan = state.chunks[seq] as ChunkPlan;
    const rows: { row: number; cells: Cell[] }[] = [];
    for (let r = plan.first; r <= plan.last; r++) {
      const cells = values[r - first] as unknown[];
      if (!isBlankRow(cells)) rows.push({ row: r, cells: toCells(cells) });
    }
    return rows;
  });
}

/** Completes the import, highlights the rows the service skipped, and writes the report tab. */
function finish(state: ImportState): void {
  const done = serviceRequest<ImportResource>("POST", `v1/imports/${state.importId}/complete`);
  const report = serviceRequest<{ import: ImportResource; results: ReportResult[] }>(
    "GET",
    `v1/imports/${state.importId}/report`,
  );
  state.counts = { created: done.counts.created, updated: done.counts.updated, skipped: done.counts.skipped };
  if (state.issuedUsdCents !== null) state.issuedUsdCents = done.issued_usd_cents ?? state.issuedUsdCents;

  const marks = new Marks();
  const skipped: Issue[] = [];
  for (const result of report.results)
    if (result.outcome === "skipped")
      for (const issue of result.issues) {
        marks.add(issue, "service");
        skipped.push(issue);
      }
  const spreadsheet = SpreadsheetApp.getActive();
  const sheet = spreadsheet.getSheetById(state.sheetId);
  if (sheet) {
    const data = sheet.getDataRange();
    const block = wholeSheetBlock(sheet, state.sheetId, data, data.getNumRows(), data.getNumColumns());
    paintBlock(state.sheetId, block, marks);
  }
  state.skippedFindings = skipped.slice(0, MAX_FINDINGS).map((issue) => toFinding(state.sheetId, issue));
  if (!state.dryRun) {
    state.reportSheet = writeReportTab(spreadsheet, report.import, report.results, state.timeZone);
    writeState("lastReport", state.reportSheet);
    // The new tab became the active one; the person goes on working in the sheet they imported.
    sheet?.activate();
  }
  state.status = "completed";
  state.finishing = false;
}

export function progressOf(state: ImportState): ImportProgress {
  return {
    importId: state.importId,
    object: state.object,
    label: OBJECT_LABELS[state.object],
    dryRun: state.dryRun,
    status: state.status,
    sheetName: state.sheetName,
    rowsTotal: totalRows(state),
    rowsSent: state.rowsSent,
    chunksTotal: state.chunks.length,
    chunksSent: state.nextSeq,
    counts: { ...state.counts },
    issuedUsdCents: state.issuedUsdCents,
    message: state.message,
    resumable: state.status === "stopped" && state.resumable,
    reportSheet: state.reportSheet,
    skippedFindings: state.skippedFindings,
  };
}

function totalRows(state: ImportState): number {
  return state.chunks.reduce((sum, c) => sum + c.rows, 0);
}

/** Cells as the service takes them: dates as YYYY-MM-DD in the spreadsheet's zone, the header's width. */
function wireCells(timeZone: string, width: number): (cells: readonly unknown[]) => Cell[] {
  const formatDate = dateFormatter(timeZone);
  return (cells) => {
    const out: Cell[] = new Array(width);
    for (let c = 0; c < width; c++) {
      const value = cells[c];
      out[c] =
        value === undefined || value === null || value === ""
          ? null
          : value instanceof Date
            ? formatDate(value)
            : typeof value === "number" || typeof value === "boolean" || typeof value === "string"
              ? value
              : String(value);
    }
    return out;
  };
}

/** FNV-1a over the rows' cells, type included ("1" and 1 differ). */
function fingerprint(rows: readonly { row: number; cells: readonly Cell[] }[]): string {
  let hash = 0x811c9dc5;
  const mix = (text: string) => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  };
  for (const { row, cells } of rows) {
    mix(`\u0001${row}`);
    for (const cell of cells) mix(`\u0002${typeof cell}${cell === null ? "" : String(cell)}`);
  }
  return (hash >>> 0).toString(16);
}

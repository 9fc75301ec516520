/**
 * A chunked import (or dry run) of a sheet, driven by the sidebar as many short calls. Its state lives
 * in the document's properties, so a closed sidebar or a failed call leaves it resumable; each chunk
 * has a fixed sequence number, and the service applies a chunk sent twice only once.
 */
import { OBJECT_LABELS, type ObjectName } from "../core/catalogue";
import type { Issue } from "../core/issues";
import { type FieldChange, markChanges } from "./changeNotes";
import type {
  FieldChangeCount,
  Finding,
  ImportChoice,
  ImportCounts,
  ImportProgress,
  ImportStatus,
} from "./contract";
import { withDocumentLock } from "./documentLock";
import { readState, writeState } from "./documentState";
import { Marks, paintBlock, wholeSheetBlock } from "./highlights";
import { currentUserKey, holderLine, holderRule, type ImportOwner, otherHolder } from "./importOwner";
import {
  type ChunkPlan,
  fingerprint,
  planSheetImport,
  readChunks,
  type SheetRow,
  wireCells,
} from "./importPlan";
import { ownKey, rememberSheetResults, writeResultsBack } from "./importResults";
import { readChoice } from "./programCatalogue";
import { type ReportSource, writeReportTab } from "./reportTab";
import { JsonText, OUT_OF_TIME, ServiceError, serviceRequest } from "./serviceClient";
import { MAX_FINDINGS, toFinding } from "./sheetCheck";
import { sheetById } from "./sheetTable";
import { rememberedChoice } from "./tabState";
import { rememberTabImport } from "./undo";

/** Chunks read with one getValues and sent in one request (POST …/chunks, which takes up to 10). */
const CHUNKS_PER_BATCH = 5;
/**
 * The most JSON text one request carries: 3 bytes a character at worst, within the 50 MB Apps Script
 * allows a fetch to send (https://developers.google.com/apps-script/guides/services/quotas, "URL Fetch
 * POST size"). Chunks of a wide sheet past it go in more than one request.
 */
const MAX_REQUEST_CHARS = 15_000_000;
/**
 * Chunks one sidebar call sends at most: 5,000 rows of CHUNK_ROWS, so the progress bar moves at least
 * that often (and from the first call on, which sends the first of them).
 */
const CHUNKS_PER_CALL = 5;
/** Work one sidebar call starts; Apps Script allows 6 minutes, a person waits for far less. */
const CALL_BUDGET_MS = 20_000;
/**
 * Whatever the network does, an import call stops (resumable) before 5 minutes of Apps Script's 6: no
 * request starts unless its worst case ends by this deadline, which leaves time to save the state and
 * write the report.
 */
const CALL_DEADLINE_MS = 270_000;

export interface ImportState {
  importId: string;
  object: ObjectName;
  /** The choice it was started with; states written before it was kept have none. */
  choice?: ImportChoice;
  dryRun: boolean;
  sheetId: number;
  sheetName: string;
  width: number;
  timeZone: string;
  chunks: ChunkPlan[];
  /** The header row and the object's key column (1-based); states written before results went back have none. */
  headerRow?: number;
  keyColumn?: number | null;
  /** Results columns within `width` (1-based): never sent. */
  resultsColumns?: number[];
  /** Import skipped rows: only the rows whose Import status (this column) says skipped are sent. */
  skippedOnly?: { statusColumn: number } | null;
  /** The import whose skipped rows this one imports again. */
  retryOf?: string | null;
  /** The sheet's fingerprint when the import started (SheetImportPlan.fingerprint). */
  fingerprint?: string;
  nextSeq: number;
  rowsSent: number;
  counts: ImportCounts;
  issuedUsdCents: number | null;
  status: ImportStatus;
  /** All chunks sent: what is left is completing the import and writing its report. */
  finishing: boolean;
  /** The importer ended it (complete answered, or said it had ended already): complete is not posted again. */
  closed?: boolean;
  /** Who started it, or took it over; states written before it was kept have none. */
  owner?: ImportOwner;
  /** Epoch milliseconds it last moved. */
  movedAt?: number;
  /** ISO time it completed. */
  finishedAt?: string;
  message: string | null;
  resumable: boolean;
  reportSheet: string | null;
  skippedFindings: Finding[];
  /** The 1-based column of each field in the sheet, for the notes on changed cells (absent in older states). */
  fieldColumns?: Record<string, number>;
  /** Records changed (a dry run: that would be) per field, once finished. */
  changeCounts?: FieldChangeCount[];
}

type Counts = { rows: number; created: number; updated: number; skipped: number; repeats?: number };

/**
 * A chunk's answer, asked with `?results=issues`: the rows skipped or with an issue only (the sheet's
 * results and the report tab come from the import's report at the end), the counts of every row, and
 * the USD its rewards issued. A service that answers every row's result leaves `issued_usd_cents` out.
 */
interface ChunkResponse {
  results: { row: number; outcome: "created" | "updated" | "skipped"; amount_usd_cents?: number }[];
  counts: Counts;
  issued_usd_cents?: number;
}

export interface ImportResource {
  id: string;
  object: ObjectName;
  status: string;
  options: {
    group_key: string | null;
    send_invites: boolean;
    dry_run: boolean;
    allow_repeats?: boolean;
    mode?: ImportChoice["mode"];
  };
  source: { kind: string; name?: string };
  counts: Counts;
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
  /** A row that updates (or would update) a record: each field whose stored value differs. */
  changes?: FieldChange[];
}

/**
 * Refuses to begin another import while one has not finished in this spreadsheet: the person's own (resume
 * or cancel it), or someone else's (who, what and how far).
 */
export function refuseWhileUnfinished(me = currentUserKey()): void {
  const active = readState<ImportState>("import");
  if (!active || !(active.status === "running" || active.status === "stopped")) return;
  const holder = otherHolder(owned(active), me);
  if (holder)
    throw new Error(
      `${holderLine(owned(active), holder)} sent. Another import can start once it has finished or been cancelled. ${holderRule(holder)}`,
    );
  throw new Error(
    `An import of ${OBJECT_LABELS[active.object]} from "${active.sheetName}" is not finished (${active.rowsSent.toLocaleString("en-US")} of ${totalRows(active).toLocaleString("en-US")} rows sent): resume it or cancel it first.`,
  );
}

/** The last import or dry run of this spreadsheet, finished or not. */
export function lastImportState(): ImportState | null {
  return readState<ImportState>("import");
}

/**
 * Starts an import of the active sheet and sends its first chunks. `confirmed` is the fingerprint of the
 * rows the person confirmed (ImportReview): rows that changed since are refused before anything is sent.
 * `skippedOnly` (Import skipped rows): only the rows whose Import status says skipped, as an import that
 * names the sheet's last import as the one it retries.
 */
export function startSheetImport(
  input: ImportChoice,
  dryRun: boolean,
  confirmed?: string | null,
  skippedOnly = false,
): ImportProgress {
  const startedAt = Date.now();
  const me = currentUserKey();
  refuseWhileUnfinished(me);
  writeState("choice", rememberedChoice(readChoice(input)));
  const plan = planSheetImport(input, skippedOnly);
  const { choice } = plan;
  const { retryOf } = plan;
  if (confirmed && confirmed !== plan.fingerprint)
    throw new Error(
      `The rows of "${plan.sheetName}" changed after you asked to import them, so nothing was sent. Press Import to see them as they are now.`,
    );
  const rowsTotal = plan.chunks.reduce((sum, c) => sum + c.rows, 0);
  const deadline = startedAt + CALL_DEADLINE_MS;

  // Checked again and recorded under the lock, so two people pressing Import at once start one import:
  // the other is refused before anything reaches the importer.
  const state = withDocumentLock(() => {
    refuseWhileUnfinished(me);
    const started = serviceRequest<ImportResource>(
      "POST",
      "v1/imports",
      {
        object: choice.object,
        options: {
          group_key: choice.groupKey ?? undefined,
          send_invites: choice.sendInvites,
          dry_run: dryRun,
          allow_repeats: choice.allowRepeats,
          mode: choice.mode ?? "create_and_update",
          // Read as Validate read them: the same mapping, and common forms of values in the sheet's locale.
          mapping: plan.mapping,
          normalise: true,
          locale: plan.locale,
        },
        headers: plan.headers,
        total_rows: rowsTotal,
        source: { kind: "sheet", name: plan.sheetName },
        client_token: Utilities.getUuid(),
        ...(retryOf ? { retry_of: retryOf } : {}),
      },
      { deadline },
    );
    const fresh: ImportState = {
      importId: started.id,
      object: choice.object,
      choice,
      dryRun,
      sheetId: plan.sheetId,
      sheetName: plan.sheetName,
      width: plan.width,
      timeZone: plan.timeZone,
      chunks: [...plan.chunks],
      headerRow: plan.headerRow,
      keyColumn: plan.keyColumn,
      resultsColumns: [...(plan.resultsColumns ?? [])],
      skippedOnly: plan.skippedOnly ?? null,
      retryOf,
      fingerprint: plan.fingerprint,
      nextSeq: 0,
      rowsSent: 0,
      counts: { created: 0, updated: 0, skipped: 0, repeats: 0 },
      issuedUsdCents: choice.object === "rewards" ? 0 : null,
      status: "running",
      finishing: false,
      owner: { key: me, email: started.user },
      movedAt: Date.now(),
      message: null,
      resumable: true,
      reportSheet: null,
      skippedFindings: [],
      fieldColumns: plan.fieldColumns,
    };
    writeState("import", fresh);
    return fresh;
  });
  return drive(state, me, startedAt, (seq) => plan.rowsOfChunk[seq] ?? null);
}

/** `Import skipped rows`: an import of the active sheet's rows whose Import status says skipped. */
export function startSkippedRowsImport(input: ImportChoice): ImportProgress {
  return startSheetImport(input, false, null, true);
}

/** Sends the next chunks of the import under way (or finishes it); the sidebar calls it until done. */
export function continueRunningImport(): ImportProgress {
  const startedAt = Date.now();
  const me = currentUserKey();
  const state = claimImport(me);
  if (!state) throw new Error("There is no import to resume in this spreadsheet.");
  if (state.status === "completed" || state.status === "cancelled") return progressOf(state, me);
  return drive(state, me, startedAt, null);
}

/** Cancels the import under way: rows already sent stay imported; the rest are not sent. */
export function cancelRunningImport(): ImportProgress | null {
  const deadline = Date.now() + CALL_DEADLINE_MS;
  const me = currentUserKey();
  const state = claimImport(me);
  if (!state || state.status === "completed" || state.status === "cancelled")
    return state ? progressOf(state, me) : null;
  try {
    serviceRequest("POST", `v1/imports/${state.importId}/cancel`, undefined, { deadline });
    state.status = "cancelled";
    state.message = `Cancelled after ${state.rowsSent.toLocaleString("en-US")} of ${totalRows(state).toLocaleString("en-US")} rows.`;
  } catch (error) {
    if (!(error instanceof ServiceError && error.code === "import_closed")) throw error;
    state.status = "completed";
    state.message = error.message;
  }
  state.resumable = false;
  save(state, me);
  return progressOf(state, me);
}

/**
 * The import of this spreadsheet, made this person's to drive when it is unfinished: theirs already, or
 * someone else's that has not moved for 30 minutes (taken over, and said so). Someone else's that moved
 * more recently is refused with who holds it and how far it got.
 */
function claimImport(me: string): ImportState | null {
  return withDocumentLock(() => {
    const state = readState<ImportState>("import");
    if (!state || state.status === "completed" || state.status === "cancelled") return state;
    const holder = otherHolder(owned(state), me);
    if (holder && !holder.mayTakeOver)
      throw new Error(`${holderLine(owned(state), holder)} sent. ${holderRule(holder)}`);
    if (holder || !state.owner) {
      const before = holder ? ` from ${holder.email ?? "someone else"}` : "";
      state.owner = { key: me, email: null };
      state.movedAt = Date.now();
      writeState("import", state);
      state.message = holder ? `You took this import over${before}; it had not moved for 30 minutes.` : null;
    }
    return state;
  });
}

/** The import under way, if there is one, for a sidebar that opens. */
export function unfinishedImport(): ImportProgress | null {
  const state = readState<ImportState>("import");
  return state && (state.status === "running" || state.status === "stopped")
    ? progressOf(state, currentUserKey())
    : null;
}

/**
 * Records the import's state under the document lock, as long as it is still this person's: someone who
 * took it over (it sat idle for 30 minutes) holds it now, and this execution stops instead of writing
 * over their progress.
 */
function save(state: ImportState, me: string): void {
  withDocumentLock(() => {
    const current = readState<ImportState>("import");
    if (current && current.importId !== state.importId)
      throw new Error("Another import was started in this spreadsheet meanwhile; this one stopped.");
    const holder = current ? otherHolder(owned(current), me) : null;
    if (current && holder)
      throw new Error(
        `${holder.email ?? "Someone else"} took this import over after it sat idle; it goes on from their sidebar.`,
      );
    state.movedAt = Date.now();
    writeState("import", state);
  });
}

function owned(state: ImportState) {
  return { ...state, rowsTotal: totalRows(state) };
}

/**
 * Sends chunks until they are all sent, the call's share of work is spent, or something stops it;
 * then completes the import and writes its report. A failure leaves the state resumable.
 * `inMemory` gives a chunk's rows when this execution has just read them (the first call).
 */
function drive(
  state: ImportState,
  me: string,
  startedAt: number,
  inMemory: ((seq: number) => SheetRow[] | null) | null,
): ImportProgress {
  const deadline = startedAt + CALL_DEADLINE_MS;
  // A take-over is said once, in the first answer after it.
  const tookOver = state.message?.startsWith("You took this import over") ? state.message : null;
  state.status = "running";
  state.message = null;
  state.resumable = true;
  try {
    if (state.owner && state.owner.email === null)
      state.owner.email = serviceRequest<{ user: { email: string } }>("GET", "v1/me", undefined, {
        deadline,
      }).user.email;
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
        if (changed >= 0) return stop(state, me, changedMessage(state, seqs[changed] as number), true);
      }
      // The batch's chunks in one request (more only for a sheet too wide for one): applied in order,
      // each once. A request that failed is sent again whole on resume; the chunks it applied replay.
      for (const group of requestGroups(seqs, batch)) {
        let answer: { chunks: ChunkResponse[] };
        try {
          answer = serviceRequest<{ chunks: ChunkResponse[] }>(
            "POST",
            `v1/imports/${state.importId}/chunks?results=issues`,
            new JsonText(`{"chunks":[${group.map((g) => g.json).join(",")}]}`),
            { deadline },
          );
        } catch (error) {
          throw namingRows(state, error);
        }
        answer.chunks.forEach((response, i) => {
          const seq = (group[i] as { seq: number }).seq;
          const plan = state.chunks[seq] as ChunkPlan;
          state.nextSeq = seq + 1;
          state.rowsSent += plan.rows;
          state.counts.created += response.counts.created;
          state.counts.updated += response.counts.updated;
          state.counts.skipped += response.counts.skipped;
          state.counts.repeats = (state.counts.repeats ?? 0) + (response.counts.repeats ?? 0);
          if (state.issuedUsdCents !== null)
            state.issuedUsdCents +=
              response.issued_usd_cents ??
              response.results.reduce((sum, r) => sum + (r.amount_usd_cents ?? 0), 0);
        });
        sent += answer.chunks.length;
        if (state.nextSeq >= state.chunks.length) state.finishing = true;
        save(state, me);
      }
    }
    if (state.finishing && Date.now() - startedAt < CALL_BUDGET_MS) finish(state, me, deadline);
    if (tookOver && state.status === "running") state.message = tookOver;
    save(state, me);
    return progressOf(state, me);
  } catch (error) {
    if (error instanceof ServiceError && error.code === OUT_OF_TIME)
      return stop(
        state,
        me,
        `The importer is slow to answer; ${state.rowsSent.toLocaleString("en-US")} of ${totalRows(state).toLocaleString("en-US")} rows sent. Resume import to go on.`,
        true,
      );
    return stop(state, me, error instanceof Error ? error.message : String(error), true);
  }
}

/** The batch's chunks as JSON, in requests of at most MAX_REQUEST_CHARS (a chunk larger goes alone). */
function requestGroups(
  seqs: readonly number[],
  batch: readonly (SheetRow[] | null)[],
): { seq: number; json: string }[][] {
  const groups: { seq: number; json: string }[][] = [];
  let chars = 0;
  seqs.forEach((seq, i) => {
    const json = JSON.stringify({ seq, rows: batch[i] });
    const last = groups[groups.length - 1];
    if (last && chars + json.length <= MAX_REQUEST_CHARS) {
      last.push({ seq, json });
      chars += json.length;
    } else {
      groups.push([{ seq, json }]);
      chars = json.length;
    }
  });
  return groups;
}

/** A chunk's refusal (details.seq names it) says which rows of the sheet it was about. */
function namingRows(state: ImportState, error: unknown): unknown {
  if (!(error instanceof ServiceError)) return error;
  const seq = (error.details as { seq?: unknown } | null)?.seq;
  const plan = typeof seq === "number" ? state.chunks[seq] : undefined;
  if (!plan) return error;
  const rows = plan.first === plan.last ? `Row ${plan.first}` : `Rows ${plan.first}–${plan.last}`;
  return new ServiceError(
    `${rows} of "${state.sheetName}": ${error.message.replace(/^Chunk \d+: /, "")}`,
    error.status,
    error.code,
    error.details,
  );
}

function stop(state: ImportState, me: string, message: string, resumable: boolean): ImportProgress {
  state.status = "stopped";
  state.message = message;
  state.resumable = resumable;
  save(state, me);
  return progressOf(state, me);
}

function changedMessage(state: ImportState, seq: number): string {
  const plan = state.chunks[seq] as ChunkPlan;
  const done = state.rowsSent.toLocaleString("en-US");
  return `Rows ${plan.first}–${plan.last} of "${state.sheetName}" changed after the import checked them, so it stopped (${done} rows were sent before). Undo the change and resume, or cancel, validate the sheet again and import the remaining rows.`;
}

/**
 * Completes the import, highlights the rows the service skipped, writes each row's outcome and key into
 * the sheet's results columns (importResults; not for a dry run), and writes the report tab. Completing
 * is recorded before the report is written: when writing it fails, Resume import writes it without
 * completing again. An import the importer had ended already (409 import_closed: cancelled elsewhere,
 * say) counts as ended: its report says what it applied.
 */
function finish(state: ImportState, me: string, deadline: number): void {
  if (!state.closed) {
    try {
      serviceRequest<ImportResource>("POST", `v1/imports/${state.importId}/complete`, undefined, {
        deadline,
      });
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "import_closed")) throw error;
    }
    state.closed = true;
    save(state, me);
  }
  const report = serviceRequest<{ import: ImportResource; results: ReportResult[] }>(
    "GET",
    `v1/imports/${state.importId}/report`,
    undefined,
    { deadline },
  );
  const done = report.import;
  state.counts = {
    created: done.counts.created,
    updated: done.counts.updated,
    skipped: done.counts.skipped,
    repeats: done.counts.repeats ?? state.counts.repeats ?? 0,
  };
  if (state.issuedUsdCents !== null) state.issuedUsdCents = done.issued_usd_cents ?? state.issuedUsdCents;

  const marks = new Marks();
  const skipped: Issue[] = [];
  for (const result of report.results)
    if (result.outcome === "skipped")
      for (const issue of result.issues) {
        marks.add(issue, "service");
        skipped.push(issue);
      }
  state.changeCounts = markChanges(
    marks,
    state.object,
    report.results,
    state.fieldColumns ?? {},
    state.dryRun,
  );
  const spreadsheet = SpreadsheetApp.getActive();
  const sheet = spreadsheet.getSheetById(state.sheetId);
  const values = !sheet
    ? null
    : withDocumentLock(() => {
        const data = sheet.getDataRange();
        // One read gives the repaint its size, and the results and the report the rows as they are.
        const read = data.getValues() as unknown[][];
        const block = wholeSheetBlock(sheet, state.sheetId, data, read.length, read[0]?.length ?? 0);
        paintBlock(state.sheetId, block, marks);
        if (state.dryRun || !state.headerRow) return read;
        writeResultsBack(sheet, read, report.results, {
          headerRow: state.headerRow,
          keyColumn: state.keyColumn ?? null,
          writeKeys: state.choice?.writeKeys === true,
          when: minutes(done.completed_at ?? done.created_at, state.timeZone),
        });
        rememberSheetResults({
          sheetId: state.sheetId,
          importId: state.importId,
          object: state.object,
          skipped: done.counts.skipped,
        });
        return read;
      });
  state.skippedFindings = skipped.slice(0, MAX_FINDINGS).map((issue) => toFinding(state.sheetId, issue));
  if (!state.dryRun) {
    state.reportSheet = writeReportTab(
      spreadsheet,
      done,
      report.results,
      state.timeZone,
      values ? reportSource(state, values) : null,
    );
    writeState("lastReport", state.reportSheet);
    // The new tab became the active one; the person goes on working in the sheet they imported.
    sheet?.activate();
  }
  state.status = done.status === "cancelled" ? "cancelled" : "completed";
  if (done.status !== "completed")
    state.message = `The importer had already ended this import: it is ${done.status}. The report shows the rows it applied.`;
  state.finishing = false;
  state.finishedAt = new Date().toISOString();
  if (!state.dryRun) rememberTabImport(state);
}

/** Each row's cells as the import sent them, and its own key, read from the sheet as it is now. */
function reportSource(state: ImportState, values: readonly unknown[][]): ReportSource | null {
  if (!state.headerRow) return null;
  const toCells = wireCells(state.timeZone, state.width, state.resultsColumns ?? []);
  const keyColumn = state.keyColumn ?? null;
  return {
    headers: toCells(values[state.headerRow - 1] ?? []),
    cellsOf: (row) => toCells(values[row - 1] ?? []),
    ownKey: (row) => ownKey(values[row - 1], keyColumn),
  };
}

/** A moment as the Import status column says it: to the minute, in the spreadsheet's time zone. */
function minutes(iso: string, timeZone: string): string {
  return Utilities.formatDate(new Date(iso), timeZone, "yyyy-MM-dd HH:mm");
}

export function progressOf(state: ImportState, me: string): ImportProgress {
  const holder = otherHolder(owned(state), me);
  const unfinished = state.status === "running" || state.status === "stopped";
  return {
    importId: state.importId,
    object: state.object,
    label: OBJECT_LABELS[state.object],
    dryRun: state.dryRun,
    allowRepeats: state.choice?.allowRepeats ?? false,
    retryOf: state.retryOf ?? null,
    skippedOnly: Boolean(state.skippedOnly),
    status: state.status,
    sheetName: state.sheetName,
    rowsTotal: totalRows(state),
    rowsSent: state.rowsSent,
    chunksTotal: state.chunks.length,
    chunksSent: state.nextSeq,
    counts: { ...state.counts, repeats: state.counts.repeats ?? 0 },
    issuedUsdCents: state.issuedUsdCents,
    message: state.message,
    resumable: state.status === "stopped" && state.resumable,
    reportSheet: state.reportSheet,
    skippedFindings: state.skippedFindings,
    changeCounts: state.changeCounts ?? [],
    startedBy: state.owner?.email ?? null,
    mine: holder === null,
    mayTakeOver: holder?.mayTakeOver ?? false,
    holderLine:
      holder && unfinished ? `${holderLine(owned(state), holder)} sent. ${holderRule(holder)}` : null,
  };
}

function totalRows(state: ImportState): number {
  return state.chunks.reduce((sum, c) => sum + c.rows, 0);
}

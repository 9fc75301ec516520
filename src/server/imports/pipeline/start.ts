import { randomUUID } from "node:crypto";
import {
  type HeaderPlan,
  type Issue,
  type ObjectName,
  quote,
  resolveObject,
  SpecError,
  STORABLE_TEXT,
  textFault,
} from "../../../core";
import { appendAudit } from "../../audit";
import type { Caller } from "../../caller";
import type { Database, Queryable } from "../../db/database";
import { ApiError } from "../../errors";
import { assertSameRequest, claimIdempotencyKey, findIdempotent, type Idempotency } from "../idempotency";
import { checkMode } from "../modes";
import type { ImportOptions } from "../types";
import { planFor, unusedMappingAlerts } from "./plan";
import {
  getImport,
  type ImportResource,
  type ImportRow,
  type ImportSource,
  importResource,
  SELECT_IMPORT,
  type StartImport,
} from "./resource";

/** The locale an import's values are read in when none is given: Sheets' own default. */
export const DEFAULT_LOCALE = "en_US";

/** Every option with its default where the request left it out: what an import keeps and shows. */
export function withDefaults(options: Partial<ImportOptions> = {}): ImportOptions {
  return {
    group_key: options.group_key ?? null,
    send_invites: options.send_invites === true,
    dry_run: options.dry_run === true,
    allow_repeats: options.allow_repeats === true,
    mapping: options.mapping ?? null,
    normalise: options.normalise === true,
    locale: options.locale ?? DEFAULT_LOCALE,
    header_row: options.header_row ?? 1,
    mode: options.mode ?? "create_and_update",
  };
}

/** The options an import keeps: defaults filled in, and those its object has no use for cleared. */
function normaliseOptions(object: ObjectName, options: Partial<ImportOptions> = {}): ImportOptions {
  const all = withDefaults(options);
  return {
    ...all,
    group_key: object === "leads" || object === "deals" ? all.group_key : null,
    send_invites: object === "partners" && all.send_invites,
  };
}

export interface StartExtras {
  idempotency?: Idempotency | null;
  /**
   * Work done under the import's id before it starts, outside its transaction, in steps short enough
   * to let other requests in (a CSV upload stages its rows here, without the columns its header plan
   * ignores); it gives the number of rows found.
   */
  before?: (importId: string, plan: HeaderPlan) => Promise<{ total_rows: number }>;
  /** Work that belongs to the import's start, in its transaction: if it fails, no import was started. */
  within?: (tx: Queryable, importId: string) => Promise<void>;
}

/** A header that holds text the database cannot store is refused (400) before anything is written. */
function assertStorableHeaders(headers: readonly unknown[]): void {
  headers.forEach((header, i) => {
    const fault = typeof header === "string" ? textFault(header) : null;
    if (fault)
      throw new ApiError(
        400,
        "invalid_text",
        `The header in column ${i + 1} holds ${fault}; a header is ${STORABLE_TEXT} (save a file as UTF-8, or UTF-16 with its BOM).`,
        { column: i + 1 },
      );
  });
}

/** Why a start failed, for the audit log: the catalogue's own words, never a database's message. */
function reasonOf(error: unknown): string {
  return error instanceof SpecError || error instanceof ApiError
    ? error.message
    : "The import could not be started.";
}

/**
 * The import a retry names (`retry_of`: the one whose skipped rows it imports again) must be one of
 * this program's, of the same object: else 422 invalid_retry_of.
 */
async function checkRetryOf(db: Queryable, programId: number, object: ObjectName, retryOf: string) {
  let earlier: ImportRow | null = null;
  try {
    earlier = await getImport(db, programId, retryOf);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  if (!earlier)
    throw new ApiError(
      422,
      "invalid_retry_of",
      `retry_of ${quote(retryOf)} names no import of this program; it takes the id of the import whose skipped rows this one imports again`,
    );
  if (earlier.object !== object)
    throw new ApiError(
      422,
      "invalid_retry_of",
      `retry_of names an import of ${earlier.object}, and this import is of ${object}; a retry imports the same object as the import it retries`,
    );
}

/** A request under an Idempotency-Key that an earlier request took: rolls the start back. */
class KeyTaken extends Error {}

/**
 * Starts an import, or returns the one already started with the same client token or Idempotency-Key
 * (`existing`); the same key with another request is refused.
 */
export async function startImport(
  db: Database,
  caller: Caller,
  request: StartImport,
  ip: string | null,
  { idempotency = null, before, within }: StartExtras = {},
): Promise<{ resource: ImportResource; alerts: readonly Issue[]; existing: boolean }> {
  assertStorableHeaders(request.headers);
  const source: ImportSource = request.source ?? { kind: "api" };
  let object: ObjectName;
  try {
    object = resolveObject(request.object);
  } catch (error) {
    await appendAudit(db, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.failed",
      object: request.object,
      options: request.options,
      source,
      detail: { reason: reasonOf(error) },
      ip,
    });
    throw error;
  }
  const options = normaliseOptions(object, request.options);
  const audit = { programId: caller.program.id, actor: caller.email, object, options, source, ip };
  const retryOf = request.retry_of ?? null;
  try {
    checkMode(object, options.mode);
    if (retryOf !== null) await checkRetryOf(db, caller.program.id, object, retryOf);
  } catch (error) {
    await appendAudit(db, { ...audit, action: "import.failed", detail: { reason: reasonOf(error) } });
    throw error;
  }

  const hashOf = (i: Idempotency) => (typeof i.hash === "string" ? i.hash : i.hash());
  const earlier = async (key: string, hash: string) => {
    const claimed = await findIdempotent(db, caller.program.id, key);
    if (!claimed) return null;
    assertSameRequest(claimed, hash, key);
    return {
      resource: importResource(await getImport(db, caller.program.id, claimed.import_id)),
      alerts: [],
      existing: true,
    };
  };
  // A key whose request is known already (not an upload still to be read): answered before any work.
  if (idempotency && typeof idempotency.hash === "string") {
    const found = await earlier(idempotency.key, idempotency.hash);
    if (found) return found;
  }

  if (request.client_token) {
    const { rows } = await db.query<ImportRow>(
      `${SELECT_IMPORT} WHERE i.program_id = $1 AND i.user_id = $2 AND i.client_token = $3`,
      [caller.program.id, caller.userId, request.client_token],
    );
    if (rows[0]) return { resource: importResource(rows[0]), alerts: [], existing: true };
  }

  let plan: HeaderPlan;
  let alerts: Issue[];
  try {
    plan = (await planFor(db, caller.program.id, object, request.headers, options)).plan;
    alerts = [...plan.alerts, ...unusedMappingAlerts(request.headers, options)];
  } catch (error) {
    await appendAudit(db, {
      ...audit,
      action: "import.failed",
      detail: { reason: reasonOf(error) },
    });
    throw error;
  }
  if (plan.blocked) {
    const errors = plan.alerts.filter((a) => a.severity === "error");
    await appendAudit(db, {
      ...audit,
      action: "import.failed",
      detail: { reason: "header errors", alerts: errors },
    });
    throw new ApiError(
      422,
      "invalid_headers",
      `The header row has ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was imported. ${errors
        .map((a) => (/[.?!]$/.test(a.message) ? a.message : `${a.message}.`))
        .join(" ")}`,
      { alerts },
    );
  }

  const id = randomUUID();
  const found = before ? await before(id, plan) : undefined;
  const start = db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO imports (id, program_id, user_id, object, options, headers, total_rows, source, client_token, retry_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (program_id, user_id, client_token) DO NOTHING RETURNING id`,
      [
        id,
        caller.program.id,
        caller.userId,
        object,
        JSON.stringify(options),
        JSON.stringify(request.headers.map((h) => (h === null || h === undefined ? "" : String(h)))),
        request.total_rows ?? null,
        JSON.stringify(source),
        request.client_token ?? null,
        retryOf,
      ],
    );
    if (!inserted.rows[0]) return null; // a twin request with the same token won the race
    const totalRows = found ? found.total_rows : (request.total_rows ?? null);
    if (found) await tx.query("UPDATE imports SET total_rows = $2 WHERE id = $1", [id, totalRows]);
    if (within) await within(tx, id);
    if (idempotency) {
      const claimed = await claimIdempotencyKey(
        tx,
        caller.program.id,
        idempotency.key,
        hashOf(idempotency),
        id,
      );
      if (claimed) throw new KeyTaken();
    }
    await appendAudit(tx, {
      ...audit,
      action: "import.started",
      importId: id,
      detail: { total_rows: totalRows, ...(retryOf !== null ? { retry_of: retryOf } : {}) },
    });
    return importResource(await getImport(tx, caller.program.id, id));
  });
  let resource: ImportResource | null;
  try {
    resource = await start;
  } catch (error) {
    if (!(error instanceof KeyTaken) || !idempotency) throw error;
    const found = await earlier(idempotency.key, hashOf(idempotency));
    if (!found) throw error;
    return found;
  }
  if (resource) return { resource, alerts, existing: false };
  const { rows } = await db.query<ImportRow>(
    `${SELECT_IMPORT} WHERE i.program_id = $1 AND i.user_id = $2 AND i.client_token = $3`,
    [caller.program.id, caller.userId, request.client_token],
  );
  return { resource: importResource(rows[0] as ImportRow), alerts: [], existing: true };
}

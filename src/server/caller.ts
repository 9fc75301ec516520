import type { FastifyInstance, FastifyRequest } from "fastify";
import { appendAudit, optionsShape } from "./audit";
import type { Database, Queryable } from "./db/database";
import { ApiError } from "./errors";
import type { Gates } from "./limits";
import { hashKey } from "./programs";

/** Who is calling, resolved from their API key. */
export interface Caller {
  userId: number;
  email: string;
  role: "admin" | "technical" | "custom" | "partner";
  permissions: string[];
  program: { id: number; key: string; name: string; currency: string };
  mayImport: boolean;
  /** Why the caller may not import, in words for them. */
  denial: string | null;
}

/** Company admins and technical teammates, or custom roles with the importer permission; never partner users. */
export function importAccess(role: Caller["role"], permissions: readonly string[]): string | null {
  if (role === "admin" || role === "technical") return null;
  if (role === "partner") return "Partner users cannot import data: the importer is for company users only.";
  if (permissions.includes("importer")) return null;
  return "Your role (custom) does not include the importer permission; ask a company admin to grant it.";
}

/**
 * Authentication, decided by the route a request matched, never by how its path was spelled: every
 * route needs a caller unless its config says `public: true`. A path that matches no route is 404.
 * The address that keeps sending missing or bad keys waits (429) before its keys are read again.
 */
export function authentication(app: FastifyInstance, { db, gates }: { db: Database; gates: Gates }) {
  app.decorateRequest("caller", null as never);
  app.addHook("onRequest", async (request, reply) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    await gates.afterFailedAuth(request, reply);
    let token: string;
    try {
      token = bearerToken(request.headers.authorization);
      request.caller = await resolveCaller(db, token);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await gates.countFailedAuth(request);
      throw error;
    }
    await gates.key(token, request, reply);
  });
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1])
    throw new ApiError(
      401,
      "unauthorized",
      "An API key is required: send it as 'Authorization: Bearer KEY'.",
    );
  return match[1];
}

async function resolveCaller(db: Database, token: string): Promise<Caller> {
  const { rows } = await db.query<CallerRow & { revoked_at: Date | null }>(
    `SELECT ${CALLER_COLUMNS}, k.revoked_at
     FROM api_keys k JOIN users u ON u.id = k.user_id JOIN programs p ON p.id = k.program_id
     WHERE k.key_hash = $1`,
    [hashKey(token)],
  );
  const row = rows[0];
  if (!row) throw new ApiError(401, "unauthorized", "The API key is not valid.");
  if (row.revoked_at) throw new ApiError(401, "unauthorized", "The API key has been revoked.");
  return callerFrom(row);
}

/** A user and their program, as a caller is read: `users u` joined to `programs p`. */
const CALLER_COLUMNS = `u.id AS user_id, u.email, u.role, u.permissions, p.id AS program_id,
  p.key AS program_key, p.name AS program_name, p.currency`;

interface CallerRow {
  user_id: number;
  email: string;
  role: Caller["role"];
  permissions: string[];
  program_id: number;
  program_key: string;
  program_name: string;
  currency: string;
}

function callerFrom(row: CallerRow): Caller {
  const denial = importAccess(row.role, row.permissions);
  return {
    userId: row.user_id,
    email: row.email,
    role: row.role,
    permissions: row.permissions,
    program: { id: row.program_id, key: row.program_key, name: row.program_name, currency: row.currency },
    mayImport: denial === null,
    denial,
  };
}

/**
 * The caller that background work acts as: the user who started the import (its audit entries name them).
 */
export async function callerOfUser(db: Queryable, userId: number, programId: number): Promise<Caller> {
  const { rows } = await db.query<CallerRow>(
    `SELECT ${CALLER_COLUMNS} FROM users u JOIN programs p ON p.id = u.program_id WHERE u.id = $1 AND p.id = $2`,
    [userId, programId],
  );
  const row = rows[0];
  if (!row) throw new Error(`No user ${userId} in program ${programId}`);
  return callerFrom(row);
}

/**
 * Throws 403 for a caller who may not import. An import they tried to start (or undo) is logged as
 * denied with what it was for (the object, which options; the import an undo named) and why, never with what they sent: a refused caller
 * must not be able to grow the log or put words into it.
 */
export async function requireImporter(
  db: Database,
  request: FastifyRequest,
  attempt?: { object: string | null; options: object; undo?: { importId: string | null } },
): Promise<Caller> {
  const caller = request.caller;
  if (caller.mayImport) return caller;
  if (attempt)
    await appendAudit(db, {
      programId: caller.program.id,
      actor: caller.email,
      action: "import.denied",
      object: attempt.object,
      importId: attempt.undo?.importId ?? null,
      options: optionsShape(attempt.options),
      detail: { reason: caller.denial, ...(attempt.undo ? { attempt: "undo" } : {}) },
      ip: request.ip,
    });
  throw new ApiError(403, "forbidden", caller.denial ?? "You may not import.");
}

declare module "fastify" {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The route answers without a key (the health check, the API description). */
    public?: boolean;
  }
}

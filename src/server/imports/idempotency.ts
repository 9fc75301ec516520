import { createHash, type Hash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Queryable } from "../db/database";
import { ApiError } from "../errors";

/**
 * Idempotency-Key, as Stripe has it: the first request made under a key starts an import; the same
 * request again gets that import back; another request under the key is refused. Keys are kept with
 * their imports (at least 24 hours, as promised; in fact as long as the import), one namespace per program.
 */
export interface Idempotency {
  key: string;
  /** The request's hash; for an upload it is known only once the whole file has been read. */
  hash: string | (() => string);
}

export const IDEMPOTENCY_HEADER = "idempotency-key";

/** The request's Idempotency-Key, if it has one; a malformed one is refused. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (typeof key !== "string" || !/^[\x21-\x7e]{1,255}$/.test(key))
    throw new ApiError(
      400,
      "invalid_idempotency_key",
      "The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
    );
  return key;
}

/** A stable hash of a request's meaning: JSON with its object keys sorted. */
export function requestHash(request: unknown): string {
  const hash = createHash("sha256");
  const out = new CanonicalText(hash);
  out.write(request);
  out.flush();
  return hash.digest("hex");
}

/**
 * Canonical JSON written straight into a hash, a few tens of kilobytes at a time: the same text as
 * joining each object's members, without building a chunk's whole text (or each object's key list,
 * filtered, sorted and mapped) only to hash it.
 */
class CanonicalText {
  private text = "";
  constructor(private readonly hash: Hash) {}

  write(value: unknown): void {
    if (Array.isArray(value)) {
      // A row's cells are mostly an array of plain values, which JSON.stringify writes as the elements one
      // by one would be (undefined as null): the same text, at a fraction of the cost.
      if (value.every(isPlain)) this.text += JSON.stringify(value);
      else {
        this.text += "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) this.text += ",";
          this.write(value[i]);
        }
        this.text += "]";
      }
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      const keys: string[] = [];
      for (const key of Object.keys(record)) {
        if (record[key] === undefined) continue;
        // Sorted as they come (objects here have a few members): by UTF-16 code units, as sort() does.
        let at = keys.length;
        while (at > 0 && (keys[at - 1] as string) > key) at--;
        keys.splice(at, 0, key);
      }
      this.text += "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        this.text += `${i > 0 ? "," : ""}${JSON.stringify(key)}:`;
        this.write(record[key]);
      }
      this.text += "}";
    } else this.text += JSON.stringify(value) ?? "null";
    if (this.text.length > 65_536) this.flush();
  }

  flush(): void {
    this.hash.update(this.text);
    this.text = "";
  }
}

function isPlain(value: unknown): boolean {
  return (
    value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "bigint")
  );
}

interface Claimed {
  request_hash: string;
  import_id: string;
}

/** The import an earlier request started under this key, if any. */
export async function findIdempotent(db: Queryable, programId: number, key: string): Promise<Claimed | null> {
  const { rows } = await db.query<Claimed>(
    "SELECT request_hash, import_id FROM idempotency_keys WHERE program_id = $1 AND key = $2",
    [programId, key],
  );
  return rows[0] ?? null;
}

/**
 * Takes the key for this import, inside the transaction that starts it. When a concurrent request took it
 * first, PostgreSQL makes this wait for that one to commit, and returns what it recorded.
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  programId: number,
  key: string,
  hash: string,
  importId: string,
): Promise<Claimed | null> {
  const { rows } = await tx.query(
    `INSERT INTO idempotency_keys (program_id, key, request_hash, import_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (program_id, key) DO NOTHING RETURNING key`,
    [programId, key, hash, importId],
  );
  if (rows.length) return null;
  return findIdempotent(tx, programId, key);
}

/** The same key with another request: refused, never applied. */
export function assertSameRequest(claimed: Claimed, hash: string, key: string): void {
  if (claimed.request_hash !== hash)
    throw new ApiError(
      422,
      "idempotency_mismatch",
      `The Idempotency-Key ${JSON.stringify(key)} was used for another request (import ${claimed.import_id}); a key may be reused only for the same request. Use a new key for a new request.`,
      { import_id: claimed.import_id },
    );
}

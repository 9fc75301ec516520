import { z } from "zod";
import { ApiError } from "../errors";
import { text } from "./text";

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: text().max(500).optional(),
});

/** Where a list in id order left off. */
export const idPosition = z.strictObject({ id: z.number().int().positive() });

export const encodeCursor = (position: unknown) =>
  Buffer.from(JSON.stringify(position)).toString("base64url");

/**
 * The position a cursor holds. One that does not decode, or (given `position`) holds another shape,
 * is the caller's mistake (400), never a statement that fails on a bad cast.
 */
export function decodeCursor<T>(cursor: string | undefined, position?: z.ZodType<T>): T | null {
  if (!cursor) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (!position) return raw as T;
  const parsed = position.safeParse(raw);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

const invalidCursor = () =>
  new ApiError(400, "invalid_cursor", "The cursor is not one this service gave out; start again without it");

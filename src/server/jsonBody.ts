import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors";

/** Deeper than any request of this API (a chunk's cells are four levels down). */
export const MAX_JSON_DEPTH = 32;

/**
 * JSON bodies are parsed as Fastify parses them (`__proto__` refused), once their nesting is known to
 * be at most MAX_JSON_DEPTH: deeper JSON is refused (400) before anything recurses over it.
 */
export function boundJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (nestedPast(body as string, MAX_JSON_DEPTH))
      return done(
        new ApiError(
          400,
          "too_deep",
          `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep; no request of this API is.`,
        ),
        undefined,
      );
    return parse(request, body as string, done);
  });
}

/** True when brackets outside strings nest deeper than `limit`; a single pass, no recursion. */
function nestedPast(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      // After a backslash, the next character is escaped.
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireImporter } from "../caller";
import type { Database } from "../db/database";
import { decodeCursor, encodeCursor, idPosition, pageQuery } from "./paging";

export async function auditRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      "/v1/audit-log",
      { schema: { summary: "Importer activity, newest first (cursor paging)", querystring: pageQuery } },
      async (request) => {
        const caller = await requireImporter(db, request);
        const { limit, cursor } = request.query;
        const after = decodeCursor(cursor, idPosition);
        const { rows } = await db.query<{ id: number }>(
          `SELECT id, at, actor, action, object, import_id, options, source, counts, detail, ip FROM audit_log
         WHERE program_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
          [caller.program.id, after?.id ?? null, limit + 1],
        );
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          data: page,
          next_cursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
        };
      },
    );
}

import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { NOT_IMPORTABLE, OBJECTS, objectSpec, resolveObject, templateColumns, templateCsv } from "../../core";
import { requireImporter } from "../caller";
import type { Database } from "../db/database";
import { loadProgram } from "../programs";
import { text } from "./text";

export async function catalogueRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/v1/me",
    { schema: { summary: "The caller: user, role, whether they may import, the program" } },
    async (request) => {
      const c = request.caller;
      return {
        user: { email: c.email, role: c.role, permissions: c.permissions },
        may_import: c.mayImport,
        ...(c.denial ? { reason: c.denial } : {}),
        program: c.program,
      };
    },
  );

  api.get(
    "/v1/objects",
    {
      schema: {
        summary: "The import catalogue of this program: objects, fields, groups, stages, custom fields",
      },
    },
    async (request) => {
      const caller = await requireImporter(db, request);
      const program = await loadProgram(db, caller.program.id);
      const objects = OBJECTS.map((object) => {
        const base = objectSpec(object);
        const needsGroup = object === "leads" || object === "deals";
        const feature = object === "leads" ? "leads" : "deals";
        return {
          object,
          label: base.label,
          needs_group: needsGroup,
          repeats: base.repeats,
          columns: needsGroup ? templateColumns(base) : templateColumns(objectSpec(object, { program })),
          ...(needsGroup
            ? {
                groups: Object.fromEntries(
                  program.groups
                    .filter((g) => g.features.includes(feature))
                    .map((g) => [g.key, templateColumns(objectSpec(object, { program, groupKey: g.key }))]),
                ),
              }
            : {}),
        };
      });
      return { program: program.program, catalogue: program, objects, not_importable: NOT_IMPORTABLE };
    },
  );

  api.get(
    "/v1/objects/:object/template.csv",
    {
      schema: {
        summary: "The header row of an object's template, as CSV",
        params: z.object({ object: text() }),
        querystring: z.object({ group_key: text().optional() }),
      },
    },
    async (request, reply) => {
      const caller = await requireImporter(db, request);
      const object = resolveObject(request.params.object);
      const program = await loadProgram(db, caller.program.id);
      const spec = objectSpec(object, { program, groupKey: request.query.group_key ?? null });
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${object}-template.csv"`)
        .send(templateCsv(spec));
    },
  );
}

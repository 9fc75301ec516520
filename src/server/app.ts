import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { SpecError } from "../core/spec";
import { resolveCaller } from "./caller";
import type { Database } from "./db/database";
import { ApiError } from "./errors";
import { boundJsonBodies } from "./jsonBody";
import type { Mailer } from "./outbox";
import { auditRoutes } from "./routes/audit";
import { catalogueRoutes } from "./routes/catalogue";
import { documentImportRoutes } from "./routes/importDocs";
import { importRoutes } from "./routes/imports";
import { recordRoutes } from "./routes/records";

export interface AppOptions {
  db: Database;
  mailer?: Mailer | null;
  logger?: boolean;
}

/** Paths that need no key. */
const OPEN = new Set(["/v1/health", "/v1/openapi.json"]);

export async function buildApp({ db, mailer = null, logger = false }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger, bodyLimit: 50 * 1024 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Channel Importer",
        version: "1",
        description:
          "Import partners, customers, transactions, rewards, leads and deals into a partner program: CSV uploads and chunked imports, with per-row reports and an audit log.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: (input) => {
      const { schema, url } = jsonSchemaTransform(input);
      const method = [input.route.method].flat()[0] ?? "";
      return { schema: documentImportRoutes(method, url, schema as Record<string, unknown>), url };
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(multipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1 } });
  // A CSV body reaches its route as the request's stream, read as it arrives (never held whole).
  app.addContentTypeParser(["text/csv", "text/plain"], (_request, payload, done) => done(null, payload));
  boundJsonBodies(app);

  app.decorateRequest("caller", null as never);
  app.addHook("onRequest", async (request) => {
    const path = request.url.split("?")[0] ?? "";
    if (!path.startsWith("/v1/") || OPEN.has(path)) return;
    request.caller = await resolveCaller(db, request.headers.authorization);
  });

  app.setErrorHandler((error: FastifyError | ApiError | SpecError, request, reply) => {
    if (error instanceof ApiError)
      return reply.status(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details !== undefined ? { details: error.details } : {}),
        },
      });
    if (error instanceof SpecError)
      return reply.status(400).send({ error: { code: error.code, message: error.message } });
    if ("validation" in error && error.validation)
      return reply.status(400).send({
        error: {
          code: "invalid_request",
          message: `The request is not valid: ${error.message}`,
          details: error.validation,
        },
      });
    const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status < 500)
      return reply
        .status(status)
        .send({ error: { code: error.code ?? "bad_request", message: error.message } });
    request.log.error(error);
    return reply.status(500).send({
      error: {
        code: "internal_error",
        message: "Something went wrong on our side; nothing was half-written.",
      },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: "not_found", message: `There is no ${request.method} ${request.url.split("?")[0]}` },
    }),
  );

  app.get("/v1/health", { schema: { summary: "Liveness; needs no key", security: [] } }, async () => ({
    status: "ok",
    database: db.kind,
  }));
  app.get("/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(catalogueRoutes, { db });
  await app.register(importRoutes, { db, mailer });
  await app.register(auditRoutes, { db });
  await app.register(recordRoutes, { db });
  return app;
}

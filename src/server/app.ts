import { randomUUID } from "node:crypto";
import helmet from "@fastify/helmet";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawRequestDefaultExpression,
} from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { SpecError } from "../core/spec";
import { authentication } from "./caller";
import type { Database } from "./db/database";
import { ApiError } from "./errors";
import { boundJsonBodies } from "./jsonBody";
import { clientErrorHandler, cutOffSlowBodies, type Limits, limitsOf, rateGates } from "./limits";
import type { Mailer } from "./outbox";
import { auditRoutes } from "./routes/audit";
import { catalogueRoutes } from "./routes/catalogue";
import { documentImportRoutes } from "./routes/importDocs";
import { importRoutes } from "./routes/imports";
import { recordRoutes } from "./routes/records";

export interface AppOptions {
  db: Database;
  mailer?: Mailer | null;
  /** JSON lines, one for each request's outcome and each failure: to stdout (true), or to `stream`. */
  logger?: boolean | { stream: { write(line: string): void } };
  /** Rate limits and the request timeout (DEFAULT_LIMITS, each overridable); false turns them all off. */
  limits?: Partial<Limits> | false;
}

export async function buildApp({
  db,
  mailer = null,
  logger = false,
  limits: limitsOption,
}: AppOptions): Promise<FastifyInstance> {
  const limits = limitsOf(limitsOption);
  const app = Fastify({
    logger: logger && {
      // Keys travel in this header; nothing the service logs holds it.
      redact: { paths: ["req.headers.authorization"], censor: "[redacted]" },
      ...(logger === true ? {} : { stream: logger.stream }),
    },
    requestIdHeader: false,
    genReqId: requestIdOf,
    bodyLimit: 50 * 1024 * 1024,
    requestTimeout: limits.requestTimeoutMs,
    // Node looks for requests past their time once every interval (30 s unless told).
    http: { connectionsCheckingInterval: 1000 },
    clientErrorHandler,
    // A path that is not a valid URL (a bad percent-escape) is refused before any route is matched,
    // and so before any hook: the request id is added here.
    frameworkErrors: (error, request, reply) =>
      sendError(
        request,
        reply.header("x-request-id", request.id),
        error.statusCode ?? 400,
        "invalid_url",
        error.message,
      ),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  cutOffSlowBodies(app, limits.requestTimeoutMs);
  await app.register(helmet);
  const gates = await rateGates(app, limits);
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config.unlimited !== true) await gates.address(request, reply);
  });
  authentication(app, { db, gates });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

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
  await app.register(async (docs) => {
    // The page that shows the API description, and its assets, are read without a key.
    docs.addHook("onRoute", (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, { routePrefix: "/docs" });
  });
  // An upload is one file and a few option fields (the largest, a mapping, is far under 1 MB).
  await app.register(multipart, {
    limits: { fileSize: 50 * 1024 * 1024, files: 1, fields: 16, fieldSize: 1024 * 1024 },
  });
  // A CSV body reaches its route as the request's stream, read as it arrives (never held whole).
  app.addContentTypeParser(["text/csv", "text/plain"], (_request, payload, done) => done(null, payload));
  boundJsonBodies(app);

  app.setErrorHandler((error: FastifyError | ApiError | SpecError, request, reply) => {
    if (error instanceof ApiError)
      return sendError(request, reply, error.status, error.code, error.message, error.details);
    if (error instanceof SpecError) return sendError(request, reply, 400, error.code, error.message);
    if ("validation" in error && error.validation)
      return sendError(
        request,
        reply,
        400,
        "invalid_request",
        `The request is not valid: ${error.message}`,
        error.validation,
      );
    const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status < 500) return sendError(request, reply, status, error.code ?? "bad_request", error.message);
    request.log.error({ err: error }, "request failed");
    return sendError(
      request,
      reply,
      500,
      "internal_error",
      "Something went wrong on our side; try again, and quote the request id if it goes on.",
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, "not_found", `There is no ${request.method} ${request.url.split("?")[0]}`),
  );

  app.get(
    "/v1/health",
    {
      config: { public: true, unlimited: true },
      schema: { summary: "Liveness; needs no key", security: [] },
    },
    async () => ({ status: "ok", database: db.kind }),
  );
  app.get("/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.register(catalogueRoutes, { db });
  await app.register(importRoutes, { db, mailer });
  await app.register(auditRoutes, { db });
  await app.register(recordRoutes, { db });
  return app;
}

/** Every error answer: `{"error": {"code", "message", "details"?, "request_id"}}`. */
function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  return reply.status(status).send({
    error: { code, message, ...(details !== undefined ? { details } : {}), request_id: request.id },
  });
}

/** The caller's own request id when it is a short plain token (so it can be quoted back), else a new one. */
function requestIdOf(request: RawRequestDefaultExpression): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** No rate limit counts the route: a health check must answer however busy its caller is. */
    unlimited?: boolean;
  }
}

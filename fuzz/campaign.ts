import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { type Engine, KEYS, startTestService } from "../test/server/harness";
import { type FuzzRequest, type FuzzTarget, fuzzRequests, OBJECTS, type Route } from "./requests";

/** What a campaign on one engine sent, and what came back. */
export interface Figures {
  engine: Engine;
  sent: number;
  /** Responses by status class: "2xx", "4xx", "5xx"… */
  classes: Record<string, number>;
  /** Each request answered 5xx (or whose answer never came), with what came back. */
  failures: { request: FuzzRequest; status: number; body: string }[];
}

/** Routes the API description leaves out, though a client can reach them. */
const UNDOCUMENTED: Route[] = [
  { method: "GET", path: "/v1/openapi.json", query: [] },
  { method: "GET", path: "/docs", query: [] },
  { method: "GET", path: "/docs/json", query: [] },
  { method: "GET", path: "/docs/static/index.html", query: [] },
];

/** Every route of the app: the ones its API description lists, with their query parameters, and the rest. */
export function routesOf(app: FastifyInstance): Route[] {
  const paths = (
    app.swagger() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    }
  ).paths;
  const documented = Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
    })),
  );
  return [...documented, ...UNDOCUMENTED];
}

/**
 * Sends `runs` generated requests to a fresh service on `engine` (PGlite in memory, or a schema of its
 * own on PostgreSQL), one at a time through app.inject, and counts the answers.
 */
export async function runCampaign(
  engine: Engine,
  { runs, seed }: { runs: number; seed: number },
): Promise<Figures> {
  const s = await startTestService(engine);
  const figures: Figures = { engine, sent: 0, classes: {}, failures: [] };
  try {
    await s.app.ready();
    const target = await targetOf(s.app, s.call);
    const ids = target.importIds as string[];
    await fc.check(
      fc.asyncProperty(fuzzRequests(target), async (request) => {
        figures.sent++;
        let status = 0;
        let body = "";
        try {
          const response = await s.app.inject(request);
          status = response.statusCode;
          body = response.body;
        } catch (error) {
          body = String(error);
        }
        const key = status ? `${Math.floor(status / 100)}xx` : "no answer";
        figures.classes[key] = (figures.classes[key] ?? 0) + 1;
        if (status >= 500 || status === 0)
          figures.failures.push({ request, status, body: body.slice(0, 500) });
        else if (status === 201) {
          const id = /"id":"([0-9a-f-]{36})"/.exec(body)?.[1];
          if (id) ids.push(id);
        }
        return true;
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
  } finally {
    await s.close();
  }
  return figures;
}

type Call = Awaited<ReturnType<typeof startTestService>>["call"];

/** The service's routes, keys of every role, each object's headers, and an open import of each object. */
async function targetOf(app: FastifyInstance, call: Call): Promise<FuzzTarget> {
  const catalogue = (await call("GET", "/v1/objects")).body as {
    objects: {
      object: string;
      columns: { name: string }[];
      groups?: Record<string, { name: string }[]>;
    }[];
  };
  const headers: Record<string, string[]> = {};
  const groups = new Set<string>();
  for (const o of catalogue.objects) {
    const groupColumns = Object.entries(o.groups ?? {});
    for (const [group] of groupColumns) groups.add(group);
    headers[o.object] = (groupColumns[0]?.[1] ?? o.columns).map((c) => c.name);
  }
  const importIds: string[] = [];
  for (const object of OBJECTS) {
    const group = object === "leads" || object === "deals" ? [...groups][0] : undefined;
    const started = await call("POST", "/v1/imports", {
      body: { object, headers: headers[object], options: group ? { group_key: group } : {} },
    });
    if (started.status === 201) importIds.push(started.body.id);
  }
  return {
    routes: routesOf(app),
    keys: [...Object.values(KEYS)],
    headers,
    groups: [...groups, "none"],
    importIds,
  };
}

/** A request as it can be sent again: method, URL and headers as JSON, the body's start. */
export function describeRequest(request: FuzzRequest): string {
  const payload =
    request.payload === undefined
      ? ""
      : Buffer.isBuffer(request.payload)
        ? request.payload.toString("latin1")
        : request.payload;
  return JSON.stringify({
    method: request.method,
    url: request.url,
    headers: request.headers,
    payload: payload.length > 400 ? `${payload.slice(0, 400)}… (${payload.length} chars)` : payload,
  });
}

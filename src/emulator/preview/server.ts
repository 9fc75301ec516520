import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Manifest } from "../host";
import { demoWorkbook } from "./demoWorkbook";
import { bundlePage, type PageAssets } from "./pageBundle";
import { PreviewDocument, PreviewRequestError } from "./previewDocument";
import type { Block } from "./protocol";
import { PreviewStore, type SavedProperties } from "./store";
import { USER_SETTINGS } from "./userSettings";

const ROOT = join(__dirname, "..", "..", "..");

export interface PreviewServerOptions {
  /** Where workbook.json and properties.json live. */
  dataDir: string;
  /** 8788 by default; 0 picks a free port. */
  port?: number;
  /**
   * The sidebar's own port (a free one by default): Sheets serves an add-on's sidebar from another
   * origin than the spreadsheet's page, so the preview does too.
   */
  sidebarPort?: number;
  host?: string;
  /** The importer service's address: saved in the user settings, and let through the fetch whitelist. */
  serviceUrl?: string;
  /** The key saved in the user settings on first start. */
  apiKey?: string;
  /** The built add-on (Code.js, Sidebar.html, appsscript.json); dist/addon by default. */
  addonDir?: string;
  log?: (line: string) => void;
}

export interface PreviewServer {
  url: string;
  /** Where the sidebar's page and its google.script.run calls are served: another origin. */
  sidebarUrl: string;
  document: PreviewDocument;
  app: FastifyInstance;
  sidebarApp: FastifyInstance;
  /** Stops serving and writes the workbook and properties. */
  close(): Promise<void>;
}

/**
 * The preview: one spreadsheet with the add-on installed, served as a page that looks like Sheets.
 * Fastify, as the service uses, for its JSON bodies, schemas and one error handler; its thread blocks
 * while the add-on fetches from the service, which is fine because the service is another process.
 */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const addonDir = options.addonDir ?? join(ROOT, "dist", "addon");
  const addon = readAddon(addonDir, options.serviceUrl);
  const assets = await bundlePage();
  const store = new PreviewStore(options.dataDir);
  const saved = store.loadWorkbook();
  const properties = store.loadProperties() ?? { user: {}, document: {}, script: {} };
  const firstStart = !existsSync(store.propertiesFile);
  saveServiceSettings(properties, options, firstStart);

  const save = () => store.save(() => ({ workbook: opened.workbook, properties: opened.properties }));
  const opened = new PreviewDocument({
    ...addon,
    workbook: saved ?? demoWorkbook(),
    properties,
    firstOpen: !saved,
    onChange: save,
    log,
  });
  save();
  store.flush();

  const host = options.host ?? "127.0.0.1";
  const sidebarApp = buildSidebarApp(opened, assets, () => addon.readHtml("Sidebar"), log);
  let sidebarUrl: string;
  let app: FastifyInstance | undefined;
  try {
    sidebarUrl = urlOf(await sidebarApp.listen({ port: options.sidebarPort ?? 0, host }), host);
    app = buildApp(opened, assets, sidebarUrl, log);
    await app.listen({ port: options.port ?? 8788, host });
  } catch (error) {
    await sidebarApp.close();
    await opened.host.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const pageApp = app;
  return {
    url: `http://${host}:${port}`,
    sidebarUrl,
    document: opened,
    app: pageApp,
    sidebarApp,
    async close() {
      await pageApp.close();
      await sidebarApp.close();
      await opened.host.close();
      store.flush();
    },
  };
}

/** `http://host:port` of an address Fastify listens on. */
function urlOf(listening: string, host: string): string {
  return `http://${host}:${new URL(listening).port}`;
}

/** One shape for every refusal, on both origins. */
function handleErrors(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler((error: Error & { validation?: unknown }, _request, reply) => {
    const known = error instanceof PreviewRequestError || error.validation !== undefined;
    if (!known) log(`The preview failed: ${error.stack ?? error.message}`);
    reply.status(known ? 400 : 500).send({ ok: false, error: error.message });
  });
}

/**
 * The sidebar's origin: its page, with google.script bridged, and the google.script.run calls and
 * google.script.host.close() it makes. Its frame is sandboxed as HtmlService's (see index.html).
 */
function buildSidebarApp(
  opened: PreviewDocument,
  assets: PageAssets,
  sidebarFile: () => string | undefined,
  log: (line: string) => void,
) {
  const app = Fastify({ bodyLimit: 60 * 1024 * 1024 });
  handleErrors(app, log);
  app.get("/sidebar", (_request, reply) => {
    const html = opened.host.sidebar?.html ?? sidebarFile();
    if (html === undefined)
      return reply.status(404).type("text/plain").send("The add-on has no Sidebar.html.");
    return reply.type("text/html; charset=utf-8").send(withBridge(html, assets["bridge.js"]));
  });
  app.post<{ Body: { name: string; args?: unknown[] } }>(
    "/api/run",
    {
      schema: {
        body: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, args: { type: "array" } },
        },
      },
    },
    (request) => opened.runFromSidebar(request.body.name, request.body.args ?? []),
  );
  app.post("/api/sidebar/close", () => opened.closeSidebar());
  return app;
}

function buildApp(
  opened: PreviewDocument,
  assets: PageAssets,
  sidebarUrl: string,
  log: (line: string) => void,
) {
  // A CSV file arrives as one JSON body; Sheets takes files of up to 100 MB.
  const app = Fastify({ bodyLimit: 200 * 1024 * 1024 });
  handleErrors(app, log);

  const page = (type: string, body: string) => (_request: FastifyRequest, reply: FastifyReply) =>
    reply.type(type).send(body);
  const index = assets["index.html"].replace("%SIDEBAR_ORIGIN%", sidebarUrl);
  app.get("/", page("text/html; charset=utf-8", index));
  app.get("/preview.js", page("text/javascript; charset=utf-8", assets["preview.js"]));
  app.get("/preview.css", page("text/css; charset=utf-8", assets["preview.css"]));

  app.get("/api/state", () => opened.state());

  app.get<{ Params: { sheetId: number }; Querystring: { from: number; to: number } }>(
    "/api/sheets/:sheetId/cells",
    {
      schema: {
        params: sheetParams,
        querystring: {
          type: "object",
          required: ["from", "to"],
          properties: { from: { type: "integer", minimum: 1 }, to: { type: "integer", minimum: 1 } },
        },
      },
    },
    (request) => opened.cells(request.params.sheetId, request.query.from, request.query.to),
  );

  app.post<{ Params: { sheetId: number }; Body: { row: number; column: number; input: string } }>(
    "/api/sheets/:sheetId/cell",
    { schema: { params: sheetParams, body: at({ input: { type: "string" } }) } },
    (request) => {
      const { row, column, input } = request.body;
      return opened.setCell(request.params.sheetId, row, column, input);
    },
  );

  app.post<{ Params: { sheetId: number }; Body: { row: number; column: number; text: string } }>(
    "/api/sheets/:sheetId/paste",
    { schema: { params: sheetParams, body: at({ text: { type: "string" } }) } },
    (request) => {
      const { row, column, text } = request.body;
      return opened.paste(request.params.sheetId, row, column, text);
    },
  );

  app.post<{ Params: { sheetId: number }; Body: Block }>(
    "/api/sheets/:sheetId/clear",
    { schema: { params: sheetParams, body: blockSchema } },
    (request) => opened.clear(request.params.sheetId, request.body),
  );

  app.post<{ Params: { sheetId: number }; Body: Partial<Block> }>(
    "/api/sheets/:sheetId/select",
    { schema: { params: sheetParams, body: { ...blockSchema, required: [] } } },
    (request) => {
      const { row, column, numRows = 1, numColumns = 1 } = request.body;
      const block = row && column ? { row, column, numRows, numColumns } : undefined;
      return opened.select(request.params.sheetId, block);
    },
  );

  // `convert` is the import's "Convert text to numbers, dates, and formulas", on unless the page says off.
  app.post<{ Body: { name: string; text: string; convert?: boolean } }>(
    "/api/csv",
    {
      schema: {
        body: {
          type: "object",
          required: ["name", "text"],
          properties: {
            name: { type: "string", minLength: 1 },
            text: { type: "string" },
            convert: { type: "boolean" },
          },
        },
      },
    },
    (request) => {
      const { name, text, convert = true } = request.body;
      return opened.openCsv(name, text, { convert });
    },
  );

  app.post<{ Body: { functionName: string } }>(
    "/api/menu",
    {
      schema: {
        body: {
          type: "object",
          required: ["functionName"],
          properties: { functionName: { type: "string" } },
        },
      },
    },
    (request) => opened.runMenuItem(request.body.functionName),
  );

  app.post<{ Body: { name?: string } }>(
    "/api/sheets",
    { schema: { body: { type: "object", properties: { name: { type: "string" } } } } },
    (request) => opened.addSheet(request.body.name),
  );

  app.post<{ Params: { sheetId: number }; Body: { name: string } }>(
    "/api/sheets/:sheetId/name",
    {
      schema: {
        params: sheetParams,
        body: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      },
    },
    (request) => opened.renameSheet(request.params.sheetId, request.body.name),
  );

  app.delete<{ Params: { sheetId: number } }>(
    "/api/sheets/:sheetId",
    { schema: { params: sheetParams } },
    (request) => opened.deleteSheet(request.params.sheetId),
  );

  // The page's X: the sidebar is already gone from the page; this tells the add-on's side.
  app.post("/api/sidebar/close", () => opened.closeSidebar());
  return app;
}

const sheetParams = {
  type: "object",
  required: ["sheetId"],
  properties: { sheetId: { type: "integer", minimum: 0 } },
} as const;

const blockSchema = {
  type: "object",
  required: ["row", "column", "numRows", "numColumns"],
  properties: {
    row: { type: "integer", minimum: 1 },
    column: { type: "integer", minimum: 1 },
    numRows: { type: "integer", minimum: 1 },
    numColumns: { type: "integer", minimum: 1 },
  },
} as const;

function at(extra: Record<string, object>) {
  return {
    type: "object",
    required: ["row", "column", ...Object.keys(extra)],
    properties: { row: { type: "integer", minimum: 1 }, column: { type: "integer", minimum: 1 }, ...extra },
  };
}

/** The built add-on, with the service's actual address let through the manifest's fetch whitelist. */
function readAddon(addonDir: string, serviceUrl: string | undefined) {
  const read = (name: string) => readFileSync(join(addonDir, name), "utf8");
  let code: string;
  let manifest: Manifest;
  try {
    code = read("Code.js");
    manifest = JSON.parse(read("appsscript.json")) as Manifest;
  } catch (error) {
    throw new Error(
      `The preview needs the built add-on in ${addonDir} (npm start builds it): ${(error as Error).message}`,
    );
  }
  if (serviceUrl && manifest.urlFetchWhitelist) {
    const prefix = serviceUrl.endsWith("/") ? serviceUrl : `${serviceUrl}/`;
    if (!manifest.urlFetchWhitelist.includes(prefix))
      manifest = { ...manifest, urlFetchWhitelist: [...manifest.urlFetchWhitelist, prefix] };
  }
  const readHtml = (name: string) => {
    try {
      return read(`${name}.html`);
    } catch {
      return undefined;
    }
  };
  return { code, manifest, readHtml };
}

/**
 * The user settings the add-on reads: the service's address, kept pointing at the running service
 * unless the user put another there, and on first start the demo key.
 */
function saveServiceSettings(
  properties: SavedProperties,
  options: PreviewServerOptions,
  firstStart: boolean,
) {
  const { serviceUrl, apiKey } = options;
  if (serviceUrl) {
    const current = properties.user[USER_SETTINGS.url];
    if (current === undefined || current === properties.previewServiceUrl)
      properties.user[USER_SETTINGS.url] = serviceUrl;
    properties.previewServiceUrl = serviceUrl;
  }
  if (firstStart && apiKey) properties.user[USER_SETTINGS.apiKey] = apiKey;
}

/** The sidebar page with google.script bridged to the preview, before any of the page's own scripts. */
export function withBridge(html: string, bridge: string): string {
  const script = `<script>\n${bridge.replace(/<\/script/gi, "<\\/script")}</script>\n`;
  const head = /<head\b[^>]*>/i.exec(html);
  if (head)
    return html.slice(0, head.index + head[0].length) + script + html.slice(head.index + head[0].length);
  const firstScript = /<script\b/i.exec(html);
  if (firstScript) return html.slice(0, firstScript.index) + script + html.slice(firstScript.index);
  return script + html;
}

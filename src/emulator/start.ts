/**
 * `npm start`: the importer service on embedded PGlite with the demo program, and the preview of the
 * add-on in a spreadsheet at http://127.0.0.1:8788. The end-to-end tests start the same thing.
 */
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { DEMO_API_KEY, seedDemo } from "./demo/seed";
import { type PreviewServer, startPreviewServer } from "./preview/server";
import { type ServiceProcess, spawnService } from "./serviceProcess";

const ROOT = join(__dirname, "..", "..");
const DEMO_PROGRAM = join(__dirname, "demo", "program.json");

export interface StartOptions {
  /** Holds service/ (the service's PGlite) and preview/ (the workbook); .importer-data by default. */
  dataDir?: string;
  /** 8787 and 8788 by default; 0 picks free ports. */
  servicePort?: number;
  previewPort?: number;
  log?: (line: string) => void;
}

export interface RunningPreview {
  serviceUrl: string;
  previewUrl: string;
  service: ServiceProcess;
  preview: PreviewServer;
  /** Stops the preview (saving the workbook), then the service. */
  stop(): Promise<void>;
}

/** Starts the service (seeding the demo program on first start), then the preview server over it. */
export async function startPreview(options: StartOptions = {}): Promise<RunningPreview> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? join(ROOT, ".importer-data"));
  const servicePort = options.servicePort ?? 8787;
  const previewPort = options.previewPort ?? 8788;
  await checkPortFree(servicePort, "IMPORTER_PORT", "the importer service");
  await checkPortFree(previewPort, "PREVIEW_PORT", "the preview");

  const service = await spawnService({
    PORT: String(servicePort),
    HOST: "127.0.0.1",
    IMPORTER_DATA_DIR: join(dataDir, "service"),
    IMPORTER_CONFIG: DEMO_PROGRAM,
    // Embedded PGlite, whatever the shell says: the demo program never lands in someone's database.
    DATABASE_URL: "",
  });
  try {
    if (await seedDemo(service.url)) log("Demo program: partners and customers imported.");
    const preview = await startPreviewServer({
      dataDir: join(dataDir, "preview"),
      port: previewPort,
      serviceUrl: service.url,
      apiKey: DEMO_API_KEY,
      log,
    });
    return {
      serviceUrl: service.url,
      previewUrl: preview.url,
      service,
      preview,
      async stop() {
        try {
          await preview.close();
        } finally {
          await service.stop();
        }
      },
    };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

/** Fails with a message that says what to do when a port is taken, before anything starts. */
async function checkPortFree(port: number, variable: string, what: string): Promise<void> {
  if (port === 0) return;
  const free = await new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
  });
  if (!free)
    throw new Error(
      `Port ${port} on 127.0.0.1 is in use, so ${what} cannot start there (is another npm start or ` +
        `npm run server running?). Stop it, or choose another port: ${variable}=${port + 10} npm start`,
    );
}

function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number (0 to 65535), got "${value}".`);
  return port;
}

async function main(): Promise<void> {
  const dataDir = join(ROOT, ".importer-data");
  const running = await startPreview({
    dataDir,
    servicePort: portFromEnv("IMPORTER_PORT", 8787),
    previewPort: portFromEnv("PREVIEW_PORT", 8788),
  });
  const shown = relative(process.cwd(), dataDir) || ".";
  console.log(
    `Importer service: ${running.serviceUrl} (PGlite in ${join(shown, "service")}; API at ${running.serviceUrl}/docs)`,
  );
  console.log(`Preview: ${running.previewUrl} (workbook kept in ${join(shown, "preview")})`);
  console.log("Ctrl+C stops both.");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(error.message);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  });
}

/** Chromium and the preview page, as the end-to-end tests drive them: launched, opened, pasted into. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { DEMO_API_KEY, seedDemo } from "../../src/emulator/demo/seed";
import { type ServiceProcess, spawnService } from "../../src/emulator/serviceProcess";

/** The system's Chromium; playwright-core never downloads one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** A browser like a person's: a fresh profile (launch makes one), nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * `describe` where Chromium is installed. Elsewhere the tests are skipped, except in CI, where nothing
 * is skipped: there a failing test says what is missing.
 */
export function describeInChromium(name: string, tests: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(name, tests);
    return;
  }
  if (process.env.CI === "true")
    test("Chromium is installed for the end-to-end tests (CI skips nothing)", () => {
      throw new Error(`No Chromium at ${CHROMIUM}; set CHROMIUM_PATH or install Debian's chromium.`);
    });
  describe.skip(name, tests);
}

/** A new tab the size of a laptop's screen, allowed to use the clipboard (for paste). */
export function newPreviewPage(browser: Browser): Promise<Page> {
  return browser.newPage({
    viewport: { width: 1280, height: 800 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
}

/** Ctrl+V with text on the system clipboard. */
export async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((clip) => navigator.clipboard.writeText(clip), text);
  await page.keyboard.press("Control+V");
}

/** `Open CSV file`, as a person clicks it and picks a file; waits until its tab is the selected one. */
export async function openCsv(page: Page, name: string, text: string): Promise<void> {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Open CSV file" }).click();
  await (await chooser).setFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
  await page.getByRole("tab", { name: name.replace(/\.csv$/, ""), selected: true }).waitFor();
}

/** The preview server in a process of its own, so that its blocking calls leave this test's thread free. */
export interface PreviewProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the preview (src/emulator/preview/server.ts) in a child process over a data folder. The add-on's
 * calls block the preview's thread while they fetch, as Apps Script's do; the test drives Chromium
 * meanwhile, which it could not from that same thread.
 */
export function spawnPreview(options: {
  dataDir: string;
  serviceUrl: string;
  apiKey: string;
}): Promise<PreviewProcess> {
  const script = `import("./src/emulator/preview/server.ts").then(async (module) => {
    const { startPreviewServer } = module.default ?? module;
    const server = await startPreviewServer({ ...${JSON.stringify(options)}, port: 0, log: () => {} });
    console.log("PREVIEW " + server.url);
    process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
  });`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: join(__dirname, "..", ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The preview did not start:\n${output}`));
    }, 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PREVIEW (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], stop });
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`The preview stopped:\n${output}`));
    });
  });
}

/** A proxy in front of the service that can hold the requests it gets until told to let them go. */
export interface HoldingProxy {
  url: string;
  /** Requests held now. */
  readonly held: number;
  /** Requests forwarded and answered. */
  readonly answered: number;
  hold(): void;
  /** Lets the held requests (and every later one) through. */
  release(): void;
  close(): Promise<void>;
}

export async function holdingProxy(target: string): Promise<HoldingProxy> {
  let holding = false;
  let answered = 0;
  const waiting: (() => void)[] = [];
  const server = createServer((request, response) => {
    const forward = () => {
      const upstream = httpRequest(
        new URL(request.url ?? "/", target),
        { method: request.method, headers: request.headers },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
          reply.on("end", () => {
            answered++;
          });
        },
      );
      upstream.on("error", () => response.destroy());
      request.pipe(upstream);
    };
    if (holding) waiting.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get held() {
      return waiting.length;
    },
    get answered() {
      return answered;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const forward of waiting.splice(0)) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * How many pixels of a part of the page are dark (text), counted by Chromium itself from a screenshot,
 * so that what is tested is what a person sees.
 */
export async function darkPixels(
  page: Page,
  clip: { x: number; y: number; width: number; height: number },
): Promise<number> {
  const png = await page.screenshot({ clip });
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d") as CanvasRenderingContext2D;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4)
      if ((pixels[i] ?? 255) + (pixels[i + 1] ?? 255) + (pixels[i + 2] ?? 255) < 300) dark++;
    return dark;
  }, png.toString("base64"));
}

/**
 * What the sidebar suites stand on: the importer service with the demo program (PGlite, seeded) and the
 * preview, each in a process of its own (so the sidebar's polling never waits on the test's thread),
 * and Chromium; `stop` ends them all and removes their data.
 */
export interface DemoPreview {
  service: ServiceProcess;
  preview: PreviewProcess;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startDemoPreview(name: string): Promise<DemoPreview> {
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const started: Partial<DemoPreview> = {};
  const stop = async () => {
    await started.browser?.close();
    await started.preview?.stop();
    await started.service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    started.service = await spawnService({
      HOST: "127.0.0.1",
      IMPORTER_DATA_DIR: join(dataDir, "service"),
      IMPORTER_CONFIG: DEMO_PROGRAM,
      DATABASE_URL: "",
    });
    await seedDemo(started.service.url);
    started.preview = await spawnPreview({
      dataDir: join(dataDir, "preview"),
      serviceUrl: started.service.url,
      apiKey: DEMO_API_KEY,
    });
    started.browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...(started as Omit<DemoPreview, "stop">), stop };
}

const DEMO_PROGRAM = join(__dirname, "..", "..", "src", "emulator", "demo", "program.json");

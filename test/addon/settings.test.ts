// Settings as a new user meets them: Test connection and Save test what is typed in the fields, only
// https:// addresses (the preview's local service excepted), and a failure that retrying cannot mend
// answers at once, in plain words.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { USER_SETTINGS } from "../../src/addon/settingsKeys";
import { CallLog } from "../../src/emulator/calls";
import { AddonHost, type Manifest } from "../../src/emulator/host";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { type AddonOptions, call, KEYS, loadAddonFor, startService, type TestService } from "./harness";

let service: TestService;
beforeAll(async () => {
  service = await startService();
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const hosts: AddonHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

function addon(options: AddonOptions): AddonHost {
  const host = loadAddonFor(options);
  hosts.push(host);
  return host;
}

/** The settings a user saved earlier: the test service and a key. */
function savedSettings(key: string = KEYS.admin): Record<string, string> {
  return { [USER_SETTINGS.url]: `${service.url}/`, [USER_SETTINGS.apiKey]: key };
}

/** A host whose saved settings work, and whose manifest also lets it reach `reachable` (if given). */
function addonWithSettings(reachable?: string, key: string = KEYS.admin) {
  const userStore = savedSettings(key);
  const calls = new CallLog();
  const host = addon({ url: reachable ?? service.url, userStore, calls });
  return { host, userStore, calls };
}

/** An address on this machine where nothing listens. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

/** What a call threw, as the sidebar shows it. */
function failureOf(host: AddonHost, name: string, ...args: unknown[]): string {
  const outcome = host.runFromSidebar(name, args);
  if (outcome.ok) throw new Error(`${name} worked: ${JSON.stringify(outcome.value)}`);
  // Google puts the error's name before its message; the sidebar shows only the sentence.
  return outcome.error.replace(/^(?:\w*Error|Exception): /, "");
}

/**
 * Answered at once: one fetch, no sleep between retries, and a projected time (the sidebar's round
 * trip, the fetch, the far side's own time) far below the 6 s the retries' sleeps alone would take.
 */
function expectAnsweredAtOnce(calls: CallLog): void {
  expect(calls.count("UrlFetchApp.fetch")).toBe(1);
  expect(calls.count("Utilities.sleep")).toBe(0);
  expect(calls.projectedMs).toBeLessThan(3000);
}

describe("Test connection tests what is in the fields", () => {
  it("a wrong key typed in the field reads as not valid, though the saved key works", () => {
    const { host, calls } = addonWithSettings();
    const message = failureOf(host, "testConnection", service.url, "not-a-key-of-this-program");
    expect(message).toContain("The API key is not valid.");
    expect(message).toContain("Check the API key in Settings");
    expect(message).not.toContain("admin@demo.test");
    expectAnsweredAtOnce(calls);
  });

  it("a key typed in the field is the one tested, not the saved one", () => {
    const { host } = addonWithSettings();
    expect(call(host, "testConnection", service.url, KEYS.ops)).toMatchObject({
      user: "ops@demo.test",
      mayImport: true,
    });
    expect(call(host, "testConnection", service.url, KEYS.viewer)).toMatchObject({
      user: "viewer@demo.test",
      mayImport: false,
    });
  });

  it("an empty key field means the saved key", () => {
    const { host } = addonWithSettings(undefined, KEYS.ops);
    expect(call(host, "testConnection", `${service.url}/`, "").user).toBe("ops@demo.test");
  });

  it("an empty key field and no saved key asks for a key, and nothing is sent", () => {
    const calls = new CallLog();
    const host = addon({ url: service.url, userStore: {}, calls });
    expect(failureOf(host, "testConnection", service.url, "")).toContain("Enter your API key");
    expect(calls.count("UrlFetchApp.fetch")).toBe(0);
  });

  it("the URL typed in the field is the one tested: where nothing listens, it says so at once", async () => {
    const nowhere = await closedPort();
    const { host, calls } = addonWithSettings(nowhere);
    const message = failureOf(host, "testConnection", nowhere, "");
    expect(message).toBe(
      `No importer answers at ${nowhere.replace(/\/$/, "")}: nothing accepted the connection. Check the Importer URL in Settings, or try again once the importer is running.`,
    );
    expectAnsweredAtOnce(calls);
  });

  it("a URL that leads to a server, but not to the importer (404), says so at once", () => {
    const { host, calls } = addonWithSettings();
    const elsewhere = `${service.url}/somewhere-else/`;
    const message = failureOf(host, "testConnection", elsewhere, "");
    expect(message).toBe(
      `${elsewhere} does not lead to the importer: the server there answered, but not as the importer does (404). Check the Importer URL in Settings.`,
    );
    expectAnsweredAtOnce(calls);
  });

  it("a host name no one has (DNS) says there is no importer there, at once", () => {
    const { host, calls } = addonWithSettings("https://importer.invalid/");
    const message = failureOf(host, "testConnection", "https://importer.invalid/", "");
    expect(message).toBe(
      "There is no importer at https://importer.invalid: no server has that name. Check the Importer URL in Settings.",
    );
    expectAnsweredAtOnce(calls);
  });

  it("an address outside the manifest's urlFetchWhitelist names the addresses the add-on was built for, at once", () => {
    const { host, calls } = addonWithSettings();
    const built = JSON.parse(readFileSync(join(__dirname, "../../dist/addon/appsscript.json"), "utf8"))
      .urlFetchWhitelist as string[];
    const message = failureOf(host, "testConnection", "https://importer.acme.test/", "");
    expect(message).toBe(
      `This add-on may only reach the addresses it was built for (${built.join(", ")}), and https://importer.acme.test is not one of them. Check the Importer URL in Settings, or ask whoever installed the add-on for one built for that address.`,
    );
    expect(message).not.toMatch(/manifest/);
    expectAnsweredAtOnce(calls);
  });

  it("without arguments it tests the saved settings", () => {
    const { host } = addonWithSettings(undefined, KEYS.ops);
    expect(call(host, "testConnection").user).toBe("ops@demo.test");
  });
});

describe("the Importer URL", () => {
  it.each([
    [
      "",
      "Enter the Importer URL, the address of your program's importer, e.g. https://importer.example.com/.",
    ],
    [
      "http://importer.example.com/",
      '"http://importer.example.com/" starts with http://, but Apps Script only reaches https:// addresses. Use the importer\'s https:// address, e.g. https://importer.example.com/.',
    ],
    [
      "importer.example.com",
      '"importer.example.com" is not an address: it needs https:// in front, as in https://importer.example.com.',
    ],
    [
      "not an address",
      '"not an address" is not an address. Enter the importer\'s address, e.g. https://importer.example.com/.',
    ],
    [
      "ftp://importer.example.com/",
      '"ftp://importer.example.com/" is not an address the add-on can reach: it must start with https://.',
    ],
    [
      "https://importer.example.com/?key=abc",
      '"https://importer.example.com/?key=abc" is not the importer\'s address: leave out the part from "?" on.',
    ],
    [
      "https://me:secret@importer.example.com/",
      '"https://me:secret@importer.example.com/" has a user name or password in it; enter the address without them.',
    ],
    [
      "https://importer example.com/",
      '"https://importer example.com/" is not an address: it has spaces in it.',
    ],
    ["https:///v1", '"https:///v1" is not an address: "" is not a server\'s name.'],
  ])("%j is refused before anything is sent, by Test connection and by Save", (url, message) => {
    const { host, userStore, calls } = addonWithSettings();
    const before = { ...userStore };
    expect(failureOf(host, "testConnection", url, KEYS.admin)).toContain(message);
    expect(failureOf(host, "saveSettings", url, KEYS.admin)).toContain(message);
    expect(calls.count("UrlFetchApp.fetch")).toBe(0);
    expect(userStore).toEqual(before);
  });

  it("an https:// address is taken, its host in lower case and a / at the end", () => {
    const { host, calls } = addonWithSettings("https://importer.invalid/");
    // It gets as far as asking the name server: the address itself was accepted.
    expect(failureOf(host, "testConnection", "HTTPS://Importer.INVALID", "")).toContain(
      "There is no importer at https://importer.invalid",
    );
    expect(calls.count("UrlFetchApp.fetch")).toBe(1);
  });

  it("the preview's build takes the local service over http://, whatever its port", () => {
    // The harness's service listens on a port of its own, not the preview's 8787.
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { host } = addonWithSettings();
    expect(call(host, "testConnection", service.url, KEYS.ops).user).toBe("ops@demo.test");
  });
});

describe("Save", () => {
  it("tests before it saves: a wrong key is not saved, and says why", () => {
    const { host, userStore } = addonWithSettings();
    const before = { ...userStore };
    expect(failureOf(host, "saveSettings", service.url, "not-a-key-of-this-program")).toContain(
      "The API key is not valid.",
    );
    expect(userStore).toEqual(before);
  });

  it("tests before it saves: a URL where no importer answers is not saved, and it says so at once", async () => {
    const nowhere = await closedPort();
    const { host, userStore, calls } = addonWithSettings(nowhere);
    const before = { ...userStore };
    expect(failureOf(host, "saveSettings", nowhere, KEYS.ops)).toContain("No importer answers at");
    expect(userStore).toEqual(before);
    expectAnsweredAtOnce(calls);
  });

  it("saves what works, answers who it connects as, and the key only as its last four characters", () => {
    const userStore: Record<string, string> = {};
    const host = addon({ url: service.url, userStore });
    const saved = call(host, "saveSettings", service.url, KEYS.ops);
    expect(saved).toEqual({
      url: `${service.url}/`,
      keyHint: `…${KEYS.ops.slice(-4)}`,
      configured: true,
      connection: expect.objectContaining({ user: "ops@demo.test", mayImport: true }),
    });
    expect(JSON.stringify(saved)).not.toContain(KEYS.ops);
    expect(userStore).toEqual({ [USER_SETTINGS.url]: `${service.url}/`, [USER_SETTINGS.apiKey]: KEYS.ops });
  });

  it("with the key field empty, tests the new URL with the saved key and keeps that key", () => {
    const { host, userStore } = addonWithSettings(undefined, KEYS.ops);
    const saved = call(host, "saveSettings", `${service.url}`, "");
    expect(saved.connection.user).toBe("ops@demo.test");
    expect(saved.keyHint).toBe(`…${KEYS.ops.slice(-4)}`);
    expect(userStore[USER_SETTINGS.apiKey]).toBe(KEYS.ops);
  });
});

describe("a build without the preview (deployed)", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "settings-build-"));
    const buildScript = pathToFileURL(join(__dirname, "../../build.mjs")).href;
    const options = {
      outDir: scratch,
      preview: false,
      publicUrl: "https://importer.acme.test/",
      typecheck: false,
    };
    const script = `import { build } from ${JSON.stringify(buildScript)};
await build({ ...${JSON.stringify(options)}, log: () => {} });`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(result.stderr);
  }, 60_000);
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("refuses http:// even for a local address, and names the address it was built for", () => {
    const manifest = JSON.parse(readFileSync(join(scratch, "appsscript.json"), "utf8")) as Manifest;
    expect(manifest.urlFetchWhitelist).toEqual(["https://importer.acme.test/"]);
    const calls = new CallLog();
    const host = new AddonHost({
      code: readFileSync(join(scratch, "Code.js"), "utf8"),
      readHtml: () => undefined,
      manifest,
      workbook: new Workbook(),
      stores: { user: savedSettings(), document: {}, script: {} },
      calls,
    });
    hosts.push(host);
    expect(failureOf(host, "testConnection", service.url, KEYS.admin)).toContain(
      "starts with http://, but Apps Script only reaches https:// addresses",
    );
    expect(failureOf(host, "testConnection", "https://importer.example.com/", KEYS.admin)).toContain(
      "This add-on may only reach the addresses it was built for (https://importer.acme.test/)",
    );
    expect(calls.count("UrlFetchApp.fetch")).toBe(1);
    expect(calls.count("Utilities.sleep")).toBe(0);
  });
});

// Who may do what: Test connection shows who the key belongs to; users the service does not let import
// are told why before the sheet is touched; settings keep the key out of the sidebar.
import { USER_SETTINGS } from "../../src/addon/settingsKeys";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, looks } from "./asPerson";
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

const program = expect.objectContaining({ key: "demo", name: "Demo Partner Program", currency: "USD" });
const NO_PERMISSION =
  "Your role (custom) does not include the importer permission; ask a company admin to grant it.";
const PARTNER_USER = "Partner users cannot import data: the importer is for company users only.";
const imports = async () => (await service.get("/v1/imports?limit=100")).data.length;

describe("Test connection", () => {
  it.each([
    ["an admin", KEYS.admin, "admin@demo.test", "admin"],
    ["a custom role with the importer permission", KEYS.ops, "ops@demo.test", "custom"],
  ])("shows %s, their role and the program, and that they may import", (_who, key, user, role) => {
    const host = addon({ url: service.url, key });
    expect(call(host, "testConnection")).toEqual({ user, role, mayImport: true, reason: null, program });
  });

  it.each([
    [
      "a custom role without the importer permission",
      KEYS.viewer,
      "viewer@demo.test",
      "custom",
      NO_PERMISSION,
    ],
    ["a partner user", KEYS.partner, "pat@agency.test", "partner", PARTNER_USER],
  ])("shows %s may not import, and why", (_who, key, user, role, reason) => {
    const host = addon({ url: service.url, key });
    expect(call(host, "testConnection")).toEqual({ user, role, mayImport: false, reason, program });
  });

  it("says when the key is not valid", () => {
    const host = addon({ url: service.url, key: "not-a-key-of-this-program" });
    expect(() => call(host, "testConnection")).toThrow("The API key is not valid.");
  });
});

describe.each([
  ["a custom role without the importer permission", KEYS.viewer, NO_PERMISSION],
  ["a partner user", KEYS.partner, PARTNER_USER],
])("%s", (_who, key, reason) => {
  function badSheet() {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, [
      ["partner_email", "partner_key"],
      ["not-an-email", "has space"],
    ]);
    return { workbook, host: addon({ url: service.url, key, workbook }) };
  }

  it("is told why Validate cannot run, and the sheet is left as it was", () => {
    const { workbook, host } = badSheet();
    const before = looks(workbook);
    expect(() => call(host, "validate", choiceOf("partners"))).toThrow(reason);
    expect(looks(workbook)).toEqual(before);
  });

  it("is told why an import or a dry run cannot start, and no import reaches the service", async () => {
    const { workbook, host } = badSheet();
    const before = looks(workbook);
    const started = await imports();
    expect(() => call(host, "startImport", choiceOf("partners"), true)).toThrow(reason);
    expect(() => call(host, "reviewImport", choiceOf("partners"))).toThrow(reason);
    expect(() => call(host, "startImport", choiceOf("partners"), false)).toThrow(reason);
    expect(await imports()).toBe(started);
    expect(looks(workbook)).toEqual(before);
    expect(call(host, "loadSidebar").activeImport).toBeNull();
  });

  it("is told why template headers cannot be inserted, and the sheet is left as it was", () => {
    const workbook = new Workbook();
    const host = addon({ url: service.url, key, workbook });
    const before = looks(workbook);
    expect(() => call(host, "insertTemplate", choiceOf("customers"))).toThrow(reason);
    expect(looks(workbook)).toEqual(before);
    expect(workbook.activeSheet.frozenRows).toBe(0);
  });
});

describe("settings", () => {
  const SET_UP = "The importer is not set up yet: open Settings and enter the Importer URL and your API key.";

  it("without settings, every call to the service says to open Settings", () => {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, [["partner_email"], ["nope"]]);
    const before = looks(workbook);
    const host = addon({ workbook });
    expect(call(host, "loadSidebar").settings).toEqual({ url: "", keyHint: null, configured: false });
    for (const [name, ...args] of [
      ["testConnection"],
      ["loadCatalogue"],
      ["validate", choiceOf("partners")],
      ["insertTemplate", choiceOf("partners")],
      ["reviewImport", choiceOf("partners")],
      ["startImport", choiceOf("partners"), false],
    ] as [string, ...unknown[]][])
      expect(() => call(host, name, ...args)).toThrow(SET_UP);
    expect(looks(workbook)).toEqual(before);
  });

  it("Save keeps the key in the user's properties and never returns it, only its last characters", () => {
    const userStore: Record<string, string> = {};
    const host = addon({ url: service.url, userStore });
    const saved = call(host, "saveSettings", service.url, KEYS.ops);
    expect(saved).toMatchObject({
      url: `${service.url}/`,
      keyHint: `…${KEYS.ops.slice(-4)}`,
      configured: true,
    });
    expect(userStore[USER_SETTINGS.apiKey]).toBe(KEYS.ops);
    const context = call(host, "loadSidebar");
    expect(JSON.stringify(context)).not.toContain(KEYS.ops);
    expect(context.settings).toEqual({ url: saved.url, keyHint: saved.keyHint, configured: true });
    expect(call(host, "testConnection").user).toBe("ops@demo.test");
  });

  it("Save with the key field empty keeps the saved key", () => {
    const userStore: Record<string, string> = {};
    const host = addon({ url: service.url, userStore });
    call(host, "saveSettings", service.url, KEYS.admin);
    const saved = call(host, "saveSettings", `${service.url}/`, "");
    expect(saved.keyHint).toBe(`…${KEYS.admin.slice(-4)}`);
    expect(JSON.stringify(saved)).not.toContain(KEYS.admin);
    expect(call(host, "testConnection").user).toBe("admin@demo.test");
  });

  // What Save says of an Importer URL it refuses: test/addon/settings.test.ts.

  it("Save refuses a key with spaces in it, and asks for a key when none was ever saved", () => {
    const userStore: Record<string, string> = {};
    const host = addon({ url: service.url, userStore });
    expect(() => call(host, "saveSettings", service.url, "")).toThrow("Enter your API key");
    expect(() => call(host, "saveSettings", service.url, "two words")).toThrow(
      "The API key has spaces in it",
    );
    expect(userStore).toEqual({});
  });
});

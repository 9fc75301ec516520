import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { importerMenu } from "../../src/addon/menu";
import { CallLog, LATENCY_FIGURES, PESSIMISTIC } from "../../src/emulator/calls";
import { type Realm, wrapService } from "../../src/emulator/membrane";
import {
  CACHE_KEY_TOO_LARGE,
  CACHE_VALUE_TOO_LARGE,
  createCacheService,
} from "../../src/emulator/services/cache";
import { createHtmlService } from "../../src/emulator/services/html";
import { createLockService, LOCK_TIMEOUT, LockTable } from "../../src/emulator/services/lock";
import { createConsole, createLogger, type LogLine } from "../../src/emulator/services/logger";
import {
  createPropertiesService,
  PROPERTY_LIMITS,
  type PropertyStores,
  STORE_QUOTA_EXCEEDED,
  VALUE_TOO_LARGE,
} from "../../src/emulator/services/properties";
import { createScriptApp } from "../../src/emulator/services/script";
import { createSession } from "../../src/emulator/services/session";
import { createUi, type DialogRequest, type MenuModel } from "../../src/emulator/services/ui";
import { createUtilities } from "../../src/emulator/services/utilities";

const emptyStores = (): PropertyStores => ({ user: {}, document: {}, script: {} });

/** What a call threw, as the add-on's log shows it. */
function thrown(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return String(error);
  }
  throw new Error("expected the call to throw");
}

describe("PropertiesService", () => {
  test("values are stored as strings", () => {
    const stores = emptyStores();
    const props = createPropertiesService(new CallLog(), stores).getUserProperties();
    props.setProperty("count", 5 as unknown as string);
    props.setProperties({ flag: true as unknown as string, when: "today" });
    expect(props.getProperty("count")).toBe("5");
    expect(props.getProperties()).toEqual({ count: "5", flag: "true", when: "today" });
    expect(stores.user).toEqual({ count: "5", flag: "true", when: "today" });
    expect(props.getProperty("missing")).toBeNull();
  });

  test("user, document and script stores are kept apart, in the host's objects", () => {
    const stores = emptyStores();
    const service = createPropertiesService(new CallLog(), stores);
    service.getUserProperties().setProperty("k", "user");
    service.getDocumentProperties().setProperty("k", "document");
    service.getScriptProperties().setProperty("k", "script");
    expect(stores).toEqual({ user: { k: "user" }, document: { k: "document" }, script: { k: "script" } });
  });

  test("a value over 9 KB is refused with Google's message and nothing is stored", () => {
    const stores = emptyStores();
    const props = createPropertiesService(new CallLog(), stores).getUserProperties();
    props.setProperty("fits", "x".repeat(PROPERTY_LIMITS.valueBytes));
    expect(thrown(() => props.setProperty("big", "x".repeat(PROPERTY_LIMITS.valueBytes + 1)))).toBe(
      "Exception: Argument too large: value",
    );
    // Bytes count, not characters: 4,609 two-byte characters are 9,218 bytes.
    expect(thrown(() => props.setProperty("big", "é".repeat(4609)))).toBe(`Exception: ${VALUE_TOO_LARGE}`);
    expect(Object.keys(stores.user)).toEqual(["fits"]);
  });

  test("a store over 500 KB is refused with Google's quota message", () => {
    const stores = emptyStores();
    const props = createPropertiesService(new CallLog(), stores).getScriptProperties();
    const value = "v".repeat(9000);
    let stored = 0;
    let error = "";
    for (let i = 0; i < 100 && !error; i++) {
      try {
        props.setProperty(`key${String(i).padStart(2, "0")}`, value);
        stored++;
      } catch (e) {
        error = String(e);
      }
    }
    expect(error).toBe(
      "Exception: You have exceeded the property storage quota. Please remove some properties and try again.",
    );
    expect(error).toBe(`Exception: ${STORE_QUOTA_EXCEEDED}`);
    // 56 entries of 5 + 9,000 bytes fit in 512,000 bytes; the 57th does not.
    expect(stored).toBe(Math.floor(PROPERTY_LIMITS.storeBytes / 9005));
    expect(Object.keys(stores.script)).toHaveLength(stored);
  });

  test("setProperties is all or nothing, and deleteAllOthers replaces the store", () => {
    const stores = emptyStores();
    const props = createPropertiesService(new CallLog(), stores).getDocumentProperties();
    props.setProperties({ a: "1", b: "2" });
    expect(() => props.setProperties({ c: "3", d: "x".repeat(10_000) })).toThrow(VALUE_TOO_LARGE);
    expect(stores.document).toEqual({ a: "1", b: "2" });
    props.setProperties({ b: "two", c: "3" }, true);
    expect(stores.document).toEqual({ b: "two", c: "3" });
    props.deleteProperty("b");
    expect(props.getKeys()).toEqual(["c"]);
    props.deleteAllProperties();
    expect(stores.document).toEqual({});
  });

  test("a key named like an Object built-in is an ordinary property", () => {
    const stores = emptyStores();
    const props = createPropertiesService(new CallLog(), stores).getUserProperties();
    expect(props.getProperty("toString")).toBeNull();
    props.setProperty("__proto__", "kept");
    expect(props.getProperty("__proto__")).toBe("kept");
    expect(Object.getPrototypeOf(stores.user)).toBe(Object.prototype);
  });
});

describe("CacheService", () => {
  test("an entry expires after its time, 10 minutes by default", () => {
    let now = 1_000_000;
    const cache = createCacheService(new CallLog(), () => now).getScriptCache();
    cache.put("short", "a", 30);
    cache.put("default", "b");
    now += 29_999;
    expect(cache.get("short")).toBe("a");
    now += 1;
    expect(cache.get("short")).toBeNull();
    now += 600_000 - 30_000 - 1;
    expect(cache.get("default")).toBe("b");
    now += 1;
    expect(cache.get("default")).toBeNull();
  });

  test("no entry outlives 6 hours, whatever it asks for", () => {
    let now = 0;
    const cache = createCacheService(new CallLog(), () => now).getUserCache();
    cache.put("k", "v", 100_000);
    now = 21_600_000 - 1;
    expect(cache.get("k")).toBe("v");
    now = 21_600_000;
    expect(cache.get("k")).toBeNull();
  });

  test("keys over 250 characters and values over 100 KB are refused; putAll stores all or nothing", () => {
    const cache = createCacheService(new CallLog()).getDocumentCache();
    if (!cache) throw new Error("a document cache");
    expect(thrown(() => cache.put("k".repeat(251), "v"))).toBe(`Exception: ${CACHE_KEY_TOO_LARGE}`);
    expect(thrown(() => cache.put("k", "v".repeat(100 * 1024 + 1)))).toBe(
      `Exception: ${CACHE_VALUE_TOO_LARGE}`,
    );
    cache.put("k".repeat(250), "v".repeat(100 * 1024));
    expect(() => cache.putAll({ a: "1", b: "v".repeat(200_000) })).toThrow(CACHE_VALUE_TOO_LARGE);
    expect(cache.getAll(["a", "b"])).toEqual({});
    cache.putAll({ a: "1", b: "2" });
    expect(cache.getAll(["a", "b", "c"])).toEqual({ a: "1", b: "2" });
    cache.removeAll(["a"]);
    cache.remove("b");
    expect(cache.getAll(["a", "b"])).toEqual({});
  });

  test("the caches are kept apart and outlive one execution", () => {
    const service = createCacheService(new CallLog());
    service.getUserCache().put("k", "user");
    expect(service.getScriptCache().get("k")).toBeNull();
    expect(service.getUserCache().get("k")).toBe("user");
  });
});

describe("LockService", () => {
  /** A clock that moves only when the lock service waits. */
  function fakeClock() {
    const clock = {
      time: 0,
      slept: [] as number[],
      now: () => clock.time,
      sleep: (ms: number) => {
        clock.slept.push(ms);
        clock.time += ms;
      },
    };
    return clock;
  }

  test("a lock another execution holds makes waitLock throw Google's timeout after waiting", () => {
    const clock = fakeClock();
    const table = new LockTable(clock);
    const locks = createLockService(new CallLog(), table);
    table.holdElsewhere("script");
    const lock = locks.getScriptLock();
    expect(thrown(() => lock.waitLock(30_000))).toBe(
      "Exception: Lock timeout: another process was holding the lock for too long.",
    );
    expect(LOCK_TIMEOUT).toBe("Lock timeout: another process was holding the lock for too long.");
    expect(clock.slept).toEqual([30_000]);
    expect(lock.tryLock(1_000)).toBe(false);
    expect(lock.hasLock()).toBe(false);
  });

  test("a lock let go within the timeout is taken after the wait, which is charged", () => {
    const clock = fakeClock();
    const table = new LockTable(clock);
    table.holdElsewhere("document", 2_000);
    const calls = new CallLog();
    const lock = createLockService(calls, table).getDocumentLock();
    expect(lock.tryLock(5_000)).toBe(true);
    expect(clock.slept).toEqual([2_000]);
    expect(lock.hasLock()).toBe(true);
    // The wait is the call's own time: the latency model (and so the add-on's clock) counts it.
    expect(calls.projectedMs).toBe(2_000);
  });

  test("an execution's locks are held until released or until it ends, and the scopes are apart", () => {
    const table = new LockTable();
    const locks = createLockService(new CallLog(), table);
    const lock = locks.getScriptLock();
    lock.waitLock(0);
    expect(lock.hasLock()).toBe(true);
    expect(table.isHeld("script")).toBe(true);
    expect(table.isHeld("user")).toBe(false);
    lock.releaseLock();
    expect(lock.hasLock()).toBe(false);
    expect(table.isHeld("script")).toBe(false);

    expect(lock.tryLock(0)).toBe(true);
    table.endExecution();
    expect(table.isHeld("script")).toBe(false);
    expect(lock.hasLock()).toBe(false);
    // Releasing a lock that is not held does nothing.
    lock.releaseLock();
    expect(locks.getUserLock().tryLock(0)).toBe(true);
  });
});

describe("Utilities", () => {
  const utilities = createUtilities(new CallLog());
  const instant = new Date(Date.UTC(2026, 0, 5, 23, 4, 5, 67)); // a Monday

  test("formatDate reads SimpleDateFormat patterns in the given time zone", () => {
    expect(utilities.formatDate(instant, "Etc/UTC", "yyyy-MM-dd HH:mm:ss.SSS")).toBe(
      "2026-01-05 23:04:05.067",
    );
    expect(utilities.formatDate(instant, "Europe/Paris", "yyyy-MM-dd'T'HH:mm:ssXXX")).toBe(
      "2026-01-06T00:04:05+01:00",
    );
    expect(utilities.formatDate(instant, "America/Los_Angeles", "EEE, d MMM yyyy h:mm a z")).toBe(
      "Mon, 5 Jan 2026 3:04 PM PST",
    );
    expect(utilities.formatDate(instant, "America/Los_Angeles", "EEEE MMMM dd, yy Z X XX")).toBe(
      "Monday January 05, 26 -0800 -08 -0800",
    );
    expect(utilities.formatDate(instant, "Asia/Kolkata", "HH:mm XXX")).toBe("04:34 +05:30");
    expect(utilities.formatDate(instant, "GMT+2", "HH:mm z")).toBe("01:04 GMT+02:00");
    expect(utilities.formatDate(instant, "Etc/UTC", "'at' h 'o''clock' XXX")).toBe("at 11 o'clock Z");
  });

  test("formatDate reads a time zone it does not know as GMT, as Java does", () => {
    expect(utilities.formatDate(instant, "Not/A_Zone", "HH:mm z XXX")).toBe(
      utilities.formatDate(instant, "Etc/UTC", "HH:mm 'GMT' XXX"),
    );
  });

  test("formatDate follows daylight saving time", () => {
    const summer = new Date(Date.UTC(2026, 6, 1, 12, 0, 0));
    expect(utilities.formatDate(summer, "America/New_York", "HH:mm z")).toBe("08:00 EDT");
    expect(utilities.formatDate(summer, "Europe/Paris", "HH:mm Z")).toBe("14:00 +0200");
  });

  test("formatDate counts weeks as Java does for English", () => {
    // Thursday 2026-12-31 is in week 1 of 2027: its week (Sunday to Saturday) holds January 1.
    const newYearsEve = new Date(Date.UTC(2026, 11, 31, 12));
    expect(utilities.formatDate(newYearsEve, "Etc/UTC", "YYYY w u D F W")).toBe("2027 1 4 365 5 5");
  });

  test("formatDate refuses an unknown pattern letter and a value that is not a date", () => {
    expect(thrown(() => utilities.formatDate(instant, "Etc/UTC", "yyyy-MM-dd q"))).toBe(
      "Exception: Illegal pattern character 'q'",
    );
    expect(thrown(() => utilities.formatDate("2026-01-05" as unknown as Date, "Etc/UTC", "yyyy"))).toBe(
      "Exception: Invalid argument: date",
    );
  });

  test("sleep blocks the thread for at least the time asked", () => {
    const started = performance.now();
    utilities.sleep(120);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  test("base64 round-trips strings and signed byte arrays", () => {
    expect(utilities.base64Encode("héllo")).toBe("aMOpbGxv");
    expect(utilities.base64Decode("aMOpbGxv")).toEqual([104, -61, -87, 108, 108, 111]);
    expect(utilities.base64Encode([-1, 0, 127])).toBe("/wB/");
    expect(utilities.base64EncodeWebSafe([-1, -2, -3])).toBe("__79");
    expect(utilities.base64DecodeWebSafe("__79")).toEqual([-1, -2, -3]);
    expect(() => utilities.base64Decode("not base64!")).toThrow("Could not decode string.");
  });

  test("digests are signed bytes, newBlob holds data, getUuid is a v4 UUID", () => {
    const digest = utilities.computeDigest(utilities.DigestAlgorithm.SHA_256, "abc");
    expect(Buffer.from(digest).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(Math.min(...digest)).toBeLessThan(0);
    const blob = utilities.newBlob("a,b\n1,2", "text/csv", "rows.csv");
    expect([blob.getDataAsString(), blob.getContentType(), blob.getName()]).toEqual([
      "a,b\n1,2",
      "text/csv",
      "rows.csv",
    ]);
    expect(utilities.getUuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe("Session, ScriptApp, Logger and console", () => {
  test("Session tells the user and the script's time zone", () => {
    const session = createSession(new CallLog(), {
      activeUserEmail: "ops@acme.test",
      timeZone: "Europe/Paris",
    });
    expect(session.getActiveUser().getEmail()).toBe("ops@acme.test");
    expect(session.getEffectiveUser().getEmail()).toBe("ops@acme.test");
    expect(session.getScriptTimeZone()).toBe("Europe/Paris");
    expect(session.getTemporaryActiveUserKey()).toBe(session.getTemporaryActiveUserKey());
    expect(session.getTemporaryActiveUserKey()).not.toContain("ops@acme.test");
  });

  test("ScriptApp.AuthMode has Google's four modes, each an object that prints as its name", () => {
    const script = createScriptApp(new CallLog());
    expect(Object.fromEntries(Object.entries(script.AuthMode).map(([k, v]) => [k, String(v)]))).toEqual({
      NONE: "NONE",
      CUSTOM_FUNCTION: "CUSTOM_FUNCTION",
      LIMITED: "LIMITED",
      FULL: "FULL",
    });
    expect(typeof script.AuthMode.NONE).toBe("object");
    expect((script.AuthMode.NONE as unknown) === "NONE").toBe(false);
    expect(String(script.getAuthorizationInfo(script.AuthMode.FULL).getAuthorizationStatus())).toBe(
      "NOT_REQUIRED",
    );
  });

  test("Logger and console write to one execution log; Logger.getLog keeps its lines until clear", () => {
    const lines: LogLine[] = [];
    const calls = new CallLog();
    const logger = createLogger(calls, (line) => lines.push(line));
    const console = createConsole(calls, (line) => lines.push(line));
    logger.log("rows: %s, ok: %s", 12, true);
    console.warn("slow", 3);
    expect(lines).toEqual([
      { source: "Logger", level: "info", message: "rows: 12, ok: true" },
      { source: "console", level: "warn", message: "slow 3" },
    ]);
    expect(logger.getLog()).toBe("rows: 12, ok: true\n");
    logger.clear();
    expect(logger.getLog()).toBe("");
  });
});

describe("Ui and HtmlService", () => {
  test("an add-on menu is recorded under Extensions with its items in order", () => {
    const menus: MenuModel[] = [];
    const ui = createUi(new CallLog(), { addonName: "Channel Importer", onMenu: (menu) => menus.push(menu) });
    const more = ui.createMenu("More").addItem("Help", "showHelp");
    ui.createAddonMenu()
      .addItem("Open importer", "showImporter")
      .addSeparator()
      .addSubMenu(more)
      .addItem("Settings", "showSettings")
      .addToUi();
    expect(menus).toEqual([
      {
        title: "Channel Importer",
        placement: "extensions",
        items: [
          { caption: "Open importer", functionName: "showImporter" },
          { separator: true },
          { caption: "More", items: [{ caption: "Help", functionName: "showHelp" }] },
          { caption: "Settings", functionName: "showSettings" },
        ],
      },
    ]);
  });

  test("alert passes title, prompt and buttons to the host and returns the button clicked", () => {
    const asked: DialogRequest[] = [];
    const ui = createUi(new CallLog(), {
      addonName: "Channel Importer",
      onAlert: (alert) => {
        asked.push(alert);
        return "NO";
      },
    });
    expect(ui.alert("Replace the headers?", ui.ButtonSet.YES_NO)).toBe(ui.Button.NO);
    ui.alert("Channel Importer", "Done.", ui.ButtonSet.OK);
    expect(asked).toEqual([
      { title: "", prompt: "Replace the headers?", buttons: "YES_NO" },
      { title: "Channel Importer", prompt: "Done.", buttons: "OK" },
    ]);
    const silent = createUi(new CallLog(), { addonName: "Channel Importer" });
    expect(silent.alert("Sure?", silent.ButtonSet.YES_NO_CANCEL)).toBe(silent.Button.YES);
    expect(silent.alert("Noted.")).toBe(silent.Button.OK);
  });

  test("createHtmlOutputFromFile reads the project's file; a missing one throws Google's message", () => {
    const files: Record<string, string> = { Sidebar: "<p>Hello</p>" };
    const html = createHtmlService(new CallLog(), (name) => files[name]);
    const page = html.createHtmlOutputFromFile("Sidebar").setTitle("Channel Importer").setWidth(300);
    expect([page.getContent(), page.getTitle(), page.getWidth()]).toEqual([
      "<p>Hello</p>",
      "Channel Importer",
      300,
    ]);
    expect(html.createHtmlOutputFromFile("Sidebar.html").getContent()).toBe("<p>Hello</p>");
    expect(thrown(() => html.createHtmlOutputFromFile("Settings"))).toBe(
      "Exception: No HTML file named Settings was found.",
    );
    expect(html.createHtmlOutput("<b>x</b>").append("<i>y</i>").getContent()).toBe("<b>x</b><i>y</i>");
  });
});

describe("the services in the add-on's own realm, through the membrane", () => {
  /** A context like the emulator's: the built-ins and the services, nothing else. */
  function addonContext(services: Record<string, object>): vm.Context {
    const context = vm.createContext({});
    const inner = vm.runInContext("({ Date, Array, Object, Error })", context) as Realm;
    for (const [name, service] of Object.entries(services))
      context[name] = wrapService(name, service, { inner });
    return context;
  }

  test("what a service throws is an Error there, with Google's message", () => {
    const context = addonContext({
      PropertiesService: createPropertiesService(new CallLog(), emptyStores()),
    });
    const seen = vm.runInContext(
      `let seen;
       try { PropertiesService.getUserProperties().setProperty("k", "x".repeat(10000)); }
       catch (e) { seen = [e instanceof Error, e.message]; }
       JSON.stringify(seen)`,
      context,
    );
    expect(JSON.parse(seen)).toEqual([true, "Argument too large: value"]);
  });

  test("a Date from the add-on's realm formats, and byte arrays are the add-on's arrays", () => {
    const context = addonContext({ Utilities: createUtilities(new CallLog()) });
    const seen = vm.runInContext(
      `const bytes = Utilities.base64Decode("AQID");
       JSON.stringify([
         Utilities.formatDate(new Date(Date.UTC(2026, 1, 3)), "Etc/UTC", "dd/MM/yyyy"),
         bytes instanceof Array, bytes.map((b) => b * 2),
       ])`,
      context,
    );
    expect(JSON.parse(seen)).toEqual(["03/02/2026", true, [2, 4, 6]]);
  });

  test("the bundle's onOpen builds the Extensions menu, and showImporter opens the built sidebar", () => {
    const dist = join(__dirname, "../../dist/addon");
    const sidebar = readFileSync(join(dist, "Sidebar.html"), "utf8");
    const menus: MenuModel[] = [];
    const sidebars: { html: string; title: string }[] = [];
    const calls = new CallLog();
    const ui = createUi(calls, {
      addonName: "Channel Importer",
      onMenu: (menu) => menus.push(menu),
      onSidebar: (html, title) => sidebars.push({ html, title }),
    });
    const context = addonContext({
      // SpreadsheetApp is the spreadsheet emulator's; here it only hands out the Ui.
      SpreadsheetApp: { getUi: () => ui },
      HtmlService: createHtmlService(calls, (name) => (name === "Sidebar" ? sidebar : undefined)),
    });
    vm.runInContext(readFileSync(join(dist, "Code.js"), "utf8"), context);
    vm.runInContext("onOpen({ authMode: 'NONE' })", context);
    expect(menus).toEqual([
      {
        title: "Channel Importer",
        placement: "extensions",
        items: importerMenu.map(({ caption, handler }) => ({ caption, functionName: handler })),
      },
    ]);
    vm.runInContext("showImporter()", context);
    expect(sidebars).toEqual([{ html: sidebar, title: "Channel Importer" }]);
  });
});

describe("call counting", () => {
  test("every call is counted by service and method", () => {
    const calls = new CallLog();
    const props = createPropertiesService(calls, emptyStores()).getUserProperties();
    props.setProperty("a", "1");
    props.getProperty("a");
    props.getProperty("b");
    const ui = createUi(calls, { addonName: "Channel Importer" });
    ui.createAddonMenu().addItem("Open importer", "showImporter").addToUi();
    createUtilities(calls).getUuid();
    expect(Object.fromEntries(calls.counts)).toEqual({
      "PropertiesService.getUserProperties": 1,
      "PropertiesService.Properties.setProperty": 1,
      "PropertiesService.Properties.getProperty": 2,
      "Ui.createAddonMenu": 1,
      "Ui.Menu.addItem": 1,
      "Ui.Menu.addToUi": 1,
      "Utilities.getUuid": 1,
    });
    expect(calls.total("PropertiesService")).toBe(4);
    // The model charges the property store's round trips (one write, two reads); getting the store, the
    // menu and a UUID cost nothing.
    expect(calls.projectedMs).toBe(LATENCY_FIGURES.propertiesWriteMs + 2 * LATENCY_FIGURES.propertiesReadMs);
  });

  test("the latency model charges each cache call one round trip, a batch as much as one", () => {
    const calls = new CallLog();
    const cache = createCacheService(calls).getScriptCache();
    cache.put("a", "1");
    cache.putAll({ b: "2", c: "3", d: "4" });
    cache.get("a");
    cache.getAll(["a", "b", "c"]);
    cache.remove("a");
    cache.removeAll(["b", "c"]);
    const f = LATENCY_FIGURES;
    expect(calls.projectedMs).toBe(f.cacheOpenMs + 2 * f.cachePutMs + 2 * f.cacheGetMs + 2 * f.cacheRemoveMs);
  });

  test("the latency model: a fetchAll is one round trip plus a share for each further request", () => {
    const f = LATENCY_FIGURES;
    const fetchAll = (requests: number) =>
      PESSIMISTIC.cost("UrlFetchApp", "fetchAll", { requests, serviceMs: 100 });
    expect(fetchAll(1)).toBe(PESSIMISTIC.cost("UrlFetchApp", "fetch", { serviceMs: 100 }));
    expect(fetchAll(5)).toBe(f.fetchMs + 4 * f.fetchAllRequestMs + 100);
    // Cheaper than the same requests one after another, dearer than one.
    expect(fetchAll(5)).toBeLessThan(5 * PESSIMISTIC.cost("UrlFetchApp", "fetch", { serviceMs: 20 }));
    // A flush commits the write cache: dearer than a buffered call.
    expect(PESSIMISTIC.cost("SpreadsheetApp", "flush", {})).toBe(f.sheetsFlushMs);
    expect(PESSIMISTIC.cost("SpreadsheetApp", "Range.setValues", { cells: 4_000 })).toBe(58);
  });
});

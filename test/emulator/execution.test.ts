/**
 * Contract tests for what Apps Script holds each execution to, in the emulator's host: a fresh global
 * scope, the virtual clock, the execution time limits, shared locks, a fetch's timeout charged as
 * Google's 60 s, and enums as objects. Each runs a small script of its own in an AddonHost.
 */
import { createServer, type Server, type Socket } from "node:net";
import { CallLog, LATENCY_FIGURES } from "../../src/emulator/calls";
import { VirtualClock } from "../../src/emulator/execution";
import { LockTable } from "../../src/emulator/services/lock";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { scriptHosts } from "./addonFixture";

const hostFor = scriptHosts();

describe("a fresh global scope for every execution", () => {
  test("module-level variables do not survive between executions", () => {
    const host = hostFor("var count = 0; function bump() { count++; return count; }");
    expect(host.run("bump")).toBe(1);
    expect(host.run("bump")).toBe(1);
    expect(host.executions.map((e) => e.name)).toEqual(["bump", "bump"]);
  });

  test("what the services hold does survive (document properties)", () => {
    const host = hostFor(`
      function bump() {
        const props = PropertiesService.getDocumentProperties();
        const n = Number(props.getProperty("n") || 0) + 1;
        props.setProperty("n", String(n));
        return n;
      }`);
    expect(host.run("bump")).toBe(1);
    expect(host.run("bump")).toBe(2);
  });

  test("hasFunction and globalType look at the bundle's globals", () => {
    const host = hostFor("function onOpen() {} var notAFunction = 1;");
    expect(host.hasFunction("onOpen")).toBe(true);
    expect(host.hasFunction("notAFunction")).toBe(false);
    expect(host.globalType("setTimeout")).toBe("undefined");
  });
});

describe("the virtual clock", () => {
  test("Date.now() and new Date() advance by each service call's projected time", () => {
    const host = hostFor(`
      function elapsed() {
        const t0 = Date.now(), d0 = new Date().getTime();
        for (let i = 0; i < 100; i++) SpreadsheetApp.getActiveSpreadsheet();
        return [Date.now() - t0, new Date().getTime() - d0];
      }`);
    const [byNow, byDate] = host.run("elapsed") as number[];
    // 100 calls × 50 ms projected: 5 s, though they took a few milliseconds here.
    expect(host.executions[0]?.projectedMs).toBe(5000);
    expect(byNow).toBeGreaterThanOrEqual(5000);
    expect(byDate).toBeGreaterThanOrEqual(5000);
  });

  test("time runs on between executions, and a pause takes the shift back, so the clock does not drift", () => {
    const host = hostFor(`
      function busy() { for (let i = 0; i < 100; i++) SpreadsheetApp.getActiveSpreadsheet(); return Date.now(); }
      function read() { return Date.now(); }`);
    const before = Date.now();
    const busyEnd = host.run("busy") as number;
    expect(busyEnd).toBeGreaterThanOrEqual(before + 5000);
    // The next execution starts where the busy one ended, not back at the real time.
    expect(host.run("read") as number).toBeGreaterThanOrEqual(busyEnd);
    // The person pauses (longer than the 5 s the calls were ahead by): the next click is at real time.
    const realNow = Date.now();
    const later = realNow + 6000;
    const spy = jest.spyOn(Date, "now").mockImplementation(() => later);
    try {
      expect(host.run("read") as number).toBe(later);
    } finally {
      spy.mockRestore();
    }
  });

  test("Date() gives the virtual time as text; a date from a time is as given", () => {
    const clock = new VirtualClock();
    clock.advance(3 * 365 * 24 * 3600_000);
    const host = hostFor(
      "function read() { return [String(Date()).slice(11, 15), new Date(0).getTime(), Date.UTC(2020, 0, 1)]; }",
      { clock },
    );
    const [year, epoch, utc] = host.run("read") as [string, number, number];
    expect(Number(year)).toBe(new Date(clock.now()).getFullYear());
    expect(epoch).toBe(0);
    expect(utc).toBe(Date.UTC(2020, 0, 1));
  });

  test("Utilities.sleep is charged its milliseconds", () => {
    const host = hostFor("function wait() { Utilities.sleep(200); }");
    host.run("wait");
    expect(host.executions[0]?.projectedMs).toBe(200);
    expect(host.calls.projectedMs).toBe(200);
  });

  test("Dates of every kind are instances of the add-on's Date", () => {
    const workbook = new Workbook();
    workbook.activeSheet.rows[0] = [{ value: new Date(Date.UTC(2024, 4, 1)) }];
    const host = hostFor(
      `function kinds() {
        const cell = SpreadsheetApp.getActiveSheet().getRange("A1").getValue();
        return [cell instanceof Date, new Date() instanceof Date, new Date(5) instanceof Date,
          Object.prototype.toString.call(cell)];
      }`,
      { workbook },
    );
    expect(host.run("kinds")).toEqual([true, true, true, "[object Date]"]);
  });

  test("the add-on's Date keeps the shape of Date: its statics, its prototype, and classes made from it", () => {
    const clock = new VirtualClock();
    clock.advance(24 * 3600_000);
    const host = hostFor(
      `class Day extends Date { label() { return "day " + this.getTime(); } }
      function shape() {
        const day = new Day();
        return [Date.name, Date.length, typeof Date.parse("2020-01-01"), Date.prototype === Object.getPrototypeOf(new Date(0)),
          day instanceof Day, day instanceof Date, day.label() === "day " + Date.now()];
      }`,
      { clock },
    );
    expect(host.run("shape")).toEqual(["Date", 7, "number", true, true, true, true]);
  });
});

describe("execution time limits (https://developers.google.com/apps-script/guides/services/quotas)", () => {
  // Each getActiveSpreadsheet is 50 ms projected; the add-on swallows every error it can.
  const STUBBORN = `
    function work(n) {
      let done = 0;
      for (let i = 0; i < n; i++) {
        try { SpreadsheetApp.getActiveSpreadsheet(); done++; } catch (e) { globalThis.lastError = String(e); }
      }
      return done;
    }
    function onEdit() { work(1000); }
    function longImport() { return work(8000); }
    function shortImport() { return work(100); }`;

  test("a simple trigger ends past 30 s, even when the add-on catches the error", () => {
    const host = hostFor(STUBBORN);
    expect(() => host.run("onEdit", [{}], "LIMITED")).toThrow("Exceeded maximum execution time");
    // The 601st call crosses 30 s and throws; no later call reaches the service.
    expect(host.calls.count("SpreadsheetApp.getActiveSpreadsheet")).toBe(601);
    expect(host.executions).toEqual([
      { name: "onEdit", trigger: "simple", projectedMs: 30_050, error: "Exceeded maximum execution time" },
    ]);
  });

  test("any other execution ends past 6 minutes", () => {
    const host = hostFor(STUBBORN);
    expect(() => host.runMenuItem("longImport")).toThrow("Exceeded maximum execution time");
    expect(host.calls.count("SpreadsheetApp.getActiveSpreadsheet")).toBe(7201);
    expect(host.executions[0]).toMatchObject({ trigger: "other", projectedMs: 360_050 });
    // The next execution starts afresh.
    expect(host.runMenuItem("shortImport")).toBe(100);
    expect(host.executions[1]).toEqual({ name: "shortImport", trigger: "other", projectedMs: 5000 });
  });

  test("google.script.run's failure handler gets the message", () => {
    const host = hostFor(STUBBORN);
    expect(host.runFromSidebar("longImport", [])).toEqual({
      ok: false,
      error: "Exceeded maximum execution time",
    });
  });
});

describe("shared locks", () => {
  test("hosts of one spreadsheet share its document lock", () => {
    const locks = new LockTable();
    const code = "function take() { return LockService.getDocumentLock().tryLock(0); }";
    const alice = hostFor(code, { locks, userEmail: "alice@example.com" });
    const bob = hostFor(code, { locks, userEmail: "bob@example.com" });
    locks.holdElsewhere("document");
    expect(alice.run("take")).toBe(false);
    expect(bob.run("take")).toBe(false);
    expect(alice.locks).toBe(bob.locks);
  });
});

describe("URL fetch time-outs", () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers.
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });

  test("a fetch that times out fails with Google's message and is charged Google's 60 s", () => {
    const calls = new CallLog();
    const host = hostFor(
      `function get(url) { try { UrlFetchApp.fetch(url); return "answered"; } catch (e) { return e.message; } }`,
      { urlFetchTimeoutMs: 300, calls },
    );
    const url = `http://127.0.0.1:${port}/never`;
    expect(host.run("get", [url])).toBe(`Timeout: ${url}`);
    expect(host.executions[0]?.projectedMs).toBe(60_000 + LATENCY_FIGURES.fetchMs);
  });
});

describe("enums are objects", () => {
  test("onOpen's e.authMode is the ScriptApp.AuthMode member, not its name", () => {
    const host = hostFor(`
      function onOpen(e) {
        Logger.log(JSON.stringify([e.authMode === "LIMITED", e.authMode === ScriptApp.AuthMode.LIMITED,
          String(e.authMode), e.authMode.toString(), typeof e.authMode, e.authMode]));
      }`);
    host.openDocument("LIMITED");
    expect(JSON.parse(host.logs[0]?.message ?? "")).toEqual([
      false,
      true,
      "LIMITED",
      "LIMITED",
      "object",
      "LIMITED",
    ]);
  });

  test("a dialog's answer is a Button member; ButtonSet members are taken", () => {
    const host = hostFor(`
      function ask() {
        const ui = SpreadsheetApp.getUi();
        const answer = ui.alert("Sure?", ui.ButtonSet.YES_NO);
        return [answer === ui.Button.YES, answer === "YES", String(answer)];
      }`);
    expect(host.run("ask")).toEqual([true, false, "YES"]);
    expect(host.alerts[0]?.buttons).toBe("YES_NO");
  });

  test("a data validation's criteria type is a DataValidationCriteria member", () => {
    const host = hostFor(`
      function rule() {
        const range = SpreadsheetApp.getActiveSheet().getRange("A1");
        range.setDataValidation(SpreadsheetApp.newDataValidation().requireValueInList(["a", "b"]).build());
        const type = range.getDataValidation().getCriteriaType();
        return [type === SpreadsheetApp.DataValidationCriteria.VALUE_IN_LIST, type === "VALUE_IN_LIST", String(type)];
      }`);
    expect(host.run("rule")).toEqual([true, false, "VALUE_IN_LIST"]);
  });
});

describe("onEdit's event", () => {
  test("carries the auth mode as a member; under NONE the add-on may only look at it", () => {
    const host = hostFor(`
      function onEdit(e) {
        Logger.log(String(e.authMode));
        if (e.authMode === ScriptApp.AuthMode.NONE) {
          try { e.range.getRow(); } catch (error) { Logger.log(error.message); }
          try { PropertiesService.getDocumentProperties(); } catch (error) { Logger.log(error.message); }
          return;
        }
        Logger.log(e.range.getA1Notation());
      }`);
    const sheetId = host.options.workbook.activeSheet.sheetId;
    host.runOnEdit({ sheetId, row: 2, column: 3, numRows: 1, numColumns: 1, value: "x" });
    host.runOnEdit({ sheetId, row: 2, column: 3, numRows: 1, numColumns: 1, value: "x" }, "NONE");
    expect(host.logs.map((line) => line.message)).toEqual([
      "LIMITED",
      "C2",
      "NONE",
      "You do not have permission to call Range.getRow. Required permissions: (https://www.googleapis.com/auth/spreadsheets.currentonly || https://www.googleapis.com/auth/spreadsheets)",
      "You do not have permission to call PropertiesService.getDocumentProperties.",
    ]);
    expect(host.executions.map((e) => [e.name, e.trigger])).toEqual([
      ["onEdit", "simple"],
      ["onEdit", "simple"],
    ]);
  });
});

import vm from "node:vm";
import { CallLog } from "./calls";
import { copyInto, type Realm, wrapService } from "./membrane";
import { passArguments, passReturnValue } from "./scriptRun";
import { BlockingHttp } from "./services/blockingHttp";
import { createCacheService } from "./services/cache";
import { createHtmlService } from "./services/html";
import { createLockService, LockTable } from "./services/lock";
import { createConsole, createLogger, type LogLine } from "./services/logger";
import { createPropertiesService, type PropertyStores } from "./services/properties";
import type { AuthModeName } from "./services/script";
import { createScriptApp } from "./services/script";
import { createSession } from "./services/session";
import { createUi, type DialogRequest, type MenuModel } from "./services/ui";
import { createUrlFetchApp } from "./services/urlFetch";
import { createUtilities } from "./services/utilities";
import type { Toast } from "./spreadsheet/context";
import { createSpreadsheetApp } from "./spreadsheet/spreadsheetApp";
import type { Workbook } from "./spreadsheet/workbook";

export interface Manifest {
  timeZone?: string;
  urlFetchWhitelist?: string[];
}

export interface HostOptions {
  /** The add-on bundle: dist/addon/Code.js as text. */
  code: string;
  /** The add-on's HTML files by name ("Sidebar" → dist/addon/Sidebar.html). */
  readHtml(name: string): string | undefined;
  manifest: Manifest;
  workbook: Workbook;
  /** The user's, document's and script's properties; the host changes them in place. */
  stores: PropertyStores;
  userEmail?: string;
  calls?: CallLog;
  /** The button a person clicks in an alert; OK when not given. */
  onAlert?(alert: DialogRequest): string;
}

/** A block a person edited (typed into, pasted into or cleared), 1-based. */
export interface EditedBlock {
  sheetId: number;
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
  /** The new value, for a single cell. */
  value?: string;
  /** The value before, for a single cell that had one. */
  oldValue?: string;
}

/** The add-on's name under Extensions. */
export const ADDON_NAME = "Channel Importer";

/** Services each auth mode may not call (DESIGN.md: onOpen sees NONE or LIMITED). */
const REFUSED: Record<AuthModeName, (service: string, method: string) => boolean> = {
  NONE: (service, method) =>
    !["ScriptApp", "Logger", "console"].includes(service) && !method.startsWith("SpreadsheetApp.getUi"),
  // Google's own AuthMode example reads document properties under LIMITED; the user's and the
  // script's properties, the cache and URL fetches need the full authorization.
  LIMITED: (service, method) =>
    ["UrlFetchApp", "CacheService"].includes(service) ||
    (service === "PropertiesService" && !method.startsWith("PropertiesService.getDocumentProperties")),
  CUSTOM_FUNCTION: (service) => service !== "Utilities" && service !== "Logger" && service !== "console",
  FULL: () => false,
};

const SCOPES: Record<string, string> = {
  SpreadsheetApp: "https://www.googleapis.com/auth/spreadsheets.currentonly",
  UrlFetchApp: "https://www.googleapis.com/auth/script.external_request",
  HtmlService: "https://www.googleapis.com/auth/script.container.ui",
};

/**
 * Apps Script for one add-on and one spreadsheet: the real bundle in a vm context that holds the
 * JavaScript built-ins and the services, and nothing else, as in Apps Script.
 */
export class AddonHost {
  readonly calls: CallLog;
  readonly logs: LogLine[] = [];
  readonly alerts: DialogRequest[] = [];
  readonly toasts: Toast[] = [];
  menu: MenuModel | null = null;
  sidebar: { html: string; title: string } | null = null;
  #context: vm.Context;
  #realm: Realm;
  #mode: AuthModeName = "FULL";
  #http = new BlockingHttp();
  #locks = new LockTable();
  #spreadsheetApp: GoogleAppsScript.Spreadsheet.SpreadsheetApp;
  #scriptApp: ReturnType<typeof createScriptApp>;

  constructor(readonly options: HostOptions) {
    const calls = options.calls ?? new CallLog();
    this.calls = calls;
    const ui = createUi(calls, {
      addonName: ADDON_NAME,
      onMenu: (menu) => {
        this.menu = menu;
      },
      onSidebar: (html, title) => {
        this.sidebar = { html, title };
      },
      onAlert: (alert) => {
        this.alerts.push(alert);
        return (options.onAlert?.(alert) ?? "OK") as never;
      },
    });
    const timeZone = options.manifest.timeZone ?? options.workbook.timeZone;
    const sink = (line: LogLine) => this.logs.push(line);
    this.#spreadsheetApp = createSpreadsheetApp(options.workbook, calls, {
      ui,
      onToast: (t) => this.toasts.push(t),
    });
    this.#scriptApp = createScriptApp(calls);
    const services: Record<string, object> = {
      SpreadsheetApp: this.#spreadsheetApp,
      HtmlService: createHtmlService(calls, options.readHtml),
      PropertiesService: createPropertiesService(calls, options.stores),
      CacheService: createCacheService(calls),
      LockService: createLockService(calls, this.#locks),
      UrlFetchApp: createUrlFetchApp(calls, {
        http: this.#http,
        ...(options.manifest.urlFetchWhitelist ? { whitelist: options.manifest.urlFetchWhitelist } : {}),
      }),
      Utilities: createUtilities(calls),
      Session: createSession(calls, { activeUserEmail: options.userEmail ?? "you@example.com", timeZone }),
      ScriptApp: this.#scriptApp,
      Logger: createLogger(calls, sink),
      console: createConsole(calls, sink),
    };
    this.#context = vm.createContext({});
    this.#realm = vm.runInContext("({ Date, Array, Object, Error })", this.#context) as Realm;
    const guard = (service: string, method: string) => {
      if (REFUSED[this.#mode](service, method))
        throw Object.assign(
          new Error(
            `You do not have permission to call ${method}.${SCOPES[service] ? ` Required permissions: ${SCOPES[service]}` : ""}`,
          ),
          { name: "Exception" },
        );
    };
    for (const [name, service] of Object.entries(services))
      this.#context[name] = wrapService(name, service, { inner: this.#realm, guard });
    vm.runInContext(options.code, this.#context, { filename: "Code.js" });
  }

  /** Whether the bundle defines a global function of that name, as Apps Script would find it. */
  hasFunction(name: string): boolean {
    return this.globalType(name) === "function";
  }

  /** The `typeof` of a global as the add-on's code sees it. */
  globalType(name: string): string {
    return vm.runInContext(`typeof ${JSON.stringify(name).slice(1, -1)}`, this.#context) as string;
  }

  /** Runs a global function of the bundle in one execution, under an auth mode. */
  run(name: string, args: readonly unknown[] = [], mode: AuthModeName = "FULL"): unknown {
    const fn = this.#context[name];
    if (typeof fn !== "function") throw new Error(`Script function not found: ${name}`);
    this.#mode = mode;
    try {
      return fn(...(copyInto(this.#realm, [...args]) as unknown[]));
    } finally {
      this.#mode = "FULL";
      this.#locks.endExecution();
    }
  }

  /** Opens the spreadsheet: onOpen with the auth mode Sheets gives (NONE before the add-on is used, else LIMITED). */
  openDocument(mode: "NONE" | "LIMITED" = "LIMITED"): void {
    this.run("onOpen", [{ authMode: mode }], mode);
  }

  /** A click on a menu item: its function, with full authorization. */
  runMenuItem(functionName: string): unknown {
    return this.run(functionName, [], "FULL");
  }

  /**
   * A person's edit of a block of cells: the onEdit simple trigger, if the bundle has one, under
   * AuthMode.LIMITED (NONE where the add-on is installed but not yet used in this spreadsheet) with
   * the event Sheets gives (e.range the edited Range, e.source the spreadsheet;
   * value and oldValue only for a single cell). The calls that build the event are counted too.
   */
  runOnEdit(edit: EditedBlock, mode: "NONE" | "LIMITED" = "LIMITED"): boolean {
    if (!this.hasFunction("onEdit")) return false;
    const app = this.#context.SpreadsheetApp as GoogleAppsScript.Spreadsheet.SpreadsheetApp;
    const source = app.getActiveSpreadsheet();
    const sheet = source.getSheetById(edit.sheetId);
    if (!sheet) return false;
    const range = sheet.getRange(edit.row, edit.column, edit.numRows, edit.numColumns);
    const event: Record<string, unknown> = { authMode: mode, source, range, triggerUid: "" };
    if (edit.value !== undefined) event.value = edit.value;
    if (edit.oldValue !== undefined) event.oldValue = edit.oldValue;
    this.run("onEdit", [event], mode);
    return true;
  }

  /** A call from the sidebar through google.script.run, with Google's rules for what crosses. */
  runFromSidebar(
    name: string,
    args: readonly unknown[],
  ): { ok: true; value: unknown } | { ok: false; error: string } {
    this.calls.record("google.script.run", name);
    try {
      const value = this.run(name, passArguments(args), "FULL");
      return { ok: true, value: passReturnValue(value) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Stops the thread that makes URL fetches. */
  close(): Promise<void> {
    return this.#http.close();
  }
}

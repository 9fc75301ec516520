import vm from "node:vm";
import { CallLog } from "./calls";
import {
  EXECUTION_LIMITS_MS,
  ExecutionEndedError,
  type ExecutionRecord,
  executionMessages,
  Quotas,
  type TriggerKind,
  VirtualClock,
} from "./execution";
import { copyInto, type Realm, wrapService } from "./membrane";
import { permissionMessage, refusedInSimpleTrigger, requiredScopes } from "./scopes";
import { passArguments, passReturnValue } from "./scriptRun";
import { BlockingHttp } from "./services/blockingHttp";
import { createCacheService } from "./services/cache";
import { exception } from "./services/exception";
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
  /** The scopes the script asks for; when listed, a service call outside them is refused. */
  oauthScopes?: string[];
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
  /** The button a person clicks in an alert; OK (YES for a yes/no set) when not given. */
  onAlert?(alert: DialogRequest): string;
  /** The spreadsheet's locks: one table shared by the hosts of one spreadsheet (a new one by default). */
  locks?: LockTable;
  /**
   * How long a URL fetch may wait here before it fails with Google's `Timeout` (Apps Script's 60 s by
   * default; tests use short ones). A timed-out fetch is charged Google's 60 s by the latency model.
   */
  urlFetchTimeoutMs?: number;
  /** The clock the add-on's Date sees (a new one by default); hosts of one spreadsheet may share one. */
  clock?: VirtualClock;
  /** The daily quotas, counted per user: one object shared by the hosts of one user (a new one by default). */
  quotas?: Quotas;
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

const CONTAINER_UI = ["https://www.googleapis.com/auth/script.container.ui"];

/** The functions Sheets runs as simple triggers (https://developers.google.com/apps-script/guides/triggers). */
const SIMPLE_TRIGGERS = new Set(["onOpen", "onEdit"]);

/** One execution's global scope: a vm context with the built-ins, the services, and the bundle evaluated in it. */
interface Scope {
  context: vm.Context;
  realm: Realm;
}

interface Running {
  record: ExecutionRecord;
  limitMs: number;
  /** The message that ended it: every later service call throws it, and so does the execution. */
  ended?: string;
}

/**
 * Apps Script for one add-on, one spreadsheet and one user: the real bundle in a vm context that holds
 * the JavaScript built-ins and the services, and nothing else, as in Apps Script. Every execution gets
 * a fresh global scope (a new context with the bundle evaluated again), so nothing the add-on keeps in
 * module-level variables survives it; the services (and what they hold: properties, cache, locks) are
 * the host's and do.
 */
export class AddonHost {
  readonly calls: CallLog;
  readonly logs: LogLine[] = [];
  readonly alerts: DialogRequest[] = [];
  readonly toasts: Toast[] = [];
  /** Every execution run, in order: its name, kind, projected time and error. */
  readonly executions: ExecutionRecord[] = [];
  readonly clock: VirtualClock;
  readonly quotas: Quotas;
  readonly locks: LockTable;
  menu: MenuModel | null = null;
  sidebar: { html: string; title: string } | null = null;
  #script: vm.Script;
  /** Binds the globals a script reaches in the script's own scope (bindingsScript); the same every scope. */
  #bindings: vm.Script | null = null;
  #services: Record<string, object>;
  #probe: Scope | null = null;
  #running: Running | null = null;
  #mode: AuthModeName = "FULL";
  #http = new BlockingHttp();
  #scriptApp: ReturnType<typeof createScriptApp>;
  #user: string;

  constructor(readonly options: HostOptions) {
    const calls = options.calls ?? new CallLog();
    this.calls = calls;
    this.clock = options.clock ?? new VirtualClock();
    this.quotas = options.quotas ?? new Quotas();
    this.locks = options.locks ?? new LockTable();
    this.#user = options.userEmail ?? "you@example.com";
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
        // Without an answer given, the set's affirmative button (OK, or YES).
        return options.onAlert?.(alert) as never;
      },
    });
    const timeZone = options.manifest.timeZone ?? options.workbook.timeZone;
    const sink = (line: LogLine) => this.logs.push(line);
    this.#scriptApp = createScriptApp(calls);
    this.#services = {
      SpreadsheetApp: createSpreadsheetApp(options.workbook, calls, {
        ui,
        onToast: (t) => this.toasts.push(t),
      }),
      HtmlService: createHtmlService(calls, options.readHtml),
      PropertiesService: createPropertiesService(calls, options.stores),
      CacheService: createCacheService(calls),
      LockService: createLockService(calls, this.locks),
      UrlFetchApp: createUrlFetchApp(calls, {
        http: this.#http,
        ...(options.manifest.urlFetchWhitelist ? { whitelist: options.manifest.urlFetchWhitelist } : {}),
        ...(options.urlFetchTimeoutMs !== undefined ? { timeoutMs: options.urlFetchTimeoutMs } : {}),
        beforeSend: (n) => this.quotas.useUrlFetches(this.#user, n),
      }),
      Utilities: createUtilities(calls),
      Session: createSession(calls, { activeUserEmail: this.#user, timeZone }),
      ScriptApp: this.#scriptApp,
      Logger: createLogger(calls, sink),
      console: createConsole(calls, sink),
    };
    this.#script = new vm.Script(options.code, { filename: "Code.js" });
  }

  /** A fresh global scope: a new context, the services wrapped for it, Date on the virtual clock, the bundle run. */
  #newScope(): Scope {
    const context = vm.createContext({});
    const builtIns = vm.runInContext("({ Date, Array, Object, Error })", context) as Realm;
    const clock = this.clock;
    // The add-on's Date reads the virtual clock: `Date.now()`, `new Date()` and `Date()`; a Date made
    // from a time is the realm's own, so `instanceof Date` holds for every Date the add-on meets. It is
    // a plain function of the realm sharing the realm Date's prototype and statics, not a Proxy, so the
    // add-on's `instanceof Date` over a million cells costs what it costs in Apps Script.
    const now = () => clock.now();
    (vm.runInContext(VIRTUAL_DATE, context) as (now: () => number) => DateConstructor)(now);
    // The realm's own Date re-makes the Dates that cross (always from a time, so the clock plays no
    // part): they are the same Dates, `instanceof` the add-on's Date, without a call through it.
    const realm: Realm = builtIns;
    const guard = (service: string, method: string) => this.#guard(service, method);
    const around = (service: string, method: string, invoke: () => unknown) =>
      this.#measure(service, method, invoke);
    for (const [name, service] of Object.entries(this.#services))
      context[name] = wrapService(name, service, { inner: realm, guard, around });
    this.#bindings ??= bindingsScript(context, Object.keys(this.#services));
    this.#bindings.runInContext(context);
    this.#script.runInContext(context);
    return { context, realm };
  }

  /** Refuses a service call the running execution may not make. */
  #guard(service: string, method: string): void {
    const running = this.#running;
    if (running?.ended) throw new ExecutionEndedError(running.ended);
    const scopes = requiredScopes(service, method);
    if (REFUSED[this.#mode](service, method)) throw exception(permissionMessage(method, scopes));
    // A simple trigger may build the menu but not open a sidebar, a dialog, an alert or a prompt.
    if (running?.record.trigger === "simple" && refusedInSimpleTrigger(method))
      throw exception(permissionMessage(method, requiredScopes(service, method) ?? CONTAINER_UI));
    // The manifest's oauthScopes are all the script may use.
    const granted = this.options.manifest.oauthScopes;
    if (granted && scopes && !scopes.some((scope) => granted.includes(scope)))
      throw exception(permissionMessage(method, scopes));
  }

  /**
   * Makes a service call, and charges its projected time: to the virtual clock (less the time it took
   * here) and to the running execution, which ends when it passes its limit.
   */
  #measure(_service: string, _method: string, invoke: () => unknown): unknown {
    const running = this.#running;
    const projectedBefore = this.calls.projectedMs;
    const started = performance.now();
    try {
      return invoke();
    } finally {
      const projected = this.calls.projectedMs - projectedBefore;
      this.clock.executionShiftMs += projected - (performance.now() - started);
      if (running) {
        running.record.projectedMs += projected;
        if (!running.ended && running.record.projectedMs > running.limitMs)
          running.ended = executionMessages.timeLimit;
        if (
          !running.ended &&
          running.record.trigger === "simple" &&
          this.quotas.triggerRuntimeExceeded(this.#user, running.record.projectedMs)
        )
          running.ended = executionMessages.triggerRuntimeQuota;
        // The call that crosses the limit throws, whatever it would have returned.
        // biome-ignore lint/correctness/noUnsafeFinally: the execution ends here, as Apps Script ends it.
        if (running.ended) throw new ExecutionEndedError(running.ended);
      }
    }
  }

  /** The scope hasFunction and globalType look into (no execution runs in it). */
  #probeScope(): Scope {
    this.#probe ??= this.#newScope();
    return this.#probe;
  }

  /** Whether the bundle defines a global function of that name, as Apps Script would find it. */
  hasFunction(name: string): boolean {
    return this.globalType(name) === "function";
  }

  /** The `typeof` of a global as the add-on's code sees it. */
  globalType(name: string): string {
    return vm.runInContext(
      `typeof ${JSON.stringify(name).slice(1, -1)}`,
      this.#probeScope().context,
    ) as string;
  }

  /**
   * Runs a global function of the bundle in one execution, in a fresh global scope, under an auth mode.
   * onOpen and onEdit run as simple triggers (30 s), the rest with 6 minutes; past its limit the
   * execution ends with `Exceeded maximum execution time`, which this throws even when the add-on
   * caught it.
   */
  run(
    name: string,
    args: readonly unknown[] = [],
    mode: AuthModeName = "FULL",
    trigger: TriggerKind = SIMPLE_TRIGGERS.has(name) ? "simple" : "other",
  ): unknown {
    return this.#execute(name, mode, trigger, () => args);
  }

  #execute(
    name: string,
    mode: AuthModeName,
    trigger: TriggerKind,
    makeArgs: (scope: Scope) => readonly unknown[],
  ): unknown {
    if (this.#running) throw new Error(`An execution is already running: ${this.#running.record.name}`);
    const record: ExecutionRecord = { name, trigger, projectedMs: 0 };
    const running: Running = { record, limitMs: EXECUTION_LIMITS_MS[trigger] };
    this.executions.push(record);
    this.#running = running;
    this.clock.startExecution();
    try {
      // https://developers.google.com/apps-script/guides/services/quotas: triggers' total runtime a day.
      if (trigger === "simple" && this.quotas.triggerRuntimeExceeded(this.#user))
        throw new ExecutionEndedError(executionMessages.triggerRuntimeQuota);
      const scope = this.#newScope();
      const fn = scope.context[name];
      if (typeof fn !== "function") throw new Error(`Script function not found: ${name}`);
      // Sheets builds the event whatever the mode; what the add-on then calls on it is checked.
      const args = copyInto(scope.realm, [...makeArgs(scope)]) as unknown[];
      this.#mode = mode;
      const value = fn(...args);
      if (running.ended) throw new ExecutionEndedError(running.ended);
      return value;
    } catch (error) {
      // An execution past its limit ends with that error, whatever the add-on made of it.
      const failure = running.ended ? new ExecutionEndedError(running.ended) : error;
      record.error = messageOf(failure);
      throw failure;
    } finally {
      this.#running = null;
      this.#mode = "FULL";
      this.locks.endExecution();
      this.clock.endExecution();
      if (trigger === "simple") this.quotas.addTriggerRuntime(this.#user, record.projectedMs);
    }
  }

  /** Opens the spreadsheet: onOpen with the auth mode Sheets gives (NONE before the add-on is used, else LIMITED). */
  openDocument(mode: "NONE" | "LIMITED" = "LIMITED"): void {
    this.#execute("onOpen", mode, "simple", () => [{ authMode: this.#scriptApp.AuthMode[mode] }]);
  }

  /** A click on a menu item: its function, with full authorization. */
  runMenuItem(functionName: string): unknown {
    return this.run(functionName, [], "FULL", "other");
  }

  /**
   * A person's edit of a block of cells: the onEdit simple trigger, if the bundle has one, under
   * AuthMode.LIMITED (NONE where the add-on is installed but not yet used in this spreadsheet) with the
   * event Sheets gives (e.authMode that mode's ScriptApp.AuthMode member, e.range the edited Range,
   * e.source the spreadsheet; value and oldValue only for a single cell). The calls that build the
   * event are counted too.
   */
  runOnEdit(edit: EditedBlock, mode: "NONE" | "LIMITED" = "LIMITED"): boolean {
    if (!this.hasFunction("onEdit")) return false;
    if (!this.options.workbook.sheetById(edit.sheetId)) return false;
    this.#execute("onEdit", mode, "simple", (scope) => {
      const app = scope.context.SpreadsheetApp as GoogleAppsScript.Spreadsheet.SpreadsheetApp;
      const source = app.getActiveSpreadsheet();
      const sheet = source.getSheetById(edit.sheetId) as GoogleAppsScript.Spreadsheet.Sheet;
      const range = sheet.getRange(edit.row, edit.column, edit.numRows, edit.numColumns);
      const event: Record<string, unknown> = {
        authMode: this.#scriptApp.AuthMode[mode],
        source,
        range,
        triggerUid: "",
      };
      if (edit.value !== undefined) event.value = edit.value;
      if (edit.oldValue !== undefined) event.oldValue = edit.oldValue;
      return [event];
    });
    return true;
  }

  /** A call from the sidebar through google.script.run, with Google's rules for what crosses. */
  runFromSidebar(
    name: string,
    args: readonly unknown[],
  ): { ok: true; value: unknown } | { ok: false; error: string } {
    this.calls.record("google.script.run", name);
    try {
      const value = this.run(name, passArguments(args), "FULL", "other");
      return { ok: true, value: passReturnValue(value) };
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
  }

  /** Stops the thread that makes URL fetches. */
  close(): Promise<void> {
    return this.#http.close();
  }
}

/**
 * A script that binds, in the script scope that every script of a context shares, each global a script
 * finds there: the context's own built-ins (its intrinsics: `Math`, `JSON`, `Array`…, `Date` as the
 * host set it) and the services. Node's vm routes every lookup on a context's global object through
 * interceptors (the context is "contextified"), which V8 cannot cache: `Math.max` in a loop runs tens
 * of times slower than in a plain script, as it would not in Apps Script. A `let` of the script scope
 * is found before the global object, in a slot V8 does cache, so the bundle's code runs as fast as a
 * normal script. The bindings hold the very objects the global does, and nothing the context lacks;
 * `undefined`, `NaN` and `Infinity` cannot be rebound (esbuild writes `void 0` anyway), nor `eval`
 * without making direct eval indirect. Run once per context, before the bundle.
 */
export function bindingsScript(context: vm.Context, services: readonly string[]): vm.Script {
  const intrinsics = vm.runInContext(
    `Object.getOwnPropertyNames(globalThis).filter(
      (name) => name !== "eval" && Object.getOwnPropertyDescriptor(globalThis, name).configurable
    )`,
    context,
  ) as string[];
  const names = [...new Set([...intrinsics, ...services])].filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  // `this` at a script's top level is the global object (a `globalThis.X` here would meet its own `let`).
  return new vm.Script(`let ${names.map((name) => `${name} = this.${name}`).join(",\n  ")};`, {
    filename: "bindings.js",
  });
}

/**
 * Run in a new context: makes the context's Date read the clock `now` gives (see #newScope), and makes
 * it the context's global Date.
 */
const VIRTUAL_DATE = `(now) => {
  const RealDate = Date;
  const construct = Reflect.construct;
  // By the number of arguments, as Date tells undefined given from no argument (new Date(2020, 0) is
  // not new Date(2020, 0, undefined)); no rest array, so a Date costs about what the realm's Date costs.
  const VirtualDate = function Date(year, month, day, hours, minutes, seconds, ms) {
    if (new.target === undefined) return new RealDate(now()).toString();
    if (new.target !== VirtualDate) return construct(RealDate, arguments.length === 0 ? [now()] : [...arguments], new.target);
    switch (arguments.length) {
      case 0: return new RealDate(now());
      case 1: return new RealDate(year);
      case 2: return new RealDate(year, month);
      case 3: return new RealDate(year, month, day);
      case 4: return new RealDate(year, month, day, hours);
      case 5: return new RealDate(year, month, day, hours, minutes);
      case 6: return new RealDate(year, month, day, hours, minutes, seconds);
      default: return new RealDate(year, month, day, hours, minutes, seconds, ms);
    }
  };
  Object.setPrototypeOf(VirtualDate, RealDate);
  Object.defineProperty(VirtualDate, "prototype", { value: RealDate.prototype });
  Object.defineProperty(VirtualDate, "length", { value: RealDate.length });
  Object.defineProperty(VirtualDate, "now", { value: now, writable: true, configurable: true });
  globalThis.Date = VirtualDate;
  return VirtualDate;
}`;

/** An error's message, from either realm. */
function messageOf(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as Error).message === "string")
    return (error as Error).message;
  return String(error);
}

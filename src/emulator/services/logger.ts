import { format } from "node:util";
import type { CallLog } from "../calls";

/** One line of the execution log, as Apps Script's Executions page lists it. */
export interface LogLine {
  source: "Logger" | "console";
  level: "info" | "warn" | "error";
  message: string;
}

/** Where log lines go: the host collects them, prints them, or both. */
export type LogSink = (line: LogLine) => void;

/** Logger: `log(format, ...values)` with %s-style placeholders; `getLog` gives the lines since `clear`. */
export function createLogger(calls: CallLog, sink: LogSink = () => {}): GoogleAppsScript.Base.Logger {
  const record = (method: string) => calls.record("Logger", method);
  let lines: string[] = [];
  const logger: GoogleAppsScript.Base.Logger = {
    log(data: unknown, ...values: unknown[]) {
      record("log");
      const message = format(data, ...values);
      lines.push(message);
      sink({ source: "Logger", level: "info", message });
      return logger;
    },
    getLog() {
      record("getLog");
      return lines.map((line) => `${line}\n`).join("");
    },
    clear() {
      record("clear");
      lines = [];
    },
  };
  return logger;
}

/** The part of `console` Apps Script gives. */
export type EmulatedConsole = Pick<Console, "log" | "info" | "warn" | "error" | "time" | "timeEnd">;

/** Apps Script's `console`, writing to the same execution log; its calls are counted under `console`. */
export function createConsole(calls: CallLog, sink: LogSink = () => {}): EmulatedConsole {
  const record = (method: string) => calls.record("console", method);
  const timers = new Map<string, number>();
  const write =
    (method: string, level: LogLine["level"]) =>
    (...values: unknown[]) => {
      record(method);
      sink({ source: "console", level, message: format(...values) });
    };
  const emulated: EmulatedConsole = {
    log: write("log", "info"),
    info: write("info", "info"),
    warn: write("warn", "warn"),
    error: write("error", "error"),
    time(label = "default") {
      record("time");
      timers.set(String(label), performance.now());
    },
    timeEnd(label = "default") {
      record("timeEnd");
      const started = timers.get(String(label));
      if (started === undefined) return;
      timers.delete(String(label));
      sink({
        source: "console",
        level: "info",
        message: `${label}: ${Math.round(performance.now() - started)}ms`,
      });
    },
  };
  return emulated;
}

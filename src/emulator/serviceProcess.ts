import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<number | null>;
  /** What it has printed lately: the last OUTPUT_KEPT characters. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  timeoutMs?: number;
  /** Pass this process's environment on (the default); off, the service sees only PATH, HOME and `env`. */
  inherit?: boolean;
}

const ROOT = join(__dirname, "..", "..");
const OUTPUT_KEPT = 64 * 1024;

/**
 * Starts the importer service as a process of its own, as it runs in production. The add-on's
 * UrlFetchApp blocks its thread while a request is out, so the service can never share that thread.
 * tsx is a loader in that one process: its CLI would run the service in a child of its own, which a
 * kill -9 of the CLI would leave running.
 */
export function spawnService(
  env: Record<string, string>,
  { timeoutMs = 120_000, inherit = true }: SpawnOptions = {},
): Promise<ServiceProcess> {
  const base = inherit ? process.env : { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    cwd: ROOT,
    env: { ...base, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // The service logs a line a request: what is kept is its latest output, enough to say why it stopped.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The importer service did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const read = (chunk: Buffer) => {
      keep(chunk);
      const match = /service on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child, exited, output: () => output, stop });
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", keep);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The importer service stopped (exit ${code}) before it started:\n${output}`));
    });
  });
}

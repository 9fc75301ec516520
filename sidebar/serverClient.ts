/**
 * The one place the sidebar reaches the add-on: google.script.run wrapped into promises, typed from
 * the server's entry module so that renaming a server function breaks the sidebar's type check.
 */
import type { FixResult, ImportChoice, TabView, ValidationView } from "../src/addon/contract";

/**
 * Entry points the add-on gains for tabs, `Map columns` and `Fix N cells` (issue 12), as the contract
 * names them. Once src/addon/main exports them, its own signatures are the ones checked.
 */
interface TabEntryPoints {
  activeTab(): TabView;
  saveMapping(choice: ImportChoice): ValidationView;
  renameHeaders(choice: ImportChoice): ValidationView;
  fixCells(choice: ImportChoice): FixResult;
}

type Main = typeof import("../src/addon/main");
type Server = Main & Omit<TabEntryPoints, keyof Main>;
type Answer<Name extends keyof Server> = Awaited<ReturnType<Server[Name]>>;

type ScriptRunner = {
  withSuccessHandler(onSuccess: (value: unknown) => void): ScriptRunner;
  withFailureHandler(onFailure: (error: Error) => void): ScriptRunner;
} & { [Name in keyof Server]: (...args: Parameters<Server[Name]>) => void };

declare const google: { script: { run: ScriptRunner } };

const answerListeners: { name: keyof Server; listener: (value: never) => void }[] = [];

/** Runs a server entry point; resolves with what it returns (as google.script.run passes it). */
export function callServer<Name extends keyof Server>(
  name: Name,
  ...args: Parameters<Server[Name]>
): Promise<Answer<Name>> {
  return new Promise((resolve, reject) => {
    const runner = google.script.run
      .withSuccessHandler((value) => {
        for (const each of answerListeners) if (each.name === name) each.listener(value as never);
        resolve(value as Answer<Name>);
      })
      .withFailureHandler(reject);
    // TypeScript cannot match a generic name to its own parameters inside a union of functions.
    (runner[name] as (...given: Parameters<Server[Name]>) => void).apply(runner, args);
  });
}

/**
 * Hears every answer of one entry point, whichever panel asked: the tab follower learns from
 * startImport and continueImport which tab a run belongs to without the import panel telling it.
 */
export function onServerAnswer<Name extends keyof Server>(
  name: Name,
  listener: (value: Answer<Name>) => void,
): void {
  answerListeners.push({ name, listener: listener as (value: never) => void });
}

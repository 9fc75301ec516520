/**
 * The one place the sidebar reaches the add-on: google.script.run wrapped into promises, typed from
 * the server's entry module so that renaming a server function breaks the sidebar's type check.
 */
type Server = typeof import("../src/addon/main");

type ScriptRunner = {
  withSuccessHandler(onSuccess: (value: unknown) => void): ScriptRunner;
  withFailureHandler(onFailure: (error: Error) => void): ScriptRunner;
} & { [Name in keyof Server]: (...args: Parameters<Server[Name]>) => void };

declare const google: { script: { run: ScriptRunner } };

/** Runs a server entry point; resolves with what it returns (as google.script.run passes it). */
export function callServer<Name extends keyof Server>(
  name: Name,
  ...args: Parameters<Server[Name]>
): Promise<Awaited<ReturnType<Server[Name]>>> {
  return new Promise((resolve, reject) => {
    const runner = google.script.run
      .withSuccessHandler((value) => resolve(value as Awaited<ReturnType<Server[Name]>>))
      .withFailureHandler(reject);
    // TypeScript cannot match a generic name to its own parameters inside a union of functions.
    (runner[name] as (...given: Parameters<Server[Name]>) => void).apply(runner, args);
  });
}

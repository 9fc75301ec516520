/**
 * google.script in the preview's sidebar: `google.script.run` posts each call to the preview server,
 * which runs it in the add-on (AddonHost.runFromSidebar), and calls the handlers asynchronously, as
 * Google does. After each call the page around the sidebar is told to reload what the add-on changed.
 * The sidebar is served from another origin than that page, as in Sheets, so the page's origin comes
 * in the frame's address (`parent=`) and is all that messages are sent to.
 */
import { passArguments } from "../../scriptRun";

type Handler = (value: unknown, userObject?: unknown) => void;

interface Handlers {
  success?: Handler;
  failure?: Handler;
  userObject?: unknown;
}

/** What the sidebar's frame tells the preview page. */
export interface BridgeMessage {
  source: "channel-importer-bridge";
  kind: "ran" | "focus";
}

/** The spreadsheet page's origin: what google.script.host.origin gives, as Google's does. */
const pageOrigin = new URLSearchParams(location.search).get("parent") ?? location.origin;

function tellPage(kind: BridgeMessage["kind"]): void {
  if (window.parent === window) return;
  const message: BridgeMessage = { source: "channel-importer-bridge", kind };
  window.parent.postMessage(message, pageOrigin);
}

function fail(handlers: Handlers, error: Error): void {
  if (handlers.failure) handlers.failure(error, handlers.userObject);
  else console.error(error);
}

async function call(name: string, args: unknown[], handlers: Handlers): Promise<void> {
  let sent: unknown[];
  try {
    sent = passArguments(args);
  } catch (error) {
    fail(handlers, error as Error);
    return;
  }
  let result: { ok: boolean; value?: unknown; error?: string };
  try {
    const response = await fetch("/api/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, args: sent }),
    });
    result = await response.json();
  } catch (error) {
    fail(handlers, new Error(`NetworkError: Connection failure (${(error as Error).message})`));
    return;
  }
  tellPage("ran");
  if (result.ok) handlers.success?.(result.value, handlers.userObject);
  else fail(handlers, new Error(result.error ?? "The script failed."));
}

/** A runner that keeps its handlers: each with… gives a new one, so handlers never leak to later calls. */
function runner(handlers: Handlers): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property !== "string" || property === "then") return undefined;
        if (property === "withSuccessHandler") return (success: Handler) => runner({ ...handlers, success });
        if (property === "withFailureHandler") return (failure: Handler) => runner({ ...handlers, failure });
        if (property === "withUserObject")
          return (userObject: unknown) => runner({ ...handlers, userObject });
        return (...args: unknown[]) => {
          // Google calls handlers after the current script finishes, never inside the call.
          setTimeout(() => void call(property, args, handlers), 0);
        };
      },
    },
  );
}

const host = {
  origin: pageOrigin,
  close(): void {
    void fetch("/api/sidebar/close", { method: "POST" }).then(() => tellPage("ran"));
  },
  setHeight(): void {},
  setWidth(): void {},
  editor: {
    focus(): void {
      tellPage("focus");
    },
  },
};

(window as unknown as { google: unknown }).google = { script: { run: runner({}), host } };

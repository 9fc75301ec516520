/** Settings: the importer's address and this person's API key, `Save` and `Test connection`. */
import type { ConnectionView, SettingsView } from "../src/addon/contract";
import { callServer } from "./serverClient";
import { runTask, showStatus } from "./tasks";
import { element, fill, requireElement } from "./view";

const section = requireElement<HTMLDetailsElement>("#settings");
const form = requireElement<HTMLFormElement>("#settings-form");
const setupNote = requireElement<HTMLParagraphElement>("#settings-setup");
const urlInput = requireElement<HTMLInputElement>("#importer-url");
const keyInput = requireElement<HTMLInputElement>("#api-key");
const testButton = requireElement<HTMLButtonElement>("#test-connection");
const connection = requireElement<HTMLDivElement>("#connection");

const savedListeners: ((settings: SettingsView) => void)[] = [];

/** Shows the saved settings; the key only as its hint, never in the field. */
export function showSettings(settings: SettingsView): void {
  urlInput.value = settings.url;
  keyInput.value = "";
  keyInput.placeholder = settings.keyHint ? `saved (${settings.keyHint})` : "Paste your API key";
  setupNote.hidden = settings.configured;
  if (!settings.configured) openSettings();
}

/** Opens the section and puts the cursor where the person has to type. */
export function openSettings(): void {
  section.open = true;
  section.scrollIntoView({ block: "nearest" });
  (urlInput.value === "" ? urlInput : keyInput).focus();
}

export function onSettingsSaved(listener: (settings: SettingsView) => void): void {
  savedListeners.push(listener);
}

async function save(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  fill(connection);
  // The server tests what is typed before it saves it; an empty key field keeps the saved key.
  const saved = await runTask("Testing the connection, then saving…", () =>
    callServer("saveSettings", urlInput.value.trim(), keyInput.value.trim()),
  );
  if (!saved) return;
  showSettings(saved);
  renderConnection(saved.connection);
  showStatus(`Settings saved. ${connectedAs(saved.connection)}`);
  for (const listener of savedListeners) listener(saved);
}

/** Tests the URL and key in the fields, as typed (an empty key field means the saved key). */
async function testConnection(): Promise<void> {
  fill(connection);
  const view = await runTask("Asking the importer who this key belongs to…", () =>
    callServer("testConnection", urlInput.value.trim(), keyInput.value.trim()),
  );
  if (!view) return;
  renderConnection(view);
  showStatus(connectedAs(view));
}

function connectedAs(view: ConnectionView): string {
  return view.mayImport
    ? `Connected to ${view.program.name} as ${view.user}.`
    : `Connected as ${view.user}, who may not import. ${view.reason ?? ""}`.trim();
}

function renderConnection(view: ConnectionView): void {
  const entry = (label: string, value: string) => [element("dt", null, label), element("dd", null, value)];
  fill(
    connection,
    element(
      "dl",
      "counts",
      ...entry("User", view.user),
      ...entry("Role", view.role),
      ...entry("Program", view.program.name),
      ...entry("May import", view.mayImport ? "Yes" : "No"),
    ),
    view.mayImport
      ? null
      : element(
          "p",
          "callout callout-error",
          view.reason ?? "This key may not import. Ask an administrator of your program.",
        ),
  );
}

form.addEventListener("submit", save);
testButton.addEventListener("click", testConnection);

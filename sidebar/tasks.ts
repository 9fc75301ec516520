/**
 * Runs the sidebar's server work one task at a time: controls are disabled while a call runs, the
 * status line says what is happening, and a rejected call's message (a sentence for the user) goes
 * to the alert area instead of breaking the page.
 */
import { requireElement } from "./view";

const statusLine = requireElement<HTMLParagraphElement>("#status");
const alertArea = requireElement<HTMLDivElement>("#alert");

let running = false;
const disabledByUs = new Set<HTMLButtonElement | HTMLSelectElement | HTMLInputElement>();

/** A task runs now: background work (following the tab) waits for it. */
export function isBusy(): boolean {
  return running;
}

export function showStatus(text: string): void {
  statusLine.textContent = text;
}

export function showAlert(message: string): void {
  alertArea.textContent = message;
  alertArea.hidden = false;
}

export function clearAlert(): void {
  alertArea.textContent = "";
  alertArea.hidden = true;
}

/**
 * What a rejected server call (or anything thrown) says to the user. Google puts the thrown error's
 * name before its message ("ServiceError: …"); the person only needs the sentence.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== "string" || message.trim() === "")
    return "Something went wrong; try again. If it keeps happening, reload the sidebar.";
  if (message.startsWith("NetworkError:"))
    return "The sidebar lost its connection to Google. Check your network, then try again.";
  return message.replace(/^(?:\w*Error|Exception): /, "");
}

/**
 * Runs `work` unless another task runs; `working` is the status shown meanwhile. Resolves with the
 * work's result, or undefined when it failed (its message is then in the alert area) or was refused.
 */
export async function runTask<T>(working: string, work: () => Promise<T>): Promise<T | undefined> {
  if (running) return undefined;
  running = true;
  clearAlert();
  showStatus(working);
  const focused = document.activeElement;
  setControlsEnabled(false);
  try {
    return await work();
  } catch (error) {
    showStatus("");
    showAlert(messageOf(error));
    return undefined;
  } finally {
    running = false;
    setControlsEnabled(true);
    // Disabling the pressed button dropped keyboard focus to the page; give it back.
    if (focused instanceof HTMLElement && focused.isConnected && document.activeElement === document.body)
      focused.focus();
  }
}

// Controls marked data-usable-while-busy (Cancel import) stay usable; text fields stay editable.
function setControlsEnabled(enabled: boolean): void {
  if (enabled) {
    for (const control of disabledByUs) control.disabled = false;
    disabledByUs.clear();
    return;
  }
  const controls = document.querySelectorAll<HTMLButtonElement | HTMLSelectElement | HTMLInputElement>(
    "button, select, input[type=checkbox]",
  );
  for (const control of controls) {
    if (control.disabled || control.dataset.usableWhileBusy !== undefined) continue;
    control.disabled = true;
    disabledByUs.add(control);
  }
}

/** What the add-on says to the person: alerts (a dialog with OK), toasts, and "Running script…". */

/** An alert as Ui.alert shows it; the add-on has already been answered OK, so this only informs. */
export function showAlert(title: string, prompt: string, onClose: () => void): void {
  openDialog(title, prompt, ["OK"], () => onClose());
}

/** A question with Cancel and OK; resolves true for OK. */
export function askToConfirm(title: string, prompt: string, ok: string): Promise<boolean> {
  return new Promise((resolve) =>
    openDialog(title, prompt, ["Cancel", ok], (button) => resolve(button === ok)),
  );
}

/** A modal dialog with buttons (the last one focused); Escape is the first button. */
function openDialog(
  title: string,
  prompt: string,
  buttons: string[],
  onClose: (button: string) => void,
): void {
  const scrim = document.createElement("div");
  scrim.className = "scrim";
  const dialog = document.createElement("div");
  dialog.className = "dialog";
  dialog.setAttribute("role", "alertdialog");
  dialog.setAttribute("aria-modal", "true");
  const heading = document.createElement("h2");
  heading.id = "alert-title";
  heading.textContent = title;
  const text = document.createElement("p");
  text.id = "alert-text";
  text.textContent = prompt;
  dialog.setAttribute("aria-labelledby", heading.id);
  dialog.setAttribute("aria-describedby", text.id);
  const actions = document.createElement("div");
  actions.className = "actions";
  const close = (button: string) => {
    scrim.remove();
    onClose(button);
  };
  const elements = buttons.map((caption) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = caption;
    button.addEventListener("click", () => close(caption));
    return button;
  });
  actions.append(...elements);
  if (title) dialog.append(heading);
  dialog.append(text, actions);
  scrim.append(dialog);
  document.body.append(scrim);
  dialog.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close(buttons[0] ?? "");
  });
  elements.at(-1)?.focus();
}

/** A toast in the corner, as Spreadsheet.toast shows one; a negative timeout keeps it until closed. */
export function showToast(
  toast: { title: string; message: string; timeoutSeconds: number },
  error = false,
): void {
  const box = document.createElement("div");
  box.className = error ? "toast error" : "toast";
  box.setAttribute("role", error ? "alert" : "status");
  const body = document.createElement("div");
  if (toast.title) {
    const title = document.createElement("strong");
    title.textContent = toast.title;
    body.append(title);
  }
  body.append(toast.message);
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => box.remove());
  box.append(body, close);
  document.getElementById("toasts")?.append(box);
  if (toast.timeoutSeconds >= 0) setTimeout(() => box.remove(), Math.max(toast.timeoutSeconds, 1) * 1000);
}

export function showError(message: string): void {
  showToast({ title: "Error", message, timeoutSeconds: 10 }, true);
}

/** Shows "Running script…" while a call takes longer than a moment, as Sheets does. */
export async function whileRunning<T>(work: Promise<T>): Promise<T> {
  const banner = document.getElementById("running");
  const timer = setTimeout(() => {
    if (banner) banner.hidden = false;
  }, 300);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    if (banner) banner.hidden = true;
  }
}

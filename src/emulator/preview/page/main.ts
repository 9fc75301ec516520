/** The preview page: a spreadsheet with the add-on's menu and sidebar, over the preview server's API. */
import type { ActionResult, PreviewState } from "../protocol";
import { api } from "./api";
import type { BridgeMessage } from "./bridge";
import { Grid } from "./grid";
import { MenuBar } from "./menuBar";
import { askToConfirm, showAlert, showError, showToast, whileRunning } from "./messages";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The preview page has no #${id}.`);
  return found as T;
}

const nameBox = element<HTMLOutputElement>("name-box");
const formula = element<HTMLInputElement>("formula");
const tabs = element<HTMLElement>("tabs");
const sidebar = element<HTMLElement>("sidebar");
const sidebarFrame = element<HTMLIFrameElement>("sidebar-frame");
const fileInput = element<HTMLInputElement>("csv-file");
const convertCsv = element<HTMLInputElement>("csv-convert");
/** The sidebar's origin: another than this page's, as Sheets serves an add-on's sidebar. */
const sidebarOrigin =
  document.querySelector<HTMLMetaElement>('meta[name="sidebar-origin"]')?.content ?? location.origin;

let state: PreviewState | undefined;
let seenAlert = 0;
let seenToast = 0;
let shownSidebar = 0;
/** The sidebar the person closed with its X: hidden at once, whatever the server says until it hears. */
let closedSidebar = 0;
/** Answers can arrive out of order; only the latest request's state is shown. */
let issued = 0;
let applied = 0;

const grid = new Grid(element("grid"), {
  select(sheetId, block) {
    api.select(sheetId, block).catch((error: Error) => showError(error.message));
  },
  setCell: (sheetId, row, column, input) => act(() => api.setCell(sheetId, row, column, input)),
  paste: (sheetId, row, column, text) => act(() => api.paste(sheetId, row, column, text), true),
  clear: (sheetId, block) => act(() => api.clear(sheetId, block)),
  activeCellChanged(a1, contents) {
    nameBox.textContent = a1;
    if (document.activeElement !== formula) formula.value = contents;
  },
});

const menuBar = new MenuBar(element("menubar"), {
  openCsv: () => fileInput.click(),
  run: (functionName) => act(() => api.runMenuItem(functionName), true),
  closed: () => grid.focus(),
});

/** Runs an action on the server and shows the workbook after it; the add-on may move the selection. */
async function act(call: () => Promise<ActionResult>, adoptSelection = false): Promise<void> {
  const ticket = ++issued;
  try {
    const result = await whileRunning(call());
    show(result.state, ticket, adoptSelection);
    if (!result.ok) showError(result.error ?? "The script failed.");
  } catch (error) {
    showError((error as Error).message);
    // What the grid showed before the server answered (typed text it refused) is dropped.
    grid.forget();
    await refresh();
  }
}

async function refresh(adoptSelection = false): Promise<void> {
  const ticket = ++issued;
  show(await api.state(), ticket, adoptSelection);
}

function show(next: PreviewState, ticket: number, adoptSelection: boolean): void {
  if (ticket < applied) return;
  applied = ticket;
  const switched = state?.activeSheetId !== next.activeSheetId;
  state = next;
  document.title = `${next.name} - Channel Importer preview`;
  element("doc-name").textContent = next.name;
  menuBar.update(next.menus);
  showTabs(next);
  const sheet = next.sheets.find((s) => s.sheetId === next.activeSheetId) ?? next.sheets[0];
  if (sheet) grid.show(sheet, next.version, switched || adoptSelection ? next.selection : undefined);
  showSidebar(next.sidebar);
  if (next.alert && next.alert.seq > seenAlert) {
    seenAlert = next.alert.seq;
    showAlert(next.alert.title, next.alert.prompt, () => grid.focus());
  }
  if (next.toast && next.toast.seq > seenToast) {
    seenToast = next.toast.seq;
    showToast(next.toast);
  }
}

function showTabs(next: PreviewState): void {
  const key = JSON.stringify([next.activeSheetId, next.sheets.map((s) => [s.sheetId, s.name])]);
  if (tabs.dataset.key === key) return;
  tabs.dataset.key = key;
  tabs.replaceChildren(
    ...next.sheets.map((sheet) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(sheet.sheetId === next.activeSheetId));
      tab.textContent = sheet.name;
      tab.addEventListener("click", () => {
        if (sheet.sheetId !== state?.activeSheetId) void act(() => api.select(sheet.sheetId));
        grid.focus();
      });
      // As in Sheets: a double click renames the tab, a right click offers Rename and Delete.
      tab.addEventListener("dblclick", () => renameTab(tab, sheet.sheetId, sheet.name));
      tab.addEventListener("contextmenu", (e) => {
        e.preventDefault();
        openTabMenu(tab, sheet.sheetId, sheet.name);
      });
      return tab;
    }),
  );
  tabs.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

/** Tabs are drawn again after a change, even one the server refused (so a rename field goes). */
async function actOnTabs(call: () => Promise<ActionResult>): Promise<void> {
  tabs.dataset.key = "";
  await act(call, true);
}

/** The tab's name becomes a field: Enter (or leaving it) renames, Escape keeps the name. */
function renameTab(tab: HTMLElement, sheetId: number, name: string): void {
  const field = document.createElement("input");
  field.className = "tab-name";
  field.value = name;
  field.setAttribute("aria-label", "Sheet name");
  field.spellcheck = false;
  let done = false;
  const finish = (save: boolean) => {
    if (done) return;
    done = true;
    const wanted = field.value;
    if (save && wanted !== name) void actOnTabs(() => api.renameSheet(sheetId, wanted));
    else {
      tabs.dataset.key = "";
      if (state) showTabs(state);
    }
    grid.focus();
  };
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Escape") {
      e.preventDefault();
      finish(e.key === "Enter");
    }
  });
  field.addEventListener("blur", () => finish(true));
  tab.replaceWith(field);
  field.focus();
  field.select();
}

function openTabMenu(tab: HTMLElement, sheetId: number, name: string): void {
  document.getElementById("tab-menu")?.remove();
  const menu = document.createElement("div");
  menu.id = "tab-menu";
  menu.className = "menu";
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-label", `${name} options`);
  const close = () => {
    menu.remove();
    document.removeEventListener("mousedown", outside, true);
  };
  const outside = (e: MouseEvent) => {
    if (!menu.contains(e.target as Node)) close();
  };
  const item = (caption: string, run: () => void) => {
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "menuitem");
    button.textContent = caption;
    button.addEventListener("click", () => {
      close();
      run();
    });
    return button;
  };
  menu.append(
    item("Delete", async () => {
      if (await askToConfirm("Delete sheet", `Delete "${name}"? Its cells go with it.`, "Delete"))
        await actOnTabs(() => api.deleteSheet(sheetId));
      grid.focus();
    }),
    item("Rename", () => {
      if (tab.isConnected) renameTab(tab, sheetId, name);
    }),
  );
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  document.body.append(menu);
  const box = tab.getBoundingClientRect();
  menu.style.left = `${box.left}px`;
  menu.style.top = `${Math.max(0, box.top - menu.offsetHeight - 4)}px`;
  document.addEventListener("mousedown", outside, true);
  menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
}

function showSidebar(open: PreviewState["sidebar"]): void {
  if (!open || open.seq === closedSidebar) {
    // As in Sheets, a closed sidebar's page ends: nothing it had under way calls the add-on again.
    sidebar.hidden = true;
    if (shownSidebar !== 0) sidebarFrame.src = "about:blank";
    shownSidebar = 0;
    return;
  }
  element("sidebar-title").textContent = open.title;
  sidebar.setAttribute("aria-label", open.title);
  sidebarFrame.title = open.title;
  if (open.seq !== shownSidebar) {
    shownSidebar = open.seq;
    const parent = encodeURIComponent(location.origin);
    sidebarFrame.src = `${sidebarOrigin}/sidebar?shown=${open.seq}&parent=${parent}`;
  }
  sidebar.hidden = false;
}

element("open-csv").addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", async () => {
  for (const file of fileInput.files ?? []) {
    const text = await file.text();
    await act(() => api.openCsv(file.name, text, convertCsv.checked), true);
  }
  fileInput.value = "";
  grid.focus();
});

// The X closes the sidebar at once, as in Sheets, even while one of its calls runs: that call goes on
// to its end in the background (the server answers the close after it), and nothing shows its answer.
element("sidebar-close").addEventListener("click", () => {
  closedSidebar = shownSidebar;
  showSidebar(null);
  grid.focus();
  api
    .closeSidebar()
    .then(() => refresh())
    .catch((error: Error) => showError(error.message));
});

element("add-sheet").addEventListener("click", () => {
  void actOnTabs(() => api.addSheet());
  grid.focus();
});

formula.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    grid.enter(formula.value);
  } else if (e.key === "Escape") {
    e.preventDefault();
    grid.focus();
    void refresh();
  }
});

window.addEventListener("message", (e: MessageEvent<BridgeMessage>) => {
  if (e.origin !== sidebarOrigin || e.source !== sidebarFrame.contentWindow) return;
  if (e.data?.source !== "channel-importer-bridge") return;
  if (e.data.kind === "ran") void refresh(true);
  else if (e.data.kind === "focus") grid.focus();
});

api
  .state()
  .then((first) => {
    seenAlert = first.alert?.seq ?? 0;
    seenToast = first.toast?.seq ?? 0;
    show(first, ++issued, true);
    grid.focus();
  })
  .catch((error: Error) => showError(`The preview server does not answer: ${error.message}`));

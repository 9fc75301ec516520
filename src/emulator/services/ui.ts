import type { CallLog } from "../calls";
import { enumeration } from "./enumeration";
import { readHtmlOutput } from "./html";

/** What a menu holds, in order: items, separators and sub-menus. */
export type MenuEntry =
  | { caption: string; functionName: string }
  | { separator: true }
  | { caption: string; items: MenuEntry[] };

/**
 * A menu the add-on put in the UI. An add-on menu sits under `Extensions › <add-on name>`
 * (`placement: "extensions"`); a custom menu sits in the menu bar.
 */
export interface MenuModel {
  title: string;
  placement: "extensions" | "menubar";
  items: MenuEntry[];
}

export const BUTTONS = ["CLOSE", "OK", "CANCEL", "YES", "NO"] as const;
export const BUTTON_SETS = ["OK", "OK_CANCEL", "YES_NO", "YES_NO_CANCEL"] as const;
export type ButtonName = (typeof BUTTONS)[number];
export type ButtonSetName = (typeof BUTTON_SETS)[number];

/** A dialog the add-on opened: an alert or a prompt. */
export interface DialogRequest {
  title: string;
  prompt: string;
  buttons: ButtonSetName;
}

/** A page the add-on opened in a dialog. */
export interface HtmlDialog {
  html: string;
  title: string;
  modal: boolean;
  width: number;
  height: number;
}

/** Where the UI the add-on builds goes: the host (the preview, a test) shows it and answers for the user. */
export interface UiHost {
  /** The add-on's name: the title of its menu under Extensions. */
  addonName: string;
  /** A menu was added (or added again, which replaces the menu of that title). */
  onMenu?(menu: MenuModel): void;
  onSidebar?(html: string, title: string): void;
  onDialog?(dialog: HtmlDialog): void;
  /** The button the user clicks; without it, the first of OK or YES in the set. */
  onAlert?(alert: DialogRequest): ButtonName;
  /** The button the user clicks and the text typed; without it, the set's first button and "". */
  onPrompt?(prompt: DialogRequest): { button: ButtonName; text: string };
}

type Button = GoogleAppsScript.Base.Button;
type ButtonSet = GoogleAppsScript.Base.ButtonSet;

/** `SpreadsheetApp.getUi()`: menus, the sidebar, dialogs. Calls are counted under `Ui`. */
export function createUi(calls: CallLog, host: UiHost): GoogleAppsScript.Base.Ui {
  const record = (method: string) => calls.record("Ui", method);
  const Button = enumeration(BUTTONS);
  const ButtonSet = enumeration(BUTTON_SETS);

  function dialog(args: unknown[]): DialogRequest {
    // alert(prompt), alert(prompt, buttons) and alert(title, prompt, buttons), as Google overloads them.
    const [first, second, third] = args.map((arg) => (arg === undefined ? undefined : String(arg)));
    if (args.length >= 3) return { title: first ?? "", prompt: second ?? "", buttons: buttonSet(third) };
    return { title: "", prompt: first ?? "", buttons: buttonSet(second) };
  }

  return {
    Button: Button as unknown as typeof GoogleAppsScript.Base.Button,
    ButtonSet: ButtonSet as unknown as typeof GoogleAppsScript.Base.ButtonSet,

    alert(...args: [string, (string | ButtonSet)?, ButtonSet?]): Button {
      record("alert");
      const request = dialog(args);
      return Button[host.onAlert?.(request) ?? affirmative(request.buttons)] as unknown as Button;
    },

    prompt(...args: [string, (string | ButtonSet)?, ButtonSet?]): GoogleAppsScript.Base.PromptResponse {
      record("prompt");
      const request = dialog(args);
      const answer = host.onPrompt?.(request) ?? { button: affirmative(request.buttons), text: "" };
      return {
        getResponseText() {
          record("PromptResponse.getResponseText");
          return answer.text;
        },
        getSelectedButton() {
          record("PromptResponse.getSelectedButton");
          return Button[answer.button] as unknown as Button;
        },
      };
    },

    createAddonMenu() {
      record("createAddonMenu");
      return createMenu(record, host, host.addonName, "extensions");
    },

    createMenu(caption: string) {
      record("createMenu");
      return createMenu(record, host, String(caption), "menubar");
    },

    showSidebar(userInterface: GoogleAppsScript.HTML.HtmlOutput) {
      record("showSidebar");
      const page = readHtmlOutput(userInterface);
      host.onSidebar?.(page.content, page.title);
    },

    showModalDialog(userInterface: GoogleAppsScript.HTML.HtmlOutput, title: string) {
      record("showModalDialog");
      host.onDialog?.(htmlDialog(userInterface, title, true));
    },

    showModelessDialog(userInterface: GoogleAppsScript.HTML.HtmlOutput, title: string) {
      record("showModelessDialog");
      host.onDialog?.(htmlDialog(userInterface, title, false));
    },

    // Deprecated by Google: a modal dialog titled by the page.
    showDialog(userInterface: GoogleAppsScript.HTML.HtmlOutput) {
      record("showDialog");
      host.onDialog?.(htmlDialog(userInterface, readHtmlOutput(userInterface).title, true));
    },
  };
}

const menuEntries = new WeakMap<object, MenuEntry[]>();
const menuTitles = new WeakMap<object, string>();

function createMenu(
  record: (method: string) => void,
  host: UiHost,
  title: string,
  placement: MenuModel["placement"],
): GoogleAppsScript.Base.Menu {
  const items: MenuEntry[] = [];
  const menu: GoogleAppsScript.Base.Menu = {
    addItem(caption: string, functionName: string) {
      record("Menu.addItem");
      items.push({ caption: String(caption), functionName: String(functionName) });
      return menu;
    },
    addSeparator() {
      record("Menu.addSeparator");
      items.push({ separator: true });
      return menu;
    },
    addSubMenu(subMenu: GoogleAppsScript.Base.Menu) {
      record("Menu.addSubMenu");
      // Held live: the UI takes the sub-menu as it is when this menu is added.
      items.push({ caption: menuTitles.get(subMenu) ?? "", items: menuEntries.get(subMenu) ?? [] });
      return menu;
    },
    addToUi() {
      record("Menu.addToUi");
      // The UI shows the menu as it is now; later changes need another addToUi, as in Sheets.
      host.onMenu?.({ title, placement, items: snapshot(items) });
    },
  };
  menuEntries.set(menu, items);
  menuTitles.set(menu, title);
  return menu;
}

function snapshot(items: MenuEntry[]): MenuEntry[] {
  return items.map((item) =>
    "items" in item ? { caption: item.caption, items: snapshot(item.items) } : { ...item },
  );
}

function htmlDialog(
  userInterface: GoogleAppsScript.HTML.HtmlOutput,
  title: string,
  modal: boolean,
): HtmlDialog {
  const page = readHtmlOutput(userInterface);
  return { html: page.content, title: String(title), modal, width: page.width, height: page.height };
}

function buttonSet(value: string | undefined): ButtonSetName {
  return (BUTTON_SETS as readonly string[]).includes(value ?? "") ? (value as ButtonSetName) : "OK";
}

function affirmative(buttons: ButtonSetName): ButtonName {
  return buttons.startsWith("YES") ? "YES" : "OK";
}

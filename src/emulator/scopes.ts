/**
 * What a service call needs from the script's authorization: the OAuth scopes Google's reference lists
 * under each method's "Authorization" (https://developers.google.com/apps-script/reference), and the
 * calls a simple trigger may not make. When the manifest lists `oauthScopes`, Apps Script asks for those
 * and no others (https://developers.google.com/apps-script/concepts/scopes#setting_explicit_scopes), so a
 * call that needs another is refused with Google's "You do not have permission to call …" message.
 */

const SPREADSHEETS = [
  "https://www.googleapis.com/auth/spreadsheets.currentonly",
  "https://www.googleapis.com/auth/spreadsheets",
];
const EXTERNAL_REQUEST = ["https://www.googleapis.com/auth/script.external_request"];
const CONTAINER_UI = ["https://www.googleapis.com/auth/script.container.ui"];
const USER_EMAIL = ["https://www.googleapis.com/auth/userinfo.email"];

/** The Ui methods that open something over the document: sidebars, dialogs, alerts and prompts. */
const UI_DIALOGS = /\.getUi\(\)\.(showSidebar|showModalDialog|showModelessDialog|showDialog|alert|prompt)$/;
/** Those that show the add-on's own HTML, which need the container UI scope. */
const UI_HTML = /\.getUi\(\)\.(showSidebar|showModalDialog|showModelessDialog|showDialog)$/;

/**
 * The scopes a call needs, any one of which will do; undefined when it needs none. `path` is the call
 * as the membrane names it (`SpreadsheetApp.getUi().showSidebar`, `Session.getActiveUser().getEmail`).
 */
export function requiredScopes(service: string, path: string): readonly string[] | undefined {
  switch (service) {
    case "SpreadsheetApp":
      if (UI_HTML.test(path)) return CONTAINER_UI;
      // Menus, alerts and prompts need no scope: onOpen builds the menu under AuthMode.NONE.
      if (path === "SpreadsheetApp.getUi" || path.startsWith("SpreadsheetApp.getUi().")) return undefined;
      return SPREADSHEETS;
    case "UrlFetchApp":
      return EXTERNAL_REQUEST;
    case "Session":
      return /\.get(Active|Effective)User\(\)\.getEmail$/.test(path) ? USER_EMAIL : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether a simple trigger may make the call: not one that opens a sidebar, a dialog, an alert or a
 * prompt (https://developers.google.com/apps-script/guides/triggers#restrictions: simple triggers
 * "cannot access services that require authorization"); building the menu stays allowed.
 */
export function refusedInSimpleTrigger(path: string): boolean {
  return UI_DIALOGS.test(path);
}

/** Google's wording for a call refused for want of a scope; several scopes read `(a || b)`. */
export function permissionMessage(path: string, scopes?: readonly string[]): string {
  const required =
    scopes && scopes.length > 0
      ? ` Required permissions: ${scopes.length === 1 ? scopes[0] : `(${scopes.join(" || ")})`}`
      : "";
  return `You do not have permission to call ${apiName(path)}.${required}`;
}

/** The classes of the objects the emulator's services hand out, by the method that made them. */
const MADE_BY: Record<string, string> = {
  getUi: "Ui",
  getActiveUser: "User",
  getEffectiveUser: "User",
  getActive: "Spreadsheet",
  getActiveSpreadsheet: "Spreadsheet",
  getActiveSheet: "Sheet",
  getSheetByName: "Sheet",
  getSheetById: "Sheet",
  insertSheet: "Sheet",
  getParent: "Spreadsheet",
  getRange: "Range",
  getDataRange: "Range",
  getActiveRange: "Range",
  getCurrentCell: "Range",
  getActiveCell: "Range",
  createAddonMenu: "Menu",
  createMenu: "Menu",
  getDocumentProperties: "Properties",
  getUserProperties: "Properties",
  getScriptProperties: "Properties",
  getDocumentLock: "Lock",
  getUserLock: "Lock",
  getScriptLock: "Lock",
  fetch: "HTTPResponse",
};

/** `Class.method` as Google names a call in its messages: `Ui.showSidebar`, `UrlFetchApp.fetch`. */
export function apiName(path: string): string {
  const parts = path.split(".");
  if (parts.length <= 2) return path;
  const method = parts[parts.length - 1];
  const maker = (parts[parts.length - 2] ?? "").replace(/\(\)$/, "");
  const owner = MADE_BY[maker] ?? maker.replace(/^(get|create|new)/, "");
  return `${owner}.${method}`;
}

import type { ConnectionView, SettingsView } from "./contract";
import { serviceRequest } from "./serviceClient";
import { USER_SETTINGS } from "./settingsKeys";

export interface Settings {
  url: string;
  apiKey: string;
}

/** The saved settings; throws a message that says what to do when they are missing. */
export function requireSettings(): Settings {
  const props = PropertiesService.getUserProperties();
  const url = props.getProperty(USER_SETTINGS.url) ?? "";
  const apiKey = props.getProperty(USER_SETTINGS.apiKey) ?? "";
  if (!url || !apiKey)
    throw new Error(
      "The importer is not set up yet: open Settings and enter the Importer URL and your API key.",
    );
  return { url, apiKey };
}

export function settingsView(): SettingsView {
  const props = PropertiesService.getUserProperties();
  const url = props.getProperty(USER_SETTINGS.url) ?? "";
  const apiKey = props.getProperty(USER_SETTINGS.apiKey) ?? "";
  return { url, keyHint: apiKey ? `…${apiKey.slice(-4)}` : null, configured: url !== "" && apiKey !== "" };
}

/** Saves the URL, and the key when one is given (an empty key field keeps the saved key). */
export function saveUserSettings(url: string, apiKey: string): SettingsView {
  const address = normaliseUrl(url);
  const key = String(apiKey ?? "").trim();
  const props = PropertiesService.getUserProperties();
  if (key && /\s/.test(key))
    throw new Error("The API key has spaces in it; paste the key exactly as you were given it.");
  if (!key && !props.getProperty(USER_SETTINGS.apiKey))
    throw new Error("Enter your API key: an administrator of your program can create one for you.");
  props.setProperties(
    key ? { [USER_SETTINGS.url]: address, [USER_SETTINGS.apiKey]: key } : { [USER_SETTINGS.url]: address },
  );
  return settingsView();
}

function normaliseUrl(url: string): string {
  const text = String(url ?? "").trim();
  if (!/^https?:\/\/[^\s/?#]+[^\s?#]*$/i.test(text))
    throw new Error(
      `"${text}" is not an address. Enter the importer's address, e.g. https://importer.example.com/.`,
    );
  return text.endsWith("/") ? text : `${text}/`;
}

interface MeResponse {
  user: { email: string; role: string };
  may_import: boolean;
  reason?: string;
  program: { key: string; name: string; currency: string };
}

/** Asks the service who the saved key belongs to and whether they may import. */
export function checkConnection(): ConnectionView {
  const me = serviceRequest<MeResponse>("GET", "v1/me");
  return {
    user: me.user.email,
    role: me.user.role,
    mayImport: me.may_import,
    reason: me.reason ?? null,
    program: { key: me.program.key, name: me.program.name, currency: me.program.currency },
  };
}

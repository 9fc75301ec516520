import type { ConnectionView, SavedSettings, SettingsView } from "./contract";
import { importerAddress } from "./importerUrl";
import { ServiceError, serviceRequest } from "./serviceClient";
import { USER_SETTINGS } from "./settingsKeys";

export interface Settings {
  url: string;
  apiKey: string;
}

/**
 * The saved settings, read in one call (each read of a property store is a round trip of about 30 ms:
 * see the latency model in src/emulator/calls.ts); throws a message that says what to do when they are
 * missing. https://developers.google.com/apps-script/reference/properties/properties#getProperties()
 */
export function requireSettings(): Settings {
  const { url, apiKey } = savedSettings();
  if (!url || !apiKey)
    throw new Error(
      "The importer is not set up yet: open Settings and enter the Importer URL and your API key.",
    );
  return { url, apiKey };
}

export function settingsView(): SettingsView {
  const { url, apiKey } = savedSettings();
  return { url, keyHint: apiKey ? `…${apiKey.slice(-4)}` : null, configured: url !== "" && apiKey !== "" };
}

/** This person's saved URL and key ("" when unset), in one read of their property store. */
function savedSettings(): Settings {
  const saved = PropertiesService.getUserProperties().getProperties();
  return { url: saved[USER_SETTINGS.url] ?? "", apiKey: saved[USER_SETTINGS.apiKey] ?? "" };
}

/**
 * `Save`: tests the URL and key as typed (an empty key field means the saved key) and saves them only
 * when the importer accepts them; throws what is wrong otherwise, with nothing saved.
 */
export function saveUserSettings(url: string, apiKey: string): SavedSettings {
  const typed = typedSettings(url, apiKey);
  const connection = connectionTo(typed.settings);
  const props = PropertiesService.getUserProperties();
  props.setProperties(
    typed.newKey
      ? { [USER_SETTINGS.url]: typed.settings.url, [USER_SETTINGS.apiKey]: typed.settings.apiKey }
      : { [USER_SETTINGS.url]: typed.settings.url },
  );
  return { ...settingsView(), connection };
}

/**
 * `Test connection`: who the URL and key in the fields connect as (an empty key field means the saved
 * key); without arguments, the saved settings.
 */
export function checkConnection(url?: string, apiKey?: string): ConnectionView {
  return connectionTo(url === undefined ? requireSettings() : typedSettings(url, apiKey).settings);
}

/** The settings as typed in the fields, checked before anything is sent. */
function typedSettings(url: unknown, apiKey: unknown): { settings: Settings; newKey: boolean } {
  const address = importerAddress(url);
  const key = String(apiKey ?? "").trim();
  if (key && /\s/.test(key))
    throw new Error("The API key has spaces in it; paste the key exactly as you were given it.");
  const saved = key ? "" : (PropertiesService.getUserProperties().getProperty(USER_SETTINGS.apiKey) ?? "");
  if (!key && !saved)
    throw new Error("Enter your API key: an administrator of your program can create one for you.");
  return { settings: { url: address, apiKey: key || saved }, newKey: key !== "" };
}

interface MeResponse {
  user: { email: string; role: string };
  may_import: boolean;
  reason?: string;
  program: { key: string; name: string; currency: string };
}

/** Asks the service at `settings.url` who the key belongs to and whether they may import. */
function connectionTo(settings: Settings): ConnectionView {
  let me: MeResponse;
  try {
    me = serviceRequest<MeResponse>("GET", "v1/me", undefined, { settings });
  } catch (error) {
    // Only the importer answers GET /v1/me; a 404 there means the address leads elsewhere.
    if (error instanceof ServiceError && (error.status === 404 || error.code === "not_json"))
      throw notTheImporter(settings.url, error.status);
    throw error;
  }
  if (typeof me?.user?.email !== "string" || typeof me.program?.name !== "string")
    throw notTheImporter(settings.url, 200);
  return {
    user: me.user.email,
    role: me.user.role,
    mayImport: me.may_import,
    reason: me.reason ?? null,
    program: { key: me.program.key, name: me.program.name, currency: me.program.currency },
  };
}

function notTheImporter(url: string, status: number | null): ServiceError {
  return new ServiceError(
    `${url} does not lead to the importer: the server there answered, but not as the importer does${status ? ` (${status})` : ""}. Check the Importer URL in Settings.`,
    status,
    "not_the_importer",
  );
}

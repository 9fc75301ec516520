import type { CallLog } from "../calls";
import { enumeration } from "./enumeration";

export const AUTH_MODES = ["NONE", "CUSTOM_FUNCTION", "LIMITED", "FULL"] as const;
export type AuthModeName = (typeof AUTH_MODES)[number];

export interface ScriptFacts {
  scriptId?: string;
}

export type EmulatedScriptApp = Pick<
  GoogleAppsScript.Script.ScriptApp,
  | "AuthMode"
  | "AuthorizationStatus"
  | "InstallationSource"
  | "getAuthorizationInfo"
  | "getInstallationSource"
  | "getOAuthToken"
  | "getScriptId"
>;

/**
 * ScriptApp: its enums, and an add-on that needs no further authorization. The host passes members of
 * `AuthMode` in the events it builds (`e.authMode` is `ScriptApp.AuthMode.LIMITED` in onOpen).
 * Calls are counted under `ScriptApp`.
 */
export function createScriptApp(calls: CallLog, facts: ScriptFacts = {}): EmulatedScriptApp {
  const record = (method: string) => calls.record("ScriptApp", method);
  const status = enumeration(["REQUIRED", "NOT_REQUIRED"]);
  const source = enumeration(["APPS_MARKETPLACE_DOMAIN_ADD_ON", "NONE", "WEB_STORE_ADD_ON"]);
  return {
    AuthMode: enumeration(AUTH_MODES) as unknown as typeof GoogleAppsScript.Script.AuthMode,
    AuthorizationStatus: status as unknown as typeof GoogleAppsScript.Script.AuthorizationStatus,
    InstallationSource: source as unknown as typeof GoogleAppsScript.Script.InstallationSource,

    getAuthorizationInfo() {
      record("getAuthorizationInfo");
      return {
        getAuthorizationStatus() {
          record("AuthorizationInfo.getAuthorizationStatus");
          return status.NOT_REQUIRED as unknown as GoogleAppsScript.Script.AuthorizationStatus;
        },
        // Google gives null when no authorization is required.
        getAuthorizationUrl() {
          record("AuthorizationInfo.getAuthorizationUrl");
          return null as unknown as string;
        },
      };
    },
    getInstallationSource() {
      record("getInstallationSource");
      return source.NONE as unknown as GoogleAppsScript.Script.InstallationSource;
    },
    getOAuthToken() {
      record("getOAuthToken");
      return "emulator-oauth-token";
    },
    getScriptId() {
      record("getScriptId");
      return facts.scriptId ?? "emulator-script";
    },
  };
}

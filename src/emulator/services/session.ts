import { createHash } from "node:crypto";
import type { CallLog } from "../calls";

/** Who runs the add-on, and where. */
export interface SessionFacts {
  /** The user at the keyboard; "" where Google withholds it (a consumer account in another domain). */
  activeUserEmail: string;
  /** Whose authority the script runs with; the active user unless told. */
  effectiveUserEmail?: string;
  /** The project's time zone, from appsscript.json. */
  timeZone: string;
  locale?: string;
}

export type EmulatedSession = Pick<
  GoogleAppsScript.Base.Session,
  | "getActiveUser"
  | "getActiveUserLocale"
  | "getEffectiveUser"
  | "getScriptTimeZone"
  | "getTemporaryActiveUserKey"
>;

/** Session. Calls are counted under `Session`. */
export function createSession(calls: CallLog, facts: SessionFacts): EmulatedSession {
  const record = (method: string) => calls.record("Session", method);
  const user = (email: string): GoogleAppsScript.Base.User => ({
    getEmail() {
      record("User.getEmail");
      return email;
    },
    getUserLoginId() {
      record("User.getUserLoginId");
      return email;
    },
  });
  return {
    getActiveUser() {
      record("getActiveUser");
      return user(facts.activeUserEmail);
    },
    getEffectiveUser() {
      record("getEffectiveUser");
      return user(facts.effectiveUserEmail ?? facts.activeUserEmail);
    },
    getActiveUserLocale() {
      record("getActiveUserLocale");
      return facts.locale ?? "en";
    },
    getScriptTimeZone() {
      record("getScriptTimeZone");
      return facts.timeZone;
    },
    // Stable for a user, and reveals nothing of who it is, as Google's key does.
    getTemporaryActiveUserKey() {
      record("getTemporaryActiveUserKey");
      return createHash("sha256").update(`temporary-key:${facts.activeUserEmail}`).digest("base64");
    },
  };
}

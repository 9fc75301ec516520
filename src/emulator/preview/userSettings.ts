/**
 * The user properties that hold a teammate's importer settings. The preview saves the local service's
 * address and the demo key under these on first start; the add-on reads the same keys.
 */
export { USER_SETTINGS } from "../../addon/settingsKeys";

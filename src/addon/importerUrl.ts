/**
 * The Importer URL a person may save: an https:// address (Apps Script's urlFetchWhitelist only takes
 * https:// prefixes, https://developers.google.com/apps-script/manifest/allowlist-url), or, in the
 * preview's build, the local service over http://.
 */

/**
 * The manifest's urlFetchWhitelist as build.mjs wrote it (esbuild `define`): the add-on cannot read its
 * own manifest. Absent outside a build.
 */
declare const __URL_FETCH_WHITELIST__: readonly string[] | undefined;

/** The addresses this build of the add-on may reach. */
export function builtWhitelist(): readonly string[] {
  return typeof __URL_FETCH_WHITELIST__ === "undefined" ? [] : __URL_FETCH_WHITELIST__;
}

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?$/i;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/i;
const EXAMPLE = "https://importer.example.com/";

/**
 * The preview's build lets the add-on reach the local service over http:// (its manifest lists it, on
 * whichever port the preview started it); a deployed build only reaches https://.
 */
function mayUseLocalHttp(): boolean {
  return builtWhitelist().some((prefix) => {
    const host = /^http:\/\/([^/?#]+)/i.exec(prefix)?.[1];
    return host !== undefined && LOOPBACK.test(host);
  });
}

/** The Importer URL as typed, checked and normalised (ends with /); throws a sentence saying what is wrong. */
export function importerAddress(typed: unknown): string {
  const text = String(typed ?? "").trim();
  if (text === "")
    throw new Error(`Enter the Importer URL, the address of your program's importer, e.g. ${EXAMPLE}.`);
  const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(.*)$/is.exec(text);
  if (!parts) {
    const bare = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:\/\S*)?$/i.test(text);
    throw new Error(
      bare
        ? `"${text}" is not an address: it needs https:// in front, as in https://${text}.`
        : `"${text}" is not an address. Enter the importer's address, e.g. ${EXAMPLE}.`,
    );
  }
  const [, scheme = "", host = "", path = "", rest = ""] = parts;
  if (/\s/.test(text))
    throw new Error(`"${text}" is not an address: it has spaces in it. Enter it without them.`);
  if (host.includes("@"))
    throw new Error(`"${text}" has a user name or password in it; enter the address without them.`);
  if (!HOST.test(host) && !LOOPBACK.test(host))
    throw new Error(`"${text}" is not an address: "${host}" is not a server's name.`);
  if (rest !== "")
    throw new Error(`"${text}" is not the importer's address: leave out the part from "${rest[0]}" on.`);

  const base = `${host.toLowerCase()}${path.endsWith("/") ? path : `${path}/`}`;
  switch (scheme.toLowerCase()) {
    case "https":
      return `https://${base}`;
    case "http":
      if (LOOPBACK.test(host) && mayUseLocalHttp()) return `http://${base}`;
      throw new Error(
        `"${text}" starts with http://, but Apps Script only reaches https:// addresses. Use the importer's https:// address, e.g. https://${base}.`,
      );
    default:
      throw new Error(`"${text}" is not an address the add-on can reach: it must start with https://.`);
  }
}

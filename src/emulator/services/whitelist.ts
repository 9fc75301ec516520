/**
 * Whether the manifest's `urlFetchWhitelist` lets the add-on fetch `url`, by Google's rules: a prefix
 * matches the URL itself and its children (`https://a.com/foo` matches `/foo`, `/foo/bar`, `/foo?x`,
 * `/foo#x`, not `/foobar`); paths compare case-sensitively; a leading `*.` in the host matches one or
 * more subdomains. A manifest without the field allows every URL.
 */
export function allowedByWhitelist(url: string, whitelist: readonly string[] | undefined): boolean {
  if (whitelist === undefined) return true;
  const target = split(url);
  return target !== undefined && whitelist.some((prefix) => matches(target, split(prefix)));
}

interface UrlParts {
  scheme: string;
  host: string;
  rest: string;
}

function split(url: string): UrlParts | undefined {
  const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!parts) return undefined;
  const [, scheme = "", host = "", rest = ""] = parts;
  return { scheme: scheme.toLowerCase(), host: host.toLowerCase(), rest: rest === "" ? "/" : rest };
}

function matches(url: UrlParts, prefix: UrlParts | undefined): boolean {
  if (!prefix || url.scheme !== prefix.scheme) return false;
  if (prefix.host.startsWith("*.")) {
    const suffix = prefix.host.slice(1);
    if (!(url.host.endsWith(suffix) && url.host.length > suffix.length)) return false;
  } else if (url.host !== prefix.host) {
    return false;
  }
  if (url.rest === prefix.rest) return true;
  if (!url.rest.startsWith(prefix.rest)) return false;
  return prefix.rest.endsWith("/") || "/?#".includes(url.rest.charAt(prefix.rest.length));
}

/**
 * JSON kept in the document's properties, so a later execution (the next sidebar call, onEdit, a
 * sidebar opened tomorrow) picks up where this one left off. A value may exceed the 9 KB a property
 * holds: it is split across numbered properties and written in one setProperties call.
 */
const PART_CHARS = 8000;

export type StateName =
  | "check"
  | "import"
  | "highlights"
  | "choice"
  | "timeZone"
  | "lastReport"
  | "pending"
  | "sheetNames"
  | "locale"
  | "tabs"
  | "sheetResults";

const prefix = (name: StateName) => `importer.${name}`;

export function readState<T>(name: StateName): T | null {
  const props = PropertiesService.getDocumentProperties();
  const head = props.getProperty(prefix(name));
  if (head === null) return null;
  const parts = Number(/^parts:(\d+)$/.exec(head)?.[1] ?? 0);
  let text = head;
  if (parts > 0) {
    const all = props.getProperties();
    text = "";
    for (let i = 0; i < parts; i++) text += all[`${prefix(name)}.${i}`] ?? "";
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function writeState(name: StateName, value: unknown): void {
  const props = PropertiesService.getDocumentProperties();
  const text = JSON.stringify(value);
  const stale = partKeys(props, name);
  if (text.length <= PART_CHARS) {
    props.setProperty(prefix(name), text);
  } else {
    const parts: Record<string, string> = {};
    let count = 0;
    for (let at = 0; at < text.length; at += PART_CHARS)
      parts[`${prefix(name)}.${count++}`] = text.slice(at, at + PART_CHARS);
    parts[prefix(name)] = `parts:${count}`;
    props.setProperties(parts);
    for (const key of stale) if (!(key in parts)) props.deleteProperty(key);
    return;
  }
  for (const key of stale) props.deleteProperty(key);
}

export function clearState(name: StateName): void {
  const props = PropertiesService.getDocumentProperties();
  for (const key of partKeys(props, name)) props.deleteProperty(key);
  props.deleteProperty(prefix(name));
}

function partKeys(props: GoogleAppsScript.Properties.Properties, name: StateName): string[] {
  const head = props.getProperty(prefix(name));
  const parts = Number(/^parts:(\d+)$/.exec(head ?? "")?.[1] ?? 0);
  return Array.from({ length: parts }, (_, i) => `${prefix(name)}.${i}`);
}

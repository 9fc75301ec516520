/**
 * An Apps Script enum (`ui.Button`, `ScriptApp.AuthMode`, …). Each member is its own name: Apps Script's
 * members print as their names and compare equal to themselves, which is all an add-on can rely on.
 */
export function enumeration<const Name extends string>(names: readonly Name[]): Readonly<Record<Name, Name>> {
  return Object.freeze(Object.fromEntries(names.map((name) => [name, name])) as Record<Name, Name>);
}

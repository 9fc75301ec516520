/** The program's catalogue as loadCatalogue() gave it: which columns each object (and group) has. */
import type { CatalogueView, ColumnView, ImportChoice, ObjectName } from "../src/addon/contract";
import { callServer } from "./serverClient";

type ObjectEntry = CatalogueView["objects"][number];

let current: CatalogueView | null = null;
const listeners: ((catalogue: CatalogueView) => void)[] = [];

/** Asks the server for the catalogue and tells everything that listens; rejects as the call does. */
export async function loadCatalogue(): Promise<CatalogueView> {
  current = await callServer("loadCatalogue");
  for (const listener of listeners) listener(current);
  return current;
}

/** The loaded catalogue, or a fresh one when it has not loaded yet (or failed before). */
export async function requireCatalogue(): Promise<CatalogueView> {
  return current ?? loadCatalogue();
}

export function onCatalogueLoaded(listener: (catalogue: CatalogueView) => void): void {
  listeners.push(listener);
}

export function catalogueObject(object: ObjectName): ObjectEntry | null {
  return current?.objects.find((entry) => entry.object === object) ?? null;
}

/** The columns of the chosen object; a leads or deals group's own list when one is chosen. */
export function columnsFor(catalogue: CatalogueView, choice: ImportChoice): ColumnView[] {
  const entry = catalogue.objects.find((candidate) => candidate.object === choice.object);
  if (!entry) return [];
  const group = entry.groups.find((candidate) => candidate.key === choice.groupKey);
  return group ? group.columns : entry.columns;
}

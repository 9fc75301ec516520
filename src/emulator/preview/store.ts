import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PropertyStores } from "../services/properties";
import { Workbook } from "../spreadsheet/workbook";
import type { WorkbookJSON } from "../spreadsheet/workbookJson";

/** properties.json: the three stores, and the service address the preview itself saved last. */
export interface SavedProperties extends PropertyStores {
  /** Lets a later start move the saved address along with the service, unless the user changed it. */
  previewServiceUrl?: string;
}

/**
 * The preview's workbook and property stores as JSON files in one folder (workbook.json,
 * properties.json). Saves are coalesced: a burst of edits writes once, shortly after the last one;
 * `flush` writes at once (on close). Each file is replaced whole, so a crash never leaves half of one.
 */
export class PreviewStore {
  #timer: NodeJS.Timeout | undefined;
  #pending: (() => { workbook: Workbook; properties: SavedProperties }) | undefined;

  constructor(
    readonly dir: string,
    readonly delayMs = 150,
  ) {}

  get workbookFile(): string {
    return join(this.dir, "workbook.json");
  }

  get propertiesFile(): string {
    return join(this.dir, "properties.json");
  }

  /** The saved workbook, or undefined before the first save. */
  loadWorkbook(): Workbook | undefined {
    const json = readJson<WorkbookJSON>(this.workbookFile);
    if (!json) return undefined;
    try {
      return Workbook.fromJSON(json);
    } catch (error) {
      throw unreadable(this.workbookFile, error);
    }
  }

  loadProperties(): SavedProperties | undefined {
    const json = readJson<Partial<SavedProperties>>(this.propertiesFile);
    if (!json) return undefined;
    return { ...json, user: json.user ?? {}, document: json.document ?? {}, script: json.script ?? {} };
  }

  /** Saves soon; `read` is called at save time, so the latest state is written. */
  save(read: () => { workbook: Workbook; properties: SavedProperties }): void {
    this.#pending = read;
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes what is pending now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const read = this.#pending;
    this.#pending = undefined;
    if (!read) return;
    const { workbook, properties } = read();
    mkdirSync(this.dir, { recursive: true });
    writeWhole(this.workbookFile, JSON.stringify(workbook.toJSON()));
    writeWhole(this.propertiesFile, `${JSON.stringify(properties, null, 2)}\n`);
  }
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): Error {
  return new Error(
    `The preview cannot read ${file} (${(error as Error).message}). Move it away to start afresh.`,
  );
}

function writeWhole(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

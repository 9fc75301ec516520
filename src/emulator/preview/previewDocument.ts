import { AddonHost, type EditedBlock, type HostOptions } from "../host";
import { displayValue } from "../spreadsheet/format";
import type { SheetData } from "../spreadsheet/sheetData";
import type { Workbook } from "../spreadsheet/workbook";
import type { ActionResult, Block, CellWindow, PreviewState } from "./protocol";
import {
  addCsvSheet,
  type CsvImportOptions,
  cellWindow,
  clearContents,
  parseDelimited,
  writeRows,
} from "./sheetEdits";
import type { SavedProperties } from "./store";

/** A request the preview refuses (an unknown tab, a cell off the grid): the page gets a 400. */
export class PreviewRequestError extends Error {
  override name = "PreviewRequestError";
}

export interface PreviewDocumentOptions extends Omit<HostOptions, "workbook" | "stores"> {
  workbook: Workbook;
  properties: SavedProperties;
  /** Never opened before: onOpen runs in AuthMode.NONE, as Sheets runs it before the add-on is used. */
  firstOpen: boolean;
  /** Called after every change to the workbook or the properties. */
  onChange(): void;
  log(line: string): void;
}

/**
 * The spreadsheet a person has open in the preview, with the add-on installed: what they do to the
 * grid, what they click in the add-on's menu and what its sidebar calls, each followed by what Sheets
 * runs after it (onEdit) and a save.
 */
export class PreviewDocument {
  readonly host: AddonHost;
  readonly workbook: Workbook;
  readonly properties: SavedProperties;
  version = 0;
  #sidebarSeq = 0;
  #shownSidebar: AddonHost["sidebar"] = null;

  constructor(readonly options: PreviewDocumentOptions) {
    this.workbook = options.workbook;
    this.properties = options.properties;
    this.host = new AddonHost({ ...options, workbook: options.workbook, stores: options.properties });
    if (!this.host.hasFunction("onOpen")) {
      options.log("The add-on has no onOpen: there is no Extensions menu.");
      return;
    }
    try {
      this.host.openDocument(options.firstOpen ? "NONE" : "LIMITED");
    } catch (error) {
      options.log(`The add-on's onOpen failed: ${message(error)}`);
    }
  }

  state(): PreviewState {
    const { workbook, host } = this;
    const active = workbook.activeSheet;
    if (host.sidebar !== this.#shownSidebar) {
      this.#shownSidebar = host.sidebar;
      if (host.sidebar) this.#sidebarSeq++;
    }
    const alert = host.alerts.at(-1);
    const toast = host.toasts.at(-1);
    return {
      version: this.version,
      name: workbook.name,
      timeZone: workbook.timeZone,
      sheets: workbook.sheets.map((s) => ({
        sheetId: s.sheetId,
        name: s.name,
        maxRows: s.maxRows,
        maxColumns: s.maxColumns,
        lastRow: s.lastRow(),
        lastColumn: s.lastColumn(),
        frozenRows: s.frozenRows,
        frozenColumns: s.frozenColumns,
      })),
      activeSheetId: active.sheetId,
      selection: { ...active.selection },
      menus: host.menu ? [host.menu] : [],
      sidebar: host.sidebar ? { title: host.sidebar.title, seq: this.#sidebarSeq } : null,
      alert: alert ? { seq: host.alerts.length, title: alert.title, prompt: alert.prompt } : null,
      toast: toast ? { seq: host.toasts.length, ...toast } : null,
    };
  }

  cells(sheetId: number, fromRow: number, toRow: number): CellWindow {
    const sheet = this.#sheet(sheetId);
    return { sheetId, fromRow, toRow, cells: cellWindow(sheet, fromRow, toRow, this.workbook.timeZone) };
  }

  /** A person types into a cell and presses Enter. */
  setCell(sheetId: number, row: number, column: number, input: string): ActionResult {
    const sheet = this.#sheet(sheetId);
    this.#checkCell(sheet, row, column);
    const oldValue = displayValue(sheet.cell(row, column), this.workbook.timeZone);
    const block = refused(() => writeRows(this.workbook, sheet, row, column, [[input]]));
    return this.#edited(sheet, {
      ...block,
      ...(input !== "" ? { value: input } : {}),
      ...(oldValue !== "" ? { oldValue } : {}),
    });
  }

  /** A person pastes text at a cell: tab-separated or CSV rows, which become the selection. */
  paste(sheetId: number, row: number, column: number, text: string): ActionResult {
    const sheet = this.#sheet(sheetId);
    this.#checkCell(sheet, row, column);
    const rows = parseDelimited(text);
    if (rows.length === 0) return this.#result();
    const block = refused(() => writeRows(this.workbook, sheet, row, column, rows));
    this.workbook.activeSheet = sheet;
    sheet.selection = block;
    return this.#edited(sheet, block);
  }

  /** The Delete key on a selection. */
  clear(sheetId: number, block: Block): ActionResult {
    const sheet = this.#sheet(sheetId);
    this.#checkCell(sheet, block.row, block.column);
    clearContents(sheet, block);
    return this.#edited(sheet, block);
  }

  /** A click on a tab or a cell: the active sheet and range the add-on sees. */
  select(sheetId: number, block?: Block): ActionResult {
    const sheet = this.#sheet(sheetId);
    this.workbook.activeSheet = sheet;
    if (block) {
      this.#checkCell(sheet, block.row, block.column);
      sheet.selection = {
        ...block,
        numRows: Math.min(block.numRows, sheet.maxRows - block.row + 1),
        numColumns: Math.min(block.numColumns, sheet.maxColumns - block.column + 1),
      };
    }
    // Saved, but no new version: the cells the page holds are still the cells.
    this.options.onChange();
    return this.#result();
  }

  /** `Open CSV file`: the file as a new tab, made active, its text converted or kept as text. */
  openCsv(fileName: string, text: string, options: CsvImportOptions = {}): ActionResult {
    try {
      addCsvSheet(this.workbook, fileName, text, options);
    } catch (error) {
      throw new PreviewRequestError(`${fileName} could not be opened: ${message(error)}`);
    }
    return this.#changed();
  }

  /** The + beside the tabs: a new tab of 1000 × 26 (named Sheet2, Sheet3, … unless named), made active. */
  addSheet(name?: string): ActionResult {
    const sheet = refused(() => this.workbook.addSheet(name));
    this.workbook.activeSheet = sheet;
    return this.#changed();
  }

  /** A tab renamed, with the rules Sheets holds a name to (its messages when refused). */
  renameSheet(sheetId: number, name: string): ActionResult {
    const sheet = this.#sheet(sheetId);
    refused(() => this.workbook.renameSheet(sheet, name));
    return this.#changed();
  }

  /** A tab deleted; the last one cannot be. */
  deleteSheet(sheetId: number): ActionResult {
    const sheet = this.#sheet(sheetId);
    refused(() => this.workbook.removeSheet(sheet));
    return this.#changed();
  }

  /** A click on an item of the add-on's menu: only functions the menu names run this way. */
  runMenuItem(functionName: string): ActionResult {
    if (!menuFunctions(this.host).has(functionName))
      throw new PreviewRequestError(`No menu item runs ${functionName}.`);
    try {
      this.host.runMenuItem(functionName);
      return this.#changed();
    } catch (error) {
      this.#changed();
      return { ...this.#result(), ok: false, error: message(error) };
    }
  }

  /** A `google.script.run` call from the sidebar. */
  runFromSidebar(name: string, args: unknown[]) {
    const result = this.host.runFromSidebar(name, args);
    this.#changed();
    return result;
  }

  closeSidebar(): ActionResult {
    this.host.sidebar = null;
    return this.#result();
  }

  #edited(sheet: SheetData, edit: Omit<EditedBlock, "sheetId">): ActionResult {
    try {
      this.host.runOnEdit({ sheetId: sheet.sheetId, ...edit });
    } catch (error) {
      // Sheets shows nothing when a simple trigger fails; the add-on's author reads it here.
      this.options.log(`The add-on's onEdit failed: ${message(error)}`);
    }
    return this.#changed();
  }

  #changed(): ActionResult {
    this.version++;
    this.options.onChange();
    return this.#result();
  }

  #result(): ActionResult {
    return { ok: true, state: this.state() };
  }

  #sheet(sheetId: number): SheetData {
    const sheet = this.workbook.sheetById(sheetId);
    if (!sheet) throw new PreviewRequestError(`There is no sheet ${sheetId}.`);
    return sheet;
  }

  #checkCell(sheet: SheetData, row: number, column: number): void {
    if (row < 1 || column < 1 || row > sheet.maxRows || column > sheet.maxColumns)
      throw new PreviewRequestError(`Row ${row}, column ${column} is outside ${sheet.name}.`);
  }
}

/** What Sheets refuses (a name in use, a cell too long, …) is the person's to mend: a 400, not a 500. */
function refused<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new PreviewRequestError(message(error));
  }
}

function menuFunctions(host: AddonHost): Set<string> {
  const names = new Set<string>();
  const collect = (items: NonNullable<AddonHost["menu"]>["items"]) => {
    for (const item of items) {
      if ("functionName" in item) names.add(item.functionName);
      else if ("items" in item) collect(item.items);
    }
  };
  if (host.menu) collect(host.menu.items);
  return names;
}

/** An error's message, also for errors the add-on made in its own realm (not `instanceof Error` here). */
function message(error: unknown): string {
  const text = (error as { message?: unknown } | null)?.message;
  return typeof text === "string" ? text : String(error);
}

import type { CallLog } from "../calls";
import type { Sheet } from "./sheet";
import type { SheetData } from "./sheetData";
import type { Spreadsheet } from "./spreadsheet";
import type { Workbook } from "./workbook";

/** A toast as `Spreadsheet.toast` shows it. */
export interface Toast {
  message: string;
  title: string;
  timeoutSeconds: number;
}

export interface SpreadsheetAppOptions {
  /** What `SpreadsheetApp.getUi()` returns; without it getUi throws, as it does where there is no UI. */
  ui?: GoogleAppsScript.Base.Ui;
  /** Told of each `Spreadsheet.toast`. */
  onToast?: (toast: Toast) => void;
  /** The spreadsheet's address, for getUrl. */
  url?: string;
}

/** What every emulated Spreadsheet object works with. */
export interface ServiceContext {
  readonly workbook: Workbook;
  readonly calls: CallLog;
  readonly options: SpreadsheetAppOptions;
  /** The Sheet object over a tab; made here so that Range and Sheet need not import each other. */
  sheetOf(data: SheetData): Sheet;
  spreadsheet(): Spreadsheet;
}

import type { CallLog } from "../calls";
import type { ServiceContext, SpreadsheetAppOptions } from "./context";
import { countCalls } from "./counting";
import { DataValidationBuilder, DataValidationCriteria } from "./dataValidation";
import { activeRange, currentCell, type Range, select } from "./range";
import { RangeList } from "./rangeList";
import { Sheet } from "./sheet";
import type { SheetData } from "./sheetData";
import { Spreadsheet } from "./spreadsheet";
import type { Workbook } from "./workbook";

/** The SpreadsheetApp global, over one workbook (the spreadsheet the add-on is bound to). */
class SpreadsheetAppService {
  readonly DataValidationCriteria = DataValidationCriteria;

  constructor(readonly ctx: ServiceContext) {}

  getActiveSpreadsheet(): Spreadsheet {
    return this.ctx.spreadsheet();
  }

  getActive(): Spreadsheet {
    return this.ctx.spreadsheet();
  }

  getActiveSheet(): Sheet {
    return this.ctx.sheetOf(this.ctx.workbook.activeSheet);
  }

  getActiveRange(): Range {
    return activeRange(this.ctx);
  }

  getActiveRangeList(): RangeList {
    return new RangeList(this.ctx, [activeRange(this.ctx)]);
  }

  getCurrentCell(): Range {
    return currentCell(this.ctx, this.ctx.workbook.activeSheet);
  }

  setActiveSheet(sheet: Sheet): Sheet {
    this.ctx.workbook.activeSheet = sheet.data;
    return sheet;
  }

  setActiveRange(range: Range): Range {
    select(range);
    return range;
  }

  /** The host's Ui; where there is none (a trigger, a test), Google's message. */
  getUi(): GoogleAppsScript.Base.Ui {
    if (!this.ctx.options.ui) throw new Error("Cannot call SpreadsheetApp.getUi() from this context.");
    return this.ctx.options.ui;
  }

  /** Writes are applied at once in the emulator: counted, and nothing else. */
  flush(): void {}

  newDataValidation(): DataValidationBuilder {
    return new DataValidationBuilder(this.ctx);
  }
}

countCalls(SpreadsheetAppService, "");

/**
 * SpreadsheetApp for the add-on, over a workbook. Every method call on it and on every object it hands
 * out is recorded in `calls` as `SpreadsheetApp.<method>` (on SpreadsheetApp itself) or
 * `SpreadsheetApp.<Class>.<method>` (`Range.getValues`, `DataValidationBuilder.build`, …), with the
 * cells the call reads or writes; builders count like any other call.
 */
export function createSpreadsheetApp(
  workbook: Workbook,
  calls: CallLog,
  options: SpreadsheetAppOptions = {},
): GoogleAppsScript.Spreadsheet.SpreadsheetApp {
  const ctx: ServiceContext = {
    workbook,
    calls,
    options,
    sheetOf: (data: SheetData) => new Sheet(ctx, data),
    spreadsheet: () => new Spreadsheet(ctx),
  };
  return new SpreadsheetAppService(ctx) as unknown as GoogleAppsScript.Spreadsheet.SpreadsheetApp;
}

import { parse } from "csv-parse/sync";
import {
  type Cell,
  cellOf,
  DEFAULT_BACKGROUND,
  DEFAULT_FONT_COLOR,
  isDate,
  setProperty,
} from "../spreadsheet/cell";
import { checkCellInputs, writeInput } from "../spreadsheet/cellInput";
import { displayValue } from "../spreadsheet/format";
import type { SheetData } from "../spreadsheet/sheetData";
import { SHEET_NAME_LIMIT, type Workbook } from "../spreadsheet/workbook";
import type { Block, CellView } from "./protocol";

/**
 * What a person does to the grid, as Sheets takes it: typed text is read as Sheets reads input (numbers,
 * dates, formulas), a paste grows the tab when it runs past its edge, a CSV file becomes a tab of its own.
 */

/** Pasted text as rows: tab-separated when it holds a tab (what Sheets and Excel copy), else CSV. */
export function parseDelimited(text: string): string[][] {
  const delimiter = text.includes("\t") ? "\t" : ",";
  return parse(text, {
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_empty_values: false,
  }) as string[][];
}

/**
 * Writes rows of typed text from a cell on, growing the tab as a paste does; returns the block written.
 * Each text is read as typed input (numbers, dates, formulas), or with `asText` kept exactly as given.
 * A cell of more than 50,000 characters is refused with Google's message, and nothing is written.
 */
export function writeRows(
  workbook: Workbook,
  sheet: SheetData,
  row: number,
  column: number,
  rows: string[][],
  { asText = false }: { asText?: boolean } = {},
): Block {
  const block: Block = {
    row,
    column,
    numRows: Math.max(rows.length, 1),
    numColumns: Math.max(1, ...rows.map((r) => r.length)),
  };
  checkCellInputs(rows);
  const lastRow = row + block.numRows - 1;
  const lastColumn = column + block.numColumns - 1;
  if (lastRow > sheet.maxRows) workbook.insertRows(sheet, sheet.maxRows, lastRow - sheet.maxRows);
  if (lastColumn > sheet.maxColumns)
    workbook.insertColumns(sheet, sheet.maxColumns, lastColumn - sheet.maxColumns);
  const write = asText ? writeText : (cell: Cell, text: string) => writeInput(cell, text, workbook.timeZone);
  sheet.updateCells(block, (cell, i, j) => write(cell, rows[i]?.[j] ?? ""));
  return block;
}

/**
 * A text kept as it is, as Sheets' import stores a file's values with "Convert text to numbers, dates,
 * and formulas" off (https://support.google.com/docs/answer/40608) and as the Sheets API's RAW input
 * stores values ("not parsed and stored as-is", https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption):
 * a string value, the cell's format left as it was (Automatic), so `3/18/2026` stays text and `=A1`
 * is no formula. "" empties the cell, as an empty field imports as a blank cell.
 */
function writeText(cell: Cell, text: string): void {
  setProperty(cell, "value", text === "" ? undefined : text);
  delete cell.formula;
}

/** Empties the cells of a block, keeping their formatting and notes (the Delete key). */
export function clearContents(sheet: SheetData, block: Block): void {
  sheet.updateCells(
    block,
    (cell) => {
      delete cell.value;
      delete cell.formula;
    },
    true,
  );
}

/** How a CSV file is imported: Sheets' File › Import offers the same choice, on by default. */
export interface CsvImportOptions {
  /** "Convert text to numbers, dates, and formulas": off keeps every cell as the file's text. */
  convert?: boolean;
}

/**
 * A CSV file as a new tab named after the file, made active; its values read as Sheets imports them:
 * as typed input (en_US), or, without conversion, as text exactly as in the file.
 */
export function addCsvSheet(
  workbook: Workbook,
  fileName: string,
  text: string,
  { convert = true }: CsvImportOptions = {},
): SheetData {
  const rows = parseDelimited(text);
  const sheet = workbook.addSheet(freeSheetName(workbook, tabName(fileName)));
  writeRows(workbook, sheet, 1, 1, rows, { asText: !convert });
  workbook.activeSheet = sheet;
  sheet.selection = { row: 1, column: 1, numRows: 1, numColumns: 1 };
  return sheet;
}

/** The cells of some rows that hold anything, as the grid draws them. */
export function cellWindow(sheet: SheetData, fromRow: number, toRow: number, timeZone: string): CellView[] {
  const cells: CellView[] = [];
  for (let r = Math.max(1, fromRow); r <= Math.min(toRow, sheet.maxRows); r++) {
    const row = sheet.rows[r - 1];
    if (!row) continue;
    row.forEach((stored, c) => {
      const cell = cellOf(stored);
      if (!cell) return;
      const view: CellView = { row: r, column: c + 1 };
      const text = displayValue(cell, timeZone);
      if (text !== "") view.text = text;
      if (typeof cell.value === "number" || isDate(cell.value)) view.kind = "number";
      else if (typeof cell.value === "boolean") view.kind = "boolean";
      if (cell.formula) view.formula = cell.formula;
      if (cell.background && cell.background !== DEFAULT_BACKGROUND) view.background = cell.background;
      if (cell.fontColor && cell.fontColor !== DEFAULT_FONT_COLOR) view.fontColor = cell.fontColor;
      if (cell.fontWeight === "bold") view.bold = true;
      if (cell.note) view.note = cell.note;
      const rule = cell.validation;
      if (rule?.criteria === "VALUE_IN_LIST" && rule.values[1] !== false && Array.isArray(rule.values[0]))
        view.options = (rule.values[0] as unknown[]).map(String);
      cells.push(view);
    });
  }
  return cells;
}

/** A file's name without its folder and extension, within Sheets' 100 characters for a tab name. */
function tabName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "").replace(/\.(csv|tsv|txt)$/i, "");
  return base.trim().slice(0, SHEET_NAME_LIMIT) || "Imported";
}

/** Sheets asks for another name when a tab has it; the preview numbers the new one instead. */
function freeSheetName(workbook: Workbook, name: string): string {
  if (!workbook.sheetByName(name)) return name;
  let n = 2;
  const numbered = () => `${name.slice(0, SHEET_NAME_LIMIT - ` (${n})`.length)} (${n})`;
  while (workbook.sheetByName(numbered())) n++;
  return numbered();
}

import {
  type Cell,
  type CellValue,
  cellOf,
  isDate,
  type StoredCell,
  storedCell,
  type ValidationRule,
} from "./cell";
import { type Bounds, SheetData } from "./sheetData";

/** The workbook as plain JSON: what the preview writes to disk and reads back after a restart. */
export interface WorkbookJSON {
  version: 1;
  id: string;
  name: string;
  timeZone: string;
  activeSheetId: number;
  sheets: SheetJSON[];
}

export interface SheetJSON {
  name: string;
  sheetId: number;
  maxRows: number;
  maxColumns: number;
  frozenRows: number;
  frozenColumns: number;
  selection: Bounds;
  /** Each distinct validation rule once; cells refer to it by index. */
  rules: RuleJSON[];
  /** Sparse rows of sparse cells; null where there is nothing. */
  rows: (Array<CellJSON | null> | null)[];
}

export interface CellJSON {
  /** A string, number or boolean value. */
  value?: string | number | boolean;
  /** A Date value, as an ISO 8601 instant. */
  date?: string;
  formula?: string;
  background?: string;
  note?: string;
  numberFormat?: string;
  /** Index into the sheet's `rules`. */
  validation?: number;
  fontWeight?: string;
  fontColor?: string;
}

export interface RuleJSON {
  criteria: string;
  values: unknown[];
  allowInvalid: boolean;
  helpText: string;
}

type WorkbookParts = Omit<WorkbookJSON, "version" | "sheets"> & { sheets: SheetData[] };

export function encodeWorkbook(workbook: WorkbookParts): WorkbookJSON {
  return {
    version: 1,
    id: workbook.id,
    name: workbook.name,
    timeZone: workbook.timeZone,
    activeSheetId: workbook.activeSheetId,
    sheets: workbook.sheets.map(encodeSheet),
  };
}

export function decodeWorkbook(json: WorkbookJSON): WorkbookParts {
  if (json?.version !== 1) throw new Error("Not a workbook file of a version this emulator reads.");
  return {
    id: json.id,
    name: json.name,
    timeZone: json.timeZone,
    activeSheetId: json.activeSheetId,
    sheets: json.sheets.map(decodeSheet),
  };
}

function encodeSheet(sheet: SheetData): SheetJSON {
  const rules: RuleJSON[] = [];
  const ruleIndex = new Map<ValidationRule, number>();
  const encodeRule = (rule: ValidationRule): number => {
    let index = ruleIndex.get(rule);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(rule, index);
      rules.push({ ...rule, values: rule.values.map(encodeLoose) });
    }
    return index;
  };
  const rows = Array.from(sheet.rows, (row) =>
    row
      ? Array.from(row, (stored) => {
          const cell = cellOf(stored);
          return cell ? encodeCell(cell, encodeRule) : null;
        })
      : null,
  );
  return {
    name: sheet.name,
    sheetId: sheet.sheetId,
    maxRows: sheet.maxRows,
    maxColumns: sheet.maxColumns,
    frozenRows: sheet.frozenRows,
    frozenColumns: sheet.frozenColumns,
    selection: { ...sheet.selection },
    rules,
    rows,
  };
}

function decodeSheet(json: SheetJSON): SheetData {
  const sheet = new SheetData(json.name, json.sheetId, json.maxRows, json.maxColumns);
  sheet.frozenRows = json.frozenRows;
  sheet.frozenColumns = json.frozenColumns;
  sheet.selection = { ...json.selection };
  const rules = json.rules.map(
    (r): ValidationRule =>
      Object.freeze({ ...r, values: Object.freeze(r.values.map(decodeLoose)) }) as ValidationRule,
  );
  sheet.rows.length = json.rows.length;
  json.rows.forEach((rowJson, r) => {
    if (!rowJson) return;
    const row: StoredCell[] = new Array(rowJson.length);
    rowJson.forEach((cellJson, c) => {
      if (cellJson) row[c] = storedCell(decodeCell(cellJson, rules));
    });
    sheet.rows[r] = row;
  });
  return sheet;
}

function encodeCell(cell: Cell, encodeRule: (rule: ValidationRule) => number): CellJSON {
  const { value, validation, ...rest } = cell;
  const json: CellJSON = { ...rest };
  if (isDate(value)) json.date = value.toISOString();
  else if (value !== undefined) json.value = value;
  if (validation) json.validation = encodeRule(validation);
  return json;
}

function decodeCell(json: CellJSON, rules: ValidationRule[]): Cell {
  const { value, date, validation, ...rest } = json;
  const cell: Cell = { ...rest };
  const decoded: CellValue | undefined = date !== undefined ? new Date(date) : value;
  if (decoded !== undefined) cell.value = decoded;
  if (validation !== undefined) {
    const rule = rules[validation];
    if (rule) cell.validation = rule;
  }
  return cell;
}

/** Criteria values are strings, booleans, numbers, Dates or arrays of them. */
function encodeLoose(value: unknown): unknown {
  if (isDate(value)) return { date: value.toISOString() };
  if (Array.isArray(value)) return value.map(encodeLoose);
  return value;
}

function decodeLoose(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(decodeLoose));
  if (value && typeof value === "object" && "date" in value) return new Date(String(value.date));
  return value;
}

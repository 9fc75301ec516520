import { type Cell, cellOf, hasContent, type StoredCell, storedCell } from "./cell";

/** A block of cells, 1-based as in Apps Script. */
export interface Bounds {
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
}

/** The cell properties kept as text, which readProperty and writeProperty handle. */
export type TextProperty = "background" | "note";

export const DEFAULT_MAX_ROWS = 1000;
export const DEFAULT_MAX_COLUMNS = 26;

/**
 * One tab's grid. Cells sit in a sparse array of sparse rows (0-based), each kept as StoredCell says: a
 * tab of 100,000 rows of plain values costs an array a row, the values themselves, and nothing for
 * its empty rest.
 */
export class SheetData {
  readonly rows: (StoredCell[] | undefined)[] = [];
  frozenRows = 0;
  frozenColumns = 0;
  /** The selected block; getActiveRange returns it when this is the active sheet. */
  selection: Bounds = { row: 1, column: 1, numRows: 1, numColumns: 1 };

  constructor(
    public name: string,
    readonly sheetId: number,
    public maxRows = DEFAULT_MAX_ROWS,
    public maxColumns = DEFAULT_MAX_COLUMNS,
  ) {}

  /** A cell's contents; a copy when the grid keeps only its value, so only reading it means anything. */
  cell(row: number, column: number): Cell | undefined {
    return cellOf(this.rows[row - 1]?.[column - 1]);
  }

  /** Puts rows of plain values into the grid from a 1-based row, as a sheet filled in by a person. */
  putValues(row: number, lines: readonly (readonly (Cell["value"] | "")[])[]): void {
    lines.forEach((line, i) => {
      this.rows[row - 1 + i] = line.map((value) => (value === "" ? undefined : storedCell({ value })));
    });
  }

  /**
   * Applies an edit to every cell of a block, empty ones included; a cell the edit leaves empty is
   * dropped, so clearing never fills the grid with empty objects. An edit that only removes things
   * (`onlyExisting`) skips the cells that are not there.
   */
  updateCells(bounds: Bounds, edit: (cell: Cell, i: number, j: number) => void, onlyExisting = false): void {
    for (let i = 0; i < bounds.numRows; i++) {
      const r = bounds.row - 1 + i;
      let row = this.rows[r];
      if (onlyExisting && !row) continue;
      for (let j = 0; j < bounds.numColumns; j++) {
        const c = bounds.column - 1 + j;
        const existing = row?.[c];
        if (onlyExisting && existing === undefined) continue;
        const cell = cellOf(existing) ?? {};
        edit(cell, i, j);
        const kept = storedCell(cell);
        if (kept === existing) continue;
        if (kept === undefined) delete (row as StoredCell[])[c];
        else {
          if (!row) {
            row = [];
            this.rows[r] = row;
          }
          row[c] = kept;
        }
      }
    }
  }

  /**
   * A 2-D array of what `read` gives for each cell of a block (`empty` where there is no cell), its
   * arrays made by `array` (the Array of the realm that asked for it). A cell kept as a bare value is
   * read through one Cell lent for the whole read (no object a cell), so `read` must not keep its cell.
   */
  readCells<T>(bounds: Bounds, read: (cell: Cell) => T, empty: T, array: ArrayConstructor = Array): T[][] {
    const out: T[][] = new array(bounds.numRows);
    const lent: Cell = { value: "" };
    for (let i = 0; i < bounds.numRows; i++) {
      const line: T[] = new array(bounds.numColumns).fill(empty);
      const row = this.rows[bounds.row - 1 + i];
      if (row)
        for (let j = 0; j < bounds.numColumns; j++) {
          const stored = row[bounds.column - 1 + j];
          if (stored === undefined) continue;
          if (typeof stored === "object") line[j] = read(stored);
          else {
            lent.value = stored;
            line[j] = read(lent);
          }
        }
      out[i] = line;
    }
    return out;
  }

  /**
   * One text property of every cell of a block, as getBackgrounds and getNotes give it: `empty` where
   * the cell or the property is missing. A plain loop, no call a cell: a million-cell read stays cheap.
   */
  readProperty(
    bounds: Bounds,
    key: TextProperty,
    empty: string,
    array: ArrayConstructor = Array,
  ): string[][] {
    const out: string[][] = new array(bounds.numRows);
    const first = bounds.column - 1;
    for (let i = 0; i < bounds.numRows; i++) {
      const line: string[] = new array(bounds.numColumns).fill(empty);
      const row = this.rows[bounds.row - 1 + i];
      if (row)
        for (let j = 0; j < bounds.numColumns; j++) {
          const stored = row[first + j];
          if (stored === undefined || typeof stored !== "object") continue; // a bare value: no property
          const v = stored[key];
          if (v !== undefined) line[j] = v;
        }
      out[i] = line;
    }
    return out;
  }

  /**
   * Sets one text property of every cell of a block from a 2-D array, as setBackgrounds and setNotes do:
   * `convert` gives what a cell keeps (undefined: the default, so the property is left out). A cell the
   * write leaves empty is dropped, and a default written where there is no cell creates none, so
   * putting back a million plain backgrounds costs a look at each cell and nothing more.
   */
  writeProperty(
    bounds: Bounds,
    key: TextProperty,
    values: readonly (readonly unknown[] | undefined)[],
    convert: (value: unknown) => string | undefined,
  ): void {
    const first = bounds.column - 1;
    for (let i = 0; i < bounds.numRows; i++) {
      const r = bounds.row - 1 + i;
      const line = values[i];
      let row = this.rows[r];
      for (let j = 0; j < bounds.numColumns; j++) {
        const v = convert(line?.[j]);
        const c = first + j;
        const stored = row?.[c];
        // A bare value has none of these properties.
        const cell = typeof stored === "object" ? stored : undefined;
        const value = typeof stored === "object" ? undefined : stored;
        if (v === undefined) {
          if (cell?.[key] === undefined) continue;
          delete cell[key];
          const kept = storedCell(cell);
          if (kept === undefined) delete (row as StoredCell[])[c];
          else (row as StoredCell[])[c] = kept;
        } else if (cell) cell[key] = v;
        else {
          if (!row) {
            row = [];
            this.rows[r] = row;
          }
          row[c] = value === undefined ? { [key]: v } : { value, [key]: v };
        }
      }
    }
  }

  /** Whether any cell of a block passes the test (missing cells are not tested). */
  someCell(bounds: Bounds, test: (cell: Cell) => boolean): boolean {
    for (let r = bounds.row - 1; r < bounds.row - 1 + bounds.numRows; r++) {
      const row = this.rows[r];
      if (!row) continue;
      for (let c = bounds.column - 1; c < bounds.column - 1 + bounds.numColumns; c++) {
        const cell = cellOf(row[c]);
        if (cell && test(cell)) return true;
      }
    }
    return false;
  }

  /** The last row with a value or formula; 0 for an empty sheet. */
  lastRow(): number {
    for (let r = this.rows.length - 1; r >= 0; r--) if (this.rows[r]?.some(hasContent)) return r + 1;
    return 0;
  }

  /** The last column with a value or formula; 0 for an empty sheet. */
  lastColumn(): number {
    let last = 0;
    for (const row of this.rows) {
      if (!row) continue;
      for (let c = row.length - 1; c >= last; c--)
        if (hasContent(row[c])) {
          last = c + 1;
          break;
        }
    }
    return last;
  }

  /** Inserts empty rows after a row (0: at the top), moving the rows below down. */
  insertRows(after: number, count: number): void {
    this.maxRows += count;
    if (after >= this.rows.length) return;
    const moved = this.rows.splice(after);
    this.rows.length = after + count;
    moved.forEach((row, i) => {
      this.rows[after + count + i] = row;
    });
  }

  /** Inserts empty columns after a column (0: at the left), moving the columns to the right along. */
  insertColumns(after: number, count: number): void {
    this.maxColumns += count;
    for (const row of this.rows) {
      if (!row || after >= row.length) continue;
      const moved = row.splice(after);
      row.length = after + count;
      moved.forEach((cell, i) => {
        row[after + count + i] = cell;
      });
    }
  }

  /** Deletes rows from a 1-based position, moving the rows below up. */
  deleteRows(position: number, count: number): void {
    this.maxRows -= count;
    this.rows.splice(position - 1, count);
    if (this.frozenRows > this.maxRows) this.frozenRows = this.maxRows;
  }

  /** Deletes columns from a 1-based position, moving the columns to the right along. */
  deleteColumns(position: number, count: number): void {
    this.maxColumns -= count;
    for (const row of this.rows) if (row) row.splice(position - 1, count);
    if (this.frozenColumns > this.maxColumns) this.frozenColumns = this.maxColumns;
  }
}

/**
 * The sheet's grid, virtualised: only the rows and columns in view (and a few around them) exist in the
 * page, so a tab of 20,000 rows scrolls as one of 20. The headers and frozen rows are sticky, so the
 * browser keeps them in place while scrolling, without waiting for a script.
 */
import type { Block, CellView, SheetSummary } from "../protocol";
import { api } from "./api";

export const ROW_HEIGHT = 21;
export const COLUMN_WIDTH = 100;
/** The row numbers' column, wider for a tab whose numbers have more than four digits, as in Sheets. */
export const ROW_HEADER_WIDTH = 46;
export const HEADER_HEIGHT = 24;
/** Rows fetched from the server at a time. */
const BLOCK_ROWS = 200;
/** Rows and columns drawn beyond the edges, and the step the drawn window moves by. */
const OVERSCAN_ROWS = 12;
const OVERSCAN_COLUMNS = 2;
const WINDOW_STEP = 8;
/** Frozen rows beyond this many are drawn as ordinary rows. */
const MAX_FROZEN_ROWS = 40;
/** The thick line under frozen rows, which takes room of its own as in Sheets. */
const FROZEN_LINE = 3;

/** What the grid asks of the page: the server calls behind a person's actions. */
export interface GridActions {
  select(sheetId: number, block: Block): void;
  setCell(sheetId: number, row: number, column: number, input: string): Promise<void>;
  paste(sheetId: number, row: number, column: number, text: string): Promise<void>;
  clear(sheetId: number, block: Block): Promise<void>;
  /** The active cell moved or its contents changed: for the name box and the formula bar. */
  activeCellChanged(a1: string, contents: string): void;
}

interface Position {
  row: number;
  column: number;
}

interface LoadedRows {
  version: number;
  rows: Map<number, Map<number, CellView>>;
}

interface Editor {
  input: HTMLInputElement;
  row: number;
  column: number;
  initial: string;
  /** Opened by typing over the cell: the arrow keys then commit and move, as in Sheets. */
  typing: boolean;
}

export class Grid {
  #sizer: HTMLDivElement;
  #columnHeaders: HTMLDivElement;
  #frozen: HTMLDivElement;
  #body: HTMLDivElement;
  #notePopup: HTMLDivElement;
  #sheet: SheetSummary | undefined;
  #version = -1;
  #blocks = new Map<number, LoadedRows>();
  #loading = new Set<string>();
  /** The active cell, where a selection starts; `#focus` is its other corner. */
  #anchor: Position = { row: 1, column: 1 };
  #focus: Position = { row: 1, column: 1 };
  #editor: Editor | undefined;
  #dragging = false;
  #frame = 0;
  #drawn = "";

  constructor(
    readonly element: HTMLElement,
    readonly actions: GridActions,
  ) {
    element.setAttribute("role", "grid");
    element.setAttribute("aria-multiselectable", "true");
    element.tabIndex = 0;
    this.#sizer = div("sizer");
    this.#columnHeaders = div("column-headers");
    this.#columnHeaders.setAttribute("role", "row");
    this.#columnHeaders.setAttribute("aria-rowindex", "1");
    this.#frozen = div("frozen-rows");
    this.#frozen.setAttribute("role", "rowgroup");
    this.#body = div("body-rows");
    this.#body.setAttribute("role", "rowgroup");
    this.#sizer.append(this.#columnHeaders, this.#frozen, this.#body);
    element.append(this.#sizer);
    this.#notePopup = div("note-popup");
    this.#notePopup.setAttribute("role", "tooltip");
    this.#notePopup.hidden = true;
    document.body.append(this.#notePopup);

    element.addEventListener("scroll", () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(element);
    element.addEventListener("mousedown", (e) => this.#onMouseDown(e));
    element.addEventListener("mousemove", (e) => this.#onMouseMove(e));
    window.addEventListener("mouseup", () => this.#onMouseUp());
    element.addEventListener("dblclick", (e) => {
      if (cellAt(e.target)) this.#openEditor(this.#contents(this.#anchor), false);
    });
    element.addEventListener("keydown", (e) => this.#onKeyDown(e));
    element.addEventListener("mouseover", (e) => this.#showNote(e.target));
    element.addEventListener("mouseleave", () => {
      this.#notePopup.hidden = true;
    });
    document.addEventListener("paste", (e) => this.#onPaste(e));
    document.addEventListener("copy", (e) => this.#onCopy(e, false));
    document.addEventListener("cut", (e) => this.#onCopy(e, true));
  }

  get sheet(): SheetSummary | undefined {
    return this.#sheet;
  }

  /** The selected block, active cell first. */
  get selection(): Block {
    return {
      row: Math.min(this.#anchor.row, this.#focus.row),
      column: Math.min(this.#anchor.column, this.#focus.column),
      numRows: Math.abs(this.#anchor.row - this.#focus.row) + 1,
      numColumns: Math.abs(this.#anchor.column - this.#focus.column) + 1,
    };
  }

  /**
   * Shows a tab as of a version of the workbook. A selection given (another tab, or one the add-on
   * made) replaces the grid's own and is scrolled into view.
   */
  show(sheet: SheetSummary, version: number, selection?: Block): void {
    const switched = sheet.sheetId !== this.#sheet?.sheetId;
    if (switched) {
      this.#closeEditor();
      this.#blocks.clear();
      this.element.scrollTo(0, 0);
    }
    this.#sheet = sheet;
    this.#version = version;
    this.element.setAttribute("aria-label", sheet.name);
    this.element.setAttribute("aria-rowcount", String(sheet.maxRows + 1));
    this.element.setAttribute("aria-colcount", String(sheet.maxColumns + 1));
    this.#sizer.style.width = `${rowHeaderWidth(sheet) + sheet.maxColumns * COLUMN_WIDTH}px`;
    this.#sizer.style.height = `${bodyTop(sheet, sheet.maxRows + 1)}px`;
    if (selection) {
      this.#anchor = this.#clamp({ row: selection.row, column: selection.column });
      this.#focus = this.#clamp({
        row: selection.row + selection.numRows - 1,
        column: selection.column + selection.numColumns - 1,
      });
      this.#reveal(this.#anchor);
    } else {
      this.#anchor = this.#clamp(this.#anchor);
      this.#focus = this.#clamp(this.#focus);
    }
    this.#redraw();
  }

  focus(): void {
    this.element.focus({ preventScroll: true });
  }

  /** Drops the cells the grid holds (and what it showed before the server answered), and loads them again. */
  forget(): void {
    this.#blocks.clear();
    this.#redraw();
  }

  /** The formula bar's Enter: the text goes into the active cell. */
  enter(input: string): void {
    const sheet = this.#sheet;
    if (!sheet) return;
    this.#putLocally(this.#anchor, input);
    void this.actions.setCell(sheet.sheetId, this.#anchor.row, this.#anchor.column, input);
    this.focus();
  }

  // Drawing

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #redraw(): void {
    this.#drawn = "";
    this.#schedule();
    this.#tellActiveCell();
  }

  #draw(): void {
    const sheet = this.#sheet;
    if (!sheet) return;
    const { scrollTop, scrollLeft, clientHeight, clientWidth } = this.element;
    const frozen = frozenRows(sheet);
    const topRow = Math.floor(scrollTop / ROW_HEIGHT) + frozen + 1;
    const bottomRow = Math.floor((scrollTop + clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) + 1;
    const firstRow = Math.max(frozen + 1, stepDown(topRow - OVERSCAN_ROWS));
    const lastRow = Math.min(sheet.maxRows, stepUp(bottomRow + OVERSCAN_ROWS));
    const firstColumn = Math.max(1, Math.floor(scrollLeft / COLUMN_WIDTH) + 1 - OVERSCAN_COLUMNS);
    const lastColumn = Math.min(
      sheet.maxColumns,
      Math.floor((scrollLeft + clientWidth - rowHeaderWidth(sheet)) / COLUMN_WIDTH) + 1 + OVERSCAN_COLUMNS,
    );
    const key = `${sheet.sheetId}:${firstRow}:${lastRow}:${firstColumn}:${lastColumn}`;
    if (key === this.#drawn) return;
    this.#drawn = key;
    this.#load(1, frozen);
    this.#load(firstRow, lastRow);

    const width = rowHeaderWidth(sheet) + sheet.maxColumns * COLUMN_WIDTH;
    const selection = this.selection;
    let headers = `<div class="corner" style="width:${rowHeaderWidth(sheet)}px;height:${HEADER_HEIGHT}px"></div>`;
    for (let c = firstColumn; c <= lastColumn; c++) {
      const selected = c >= selection.column && c < selection.column + selection.numColumns;
      headers +=
        `<div class="column-header${selected ? " selected" : ""}" role="columnheader" aria-colindex="${c + 1}" ` +
        `data-column="${c}" style="left:${columnLeft(sheet, c)}px;width:${COLUMN_WIDTH}px;height:${HEADER_HEIGHT}px;` +
        `line-height:${HEADER_HEIGHT - 1}px">${columnLetters(c)}</div>`;
    }
    this.#columnHeaders.style.width = `${width}px`;
    this.#columnHeaders.style.height = `${HEADER_HEIGHT}px`;
    this.#columnHeaders.innerHTML = headers;

    let frozenHtml = "";
    for (let r = 1; r <= frozen; r++)
      frozenHtml += this.#rowHtml(r, (r - 1) * ROW_HEIGHT, firstColumn, lastColumn);
    this.#frozen.style.top = `${HEADER_HEIGHT}px`;
    this.#frozen.style.width = `${width}px`;
    this.#frozen.style.height = `${frozen ? frozen * ROW_HEIGHT + FROZEN_LINE : 0}px`;
    this.#frozen.style.borderBottomWidth = frozen ? `${FROZEN_LINE}px` : "0";
    this.#frozen.innerHTML = frozenHtml;

    let body = "";
    for (let r = firstRow; r <= lastRow; r++)
      body += this.#rowHtml(r, bodyTop(sheet, r), firstColumn, lastColumn);
    this.#body.innerHTML = body;
  }

  #rowHtml(row: number, top: number, firstColumn: number, lastColumn: number): string {
    const sheet = this.#sheet as SheetSummary;
    const selection = this.selection;
    const rowSelected = row >= selection.row && row < selection.row + selection.numRows;
    const many = selection.numRows > 1 || selection.numColumns > 1;
    const cells = this.#rowCells(row);
    let html =
      `<div class="row" role="row" aria-rowindex="${row + 1}" style="top:${top}px;` +
      `width:${rowHeaderWidth(sheet) + sheet.maxColumns * COLUMN_WIDTH}px;height:${ROW_HEIGHT}px">` +
      `<div class="row-header${rowSelected ? " selected" : ""}" role="rowheader" data-row="${row}" ` +
      `style="width:${rowHeaderWidth(sheet)}px;height:${ROW_HEIGHT}px;line-height:${ROW_HEIGHT - 1}px">${row}</div>`;
    for (let c = firstColumn; c <= lastColumn; c++) {
      const view = cells?.get(c);
      const inSelection = rowSelected && c >= selection.column && c < selection.column + selection.numColumns;
      const active = row === this.#anchor.row && c === this.#anchor.column;
      let classes = "cell";
      if (view?.kind) classes += ` ${view.kind}`;
      if (view?.formula && view.text === undefined) classes += " formula";
      if (view?.note) classes += " has-note";
      if (inSelection && many) classes += " in-selection";
      if (active) classes += " active";
      let style = `left:${columnLeft(sheet, c)}px;width:${COLUMN_WIDTH}px;height:${ROW_HEIGHT}px;line-height:${ROW_HEIGHT - 1}px`;
      if (view?.background) style += `;background-color:${cssColor(view.background)}`;
      if (view?.fontColor) style += `;color:${cssColor(view.fontColor)}`;
      if (view?.bold) style += ";font-weight:700";
      const text = escapeHtml(view?.text ?? view?.formula ?? "");
      const dropDown = view?.options ? '<span class="drop-down" aria-hidden="true">▼</span>' : "";
      // Text runs on over the empty cells to its right, as in Sheets; numbers never do.
      const room = text && !view?.kind && !view?.options ? emptyCellsAfter(cells, c, sheet.maxColumns) : 0;
      // Otherwise the text is clipped at the cell's edge, the active cell's too (whose border overflows).
      const content = room
        ? `<span class="spill" style="max-width:${(room + 1) * COLUMN_WIDTH - 6}px${inSelection && many ? "" : `;background-color:${cssColor(view?.background ?? "#fff")}`}">${text}</span>`
        : text && `<span class="clip">${text}</span>`;
      if (room) classes += " spills";
      html +=
        `<div class="${classes}" role="gridcell" aria-colindex="${c + 1}"${inSelection ? ' aria-selected="true"' : ""} ` +
        `data-row="${row}" data-column="${c}" style="${style}">${content}${dropDown}</div>`;
    }
    return `${html}</div>`;
  }

  // Cells from the server

  #rowCells(row: number): Map<number, CellView> | undefined {
    return this.#blocks.get(blockOf(row))?.rows.get(row);
  }

  #cell(at: Position): CellView | undefined {
    return this.#rowCells(at.row)?.get(at.column);
  }

  #contents(at: Position): string {
    const view = this.#cell(at);
    return view?.formula ?? view?.text ?? "";
  }

  /** Fetches the blocks of rows a window needs that are missing or older than the workbook. */
  #load(fromRow: number, toRow: number): void {
    const sheet = this.#sheet;
    if (!sheet || toRow < fromRow) return;
    const version = this.#version;
    for (let b = blockOf(fromRow); b <= blockOf(toRow); b++) {
      if ((this.#blocks.get(b)?.version ?? -1) >= version) continue;
      const key = `${sheet.sheetId}:${version}:${b}`;
      if (this.#loading.has(key)) continue;
      this.#loading.add(key);
      api
        .cells(sheet.sheetId, b * BLOCK_ROWS + 1, (b + 1) * BLOCK_ROWS)
        .then((window) => {
          if (this.#sheet?.sheetId !== sheet.sheetId) return;
          if ((this.#blocks.get(b)?.version ?? -1) > version) return;
          const rows = new Map<number, Map<number, CellView>>();
          for (const cell of window.cells) {
            const row = rows.get(cell.row) ?? new Map<number, CellView>();
            rows.set(cell.row, row);
            row.set(cell.column, cell);
          }
          this.#blocks.set(b, { version, rows });
          this.#redraw();
        })
        .catch(() => {})
        .finally(() => this.#loading.delete(key));
    }
  }

  /** Shows typed text at once; the server's reading of it replaces it a moment later. */
  #putLocally(at: Position, input: string): void {
    const block = this.#blocks.get(blockOf(at.row));
    if (!block) return;
    const row = block.rows.get(at.row) ?? new Map<number, CellView>();
    block.rows.set(at.row, row);
    row.set(at.column, withoutContents(row.get(at.column), at, input));
    this.#redraw();
  }

  // Selection

  #select(anchor: Position, focus = anchor): void {
    this.#anchor = this.#clamp(anchor);
    this.#focus = this.#clamp(focus);
    this.#redraw();
  }

  #commitSelection(): void {
    if (this.#sheet) this.actions.select(this.#sheet.sheetId, this.selection);
  }

  #tellActiveCell(): void {
    this.actions.activeCellChanged(this.#a1(), this.#contents(this.#anchor));
  }

  /** The selection in A1 notation, as the name box shows it. */
  #a1(): string {
    const s = this.selection;
    const first = `${columnLetters(s.column)}${s.row}`;
    if (s.numRows === 1 && s.numColumns === 1) return first;
    return `${first}:${columnLetters(s.column + s.numColumns - 1)}${s.row + s.numRows - 1}`;
  }

  #clamp(at: Position): Position {
    const sheet = this.#sheet;
    if (!sheet) return at;
    return {
      row: Math.min(Math.max(1, at.row), sheet.maxRows),
      column: Math.min(Math.max(1, at.column), sheet.maxColumns),
    };
  }

  /** Scrolls so that a cell is in view, below the headers and frozen rows. */
  #reveal(at: Position): void {
    const sheet = this.#sheet;
    if (!sheet) return;
    const view = this.element;
    const frozen = frozenRows(sheet);
    if (at.row > frozen) {
      const top = (at.row - 1 - frozen) * ROW_HEIGHT;
      const bottom = bodyTop(sheet, at.row + 1) - view.clientHeight;
      if (view.scrollTop > top) view.scrollTop = top;
      else if (view.scrollTop < bottom) view.scrollTop = bottom;
    }
    const left = (at.column - 1) * COLUMN_WIDTH;
    const right = rowHeaderWidth(sheet) + at.column * COLUMN_WIDTH - view.clientWidth;
    if (view.scrollLeft > left) view.scrollLeft = left;
    else if (view.scrollLeft < right) view.scrollLeft = right;
  }

  // Mouse

  #onMouseDown(e: MouseEvent): void {
    if (e.button !== 0 || e.target === this.#editor?.input) return;
    const sheet = this.#sheet;
    if (!sheet) return;
    const target = e.target as HTMLElement;
    const cell = cellAt(target);
    const columnHeader = target.closest<HTMLElement>(".column-header");
    const rowHeader = target.closest<HTMLElement>(".row-header");
    if (!cell && !columnHeader && !rowHeader && !target.closest(".corner")) return;
    e.preventDefault();
    this.#commitEditor();
    this.focus();
    if (cell) {
      if (e.shiftKey) this.#select(this.#anchor, cell);
      else this.#select(cell);
      this.#dragging = true;
      return;
    }
    if (columnHeader) {
      const column = Number(columnHeader.dataset.column);
      this.#select({ row: 1, column }, { row: sheet.maxRows, column });
    } else if (rowHeader) {
      const row = Number(rowHeader.dataset.row);
      this.#select({ row, column: 1 }, { row, column: sheet.maxColumns });
    } else {
      this.#select({ row: 1, column: 1 }, { row: sheet.maxRows, column: sheet.maxColumns });
    }
    this.#commitSelection();
  }

  #onMouseMove(e: MouseEvent): void {
    if (!this.#dragging) return;
    const cell = cellAt(e.target);
    if (cell && (cell.row !== this.#focus.row || cell.column !== this.#focus.column))
      this.#select(this.#anchor, cell);
  }

  #onMouseUp(): void {
    if (!this.#dragging) return;
    this.#dragging = false;
    this.#commitSelection();
  }

  #showNote(target: EventTarget | null): void {
    const at = cellAt(target);
    const note = at && this.#cell(at)?.note;
    const popup = this.#notePopup;
    if (!at || !note) {
      popup.hidden = true;
      return;
    }
    const box = (target as HTMLElement).closest(".cell")?.getBoundingClientRect();
    if (!box) return;
    popup.textContent = note;
    popup.hidden = false;
    popup.style.left = `${Math.min(box.right + 4, window.innerWidth - popup.offsetWidth - 8)}px`;
    popup.style.top = `${box.top}px`;
  }

  // Keyboard

  #onKeyDown(e: KeyboardEvent): void {
    if (this.#editor || e.target !== this.element) return;
    const sheet = this.#sheet;
    if (!sheet) return;
    const command = e.ctrlKey || e.metaKey;
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 2);
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      PageUp: [-page, 0],
      PageDown: [page, 0],
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      this.#move(move[0], move[1], e.shiftKey, command);
      return;
    }
    switch (e.key) {
      case "Tab":
        e.preventDefault();
        this.#move(0, e.shiftKey ? -1 : 1, false, false);
        return;
      case "Home":
        e.preventDefault();
        this.#jump(command ? { row: 1, column: 1 } : { row: this.#anchor.row, column: 1 }, e.shiftKey);
        return;
      case "End":
        e.preventDefault();
        this.#jump(
          command
            ? { row: Math.max(1, sheet.lastRow), column: Math.max(1, sheet.lastColumn) }
            : { row: this.#anchor.row, column: Math.max(1, sheet.lastColumn) },
          e.shiftKey,
        );
        return;
      case "Enter":
      case "F2":
        e.preventDefault();
        this.#openEditor(this.#contents(this.#anchor), false);
        return;
      case "Delete":
      case "Backspace":
        e.preventDefault();
        this.#clearSelection();
        return;
    }
    if (command && e.key.toLowerCase() === "a") {
      e.preventDefault();
      this.#select({ row: 1, column: 1 }, { row: sheet.maxRows, column: sheet.maxColumns });
      this.#commitSelection();
      return;
    }
    if (e.key.length === 1 && !command && !e.altKey) {
      e.preventDefault();
      this.#openEditor(e.key, true);
    }
  }

  /** Moves the active cell (or, extending, the selection's far corner); with Ctrl, to the data's edge. */
  #move(rows: number, columns: number, extend: boolean, toEdge: boolean): void {
    const sheet = this.#sheet as SheetSummary;
    const from = extend ? this.#focus : this.#anchor;
    let to = { row: from.row + rows, column: from.column + columns };
    if (toEdge) {
      const lastRow = from.row < sheet.lastRow ? sheet.lastRow : sheet.maxRows;
      const lastColumn = from.column < sheet.lastColumn ? sheet.lastColumn : sheet.maxColumns;
      to = {
        row: rows < 0 ? 1 : rows > 0 ? lastRow : from.row,
        column: columns < 0 ? 1 : columns > 0 ? lastColumn : from.column,
      };
    }
    this.#jump(to, extend);
  }

  #jump(to: Position, extend: boolean): void {
    const target = this.#clamp(to);
    if (extend) this.#select(this.#anchor, target);
    else this.#select(target);
    this.#reveal(target);
    this.#commitSelection();
  }

  #clearSelection(): void {
    const sheet = this.#sheet;
    if (!sheet) return;
    const block = this.selection;
    for (let r = block.row; r < block.row + block.numRows; r++) {
      const row = this.#rowCells(r);
      if (!row) continue;
      for (let c = block.column; c < block.column + block.numColumns; c++) {
        const view = row.get(c);
        if (view) row.set(c, withoutContents(view, { row: r, column: c }, ""));
      }
    }
    this.#redraw();
    void this.actions.clear(sheet.sheetId, block);
  }

  // Editing

  #openEditor(initial: string, typing: boolean): void {
    const sheet = this.#sheet;
    if (!sheet) return;
    this.#closeEditor();
    const { row, column } = this.#anchor;
    this.#reveal(this.#anchor);
    const input = document.createElement("input");
    input.className = "editor";
    input.value = initial;
    input.setAttribute("aria-label", `Edit ${columnLetters(column)}${row}`);
    input.spellcheck = false;
    const frozen = row <= frozenRows(sheet);
    input.style.top = `${(frozen ? (row - 1) * ROW_HEIGHT : bodyTop(sheet, row)) - 1}px`;
    input.style.left = `${columnLeft(sheet, column) - 1}px`;
    input.style.minWidth = `${COLUMN_WIDTH + 2}px`;
    input.style.height = `${ROW_HEIGHT + 2}px`;
    input.style.setProperty("field-sizing", "content");
    const options = this.#cell(this.#anchor)?.options;
    if (options) {
      const list = document.createElement("datalist");
      list.id = "cell-options";
      for (const option of options) list.append(new Option(option));
      input.setAttribute("list", list.id);
      input.append(list);
      document.getElementById(list.id)?.remove();
      document.body.append(list);
    }
    this.#editor = { input, row, column, initial, typing };
    input.addEventListener("keydown", (e) => this.#onEditorKey(e));
    input.addEventListener("input", () => this.actions.activeCellChanged(this.#a1(), input.value));
    input.addEventListener("blur", () => {
      if (this.#editor?.input === input) this.#commitEditor();
    });
    (frozen ? this.#frozen : this.#sizer).append(input);
    input.focus({ preventScroll: true });
    input.setSelectionRange(input.value.length, input.value.length);
  }

  #onEditorKey(e: KeyboardEvent): void {
    const editor = this.#editor;
    if (!editor) return;
    const arrows: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const arrow = editor.typing ? arrows[e.key] : undefined;
    if (e.key === "Enter") {
      e.preventDefault();
      this.#commitEditor([e.shiftKey ? -1 : 1, 0]);
    } else if (e.key === "Tab") {
      e.preventDefault();
      this.#commitEditor([0, e.shiftKey ? -1 : 1]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.#closeEditor();
      this.focus();
    } else if (arrow) {
      e.preventDefault();
      this.#commitEditor(arrow);
    }
  }

  /** Writes what the editor holds (when it changed) and moves on. */
  #commitEditor(move?: [number, number]): void {
    const editor = this.#editor;
    const sheet = this.#sheet;
    if (!editor || !sheet) return;
    this.#closeEditor();
    const value = editor.input.value;
    if (value !== editor.initial) {
      this.#putLocally(editor, value);
      void this.actions.setCell(sheet.sheetId, editor.row, editor.column, value);
    }
    this.focus();
    if (move) this.#move(move[0], move[1], false, false);
  }

  #closeEditor(): void {
    const editor = this.#editor;
    this.#editor = undefined;
    editor?.input.remove();
    document.getElementById("cell-options")?.remove();
  }

  // Clipboard

  #onPaste(e: ClipboardEvent): void {
    const sheet = this.#sheet;
    if (!sheet || this.#editor || document.activeElement !== this.element) return;
    const text = e.clipboardData?.getData("text/plain") ?? "";
    e.preventDefault();
    if (text === "") return;
    void this.actions.paste(sheet.sheetId, this.selection.row, this.selection.column, text);
  }

  /** Copies the selection as tab-separated text, as Sheets does (only the rows the page holds). */
  #onCopy(e: ClipboardEvent, cut: boolean): void {
    if (this.#editor || document.activeElement !== this.element) return;
    const block = this.selection;
    const lines: string[] = [];
    for (let r = block.row; r < block.row + Math.min(block.numRows, 10_000); r++) {
      const row = this.#rowCells(r);
      const values: string[] = [];
      for (let c = block.column; c < block.column + block.numColumns; c++) {
        const view = row?.get(c);
        values.push(view?.formula ?? view?.text ?? "");
      }
      lines.push(values.join("\t"));
    }
    e.clipboardData?.setData("text/plain", lines.join("\n"));
    e.preventDefault();
    if (cut) this.#clearSelection();
  }
}

/** A (the first column) to Z, then AA, AB, … as Sheets letters its columns. */
export function columnLetters(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function rowHeaderWidth(sheet: SheetSummary): number {
  return Math.max(ROW_HEADER_WIDTH, String(sheet.maxRows).length * 8 + 14);
}

function columnLeft(sheet: SheetSummary, column: number): number {
  return rowHeaderWidth(sheet) + (column - 1) * COLUMN_WIDTH;
}

function frozenRows(sheet: SheetSummary): number {
  return sheet.frozenRows <= MAX_FROZEN_ROWS ? Math.min(sheet.frozenRows, sheet.maxRows) : 0;
}

/** Where a row below the frozen ones starts in the scrolled content. */
function bodyTop(sheet: SheetSummary, row: number): number {
  return HEADER_HEIGHT + (row - 1) * ROW_HEIGHT + (frozenRows(sheet) ? FROZEN_LINE : 0);
}

function blockOf(row: number): number {
  return Math.floor((row - 1) / BLOCK_ROWS);
}

function stepDown(row: number): number {
  return Math.floor((row - 1) / WINDOW_STEP) * WINDOW_STEP + 1;
}

function stepUp(row: number): number {
  return Math.ceil(row / WINDOW_STEP) * WINDOW_STEP;
}

/** Columns text runs over at most: more than a screen's width. */
const MAX_SPILL_COLUMNS = 40;

/** How many cells after a column hold nothing, so that text may run over them up to a filled one. */
function emptyCellsAfter(
  cells: Map<number, CellView> | undefined,
  column: number,
  maxColumns: number,
): number {
  let room = 0;
  for (let c = column + 1; c <= Math.min(maxColumns, column + MAX_SPILL_COLUMNS); c++) {
    const view = cells?.get(c);
    if (view?.text !== undefined || view?.formula !== undefined) break;
    room++;
  }
  return room;
}

/** A cell as it shows with other contents, before the server has read them. */
function withoutContents(view: CellView | undefined, at: Position, text: string): CellView {
  const next: CellView = { ...view, row: at.row, column: at.column };
  delete next.text;
  delete next.formula;
  delete next.kind;
  if (text !== "") next.text = text;
  return next;
}

function cellAt(target: EventTarget | null): Position | undefined {
  const cell = (target as HTMLElement | null)?.closest?.<HTMLElement>(".cell");
  if (!cell) return undefined;
  return { row: Number(cell.dataset.row), column: Number(cell.dataset.column) };
}

function div(className: string): HTMLDivElement {
  const element = document.createElement("div");
  element.className = className;
  return element;
}

/** Colours come from the add-on (setBackground): only a colour may reach the style attribute. */
function cssColor(value: string): string {
  return /^(#[0-9a-f]{3,8}|[a-z]+|rgba?\([\d\s.,%]+\))$/i.test(value) ? value : "transparent";
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch] ?? ch,
  );
}

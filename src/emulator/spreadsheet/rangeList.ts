import { type CellEdit, type ClearOptions, clearEdit, edits } from "./cellEdits";
import type { ServiceContext } from "./context";
import { countCalls } from "./counting";
import { apply, type Range, select } from "./range";

/** Ranges of one sheet edited together: Apps Script's RangeList. */
export class RangeList {
  constructor(
    readonly ctx: ServiceContext,
    readonly ranges: readonly Range[],
  ) {}

  getRanges(): Range[] {
    return [...this.ranges];
  }

  setBackground(color: string | null): this {
    return this.#applyAll(edits.background(color));
  }

  setNote(note: string | null): this {
    return this.#applyAll(edits.note(note));
  }

  setNumberFormat(pattern: string): this {
    return this.#applyAll(edits.numberFormat(pattern));
  }

  setFontWeight(weight: string | null): this {
    return this.#applyAll(edits.fontWeight(weight));
  }

  setFontColor(color: string | null): this {
    return this.#applyAll(edits.fontColor(color));
  }

  setValue(value: unknown): this {
    return this.#applyAll(edits.value(value, this.ctx.workbook.timeZone));
  }

  setFormula(formula: string): this {
    return this.#applyAll(edits.formula(formula, this.ctx.workbook.timeZone));
  }

  clear(options?: ClearOptions): this {
    return this.#applyAll(clearEdit(options), true);
  }

  clearContent(): this {
    return this.#applyAll(edits.clearContent, true);
  }

  clearFormat(): this {
    return this.#applyAll(edits.clearFormat, true);
  }

  clearNote(): this {
    return this.#applyAll(edits.clearNote, true);
  }

  clearDataValidations(): this {
    return this.#applyAll(edits.clearValidation, true);
  }

  /** Selects the ranges; the last one becomes the active range, as the reference says. */
  activate(): this {
    const last = this.ranges.at(-1);
    if (last) select(last);
    return this;
  }

  #applyAll(edit: CellEdit, onlyExisting = false): this {
    for (const range of this.ranges) apply(range, edit, onlyExisting);
    return this;
  }
}

countCalls(RangeList, "RangeList", (list, method) =>
  method === "getRanges" || method === "activate"
    ? 0
    : list.ranges.reduce((n, r) => n + r.bounds.numRows * r.bounds.numColumns, 0),
);

import vm from "node:vm";
import { CallLog } from "../../src/emulator/calls";
import { handOver, type Realm, wrapService } from "../../src/emulator/membrane";
import { createSpreadsheetApp } from "../../src/emulator/spreadsheet/spreadsheetApp";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";

function context() {
  const ctx = vm.createContext({});
  const inner = vm.runInContext("({ Date, Array, Object, Error })", ctx) as Realm;
  return { ctx, inner };
}

class Cell {
  value: unknown = null;
  getValue() {
    return this.value;
  }
  setValue(v: unknown) {
    this.value = v;
    return this;
  }
}

describe("the membrane between the services and the add-on", () => {
  it("hands the add-on Dates and arrays of its own realm, and the services Dates of theirs", () => {
    const { ctx, inner } = context();
    const cell = new Cell();
    cell.value = [[new Date("2020-12-25T00:00:00Z"), 1]];
    ctx.cell = wrapService("SpreadsheetApp", cell, { inner });
    expect(
      vm.runInContext(
        "const v = cell.getValue(); [v[0][0] instanceof Date, v instanceof Array, v[0][1]]",
        ctx,
      ),
    ).toEqual([true, true, 1]);
    vm.runInContext("cell.setValue(new Date(0))", ctx);
    expect(cell.value).toBeInstanceOf(Date);
  });

  it("hands the services a grid of plain values as it reads, and re-makes the Dates of a grid", () => {
    const { ctx, inner } = context();
    const cell = new Cell();
    ctx.cell = wrapService("SpreadsheetApp", cell, { inner });
    vm.runInContext('cell.setValue([["#ff0000", null], [1, true]])', ctx);
    expect(cell.value).toEqual([
      ["#ff0000", null],
      [1, true],
    ]);
    vm.runInContext('cell.setValue([["a", new Date(0)], ["b", null]])', ctx);
    const grid = cell.value as unknown[][];
    expect(grid[0]?.[1]).toBeInstanceOf(Date);
    expect(grid).toBeInstanceOf(Array);
  });

  it("wraps objects with methods that a method returns, and unwraps them when they come back", () => {
    const { ctx, inner } = context();
    const calls: string[] = [];
    const sheet = {
      cell: new Cell(),
      getCell() {
        return this.cell;
      },
      same(c: unknown) {
        return c === this.cell;
      },
    };
    ctx.sheet = wrapService("SpreadsheetApp", sheet, { inner, guard: (_, path) => calls.push(path) });
    expect(vm.runInContext("sheet.same(sheet.getCell().setValue(5))", ctx)).toBe(true);
    expect(sheet.cell.value).toBe(5);
    expect(calls).toEqual([
      "SpreadsheetApp.getCell",
      "SpreadsheetApp.getCell().setValue",
      "SpreadsheetApp.same",
    ]);
  });

  it("throws errors the add-on can catch as its own, with the service's message", () => {
    const { ctx, inner } = context();
    ctx.svc = wrapService(
      "X",
      {
        fail() {
          throw new Error("Range not found");
        },
      },
      { inner },
    );
    expect(vm.runInContext("try { svc.fail() } catch (e) { [e instanceof Error, e.message] }", ctx)).toEqual([
      true,
      "Range not found",
    ]);
  });

  it("lets the guard refuse a call before it runs", () => {
    const { ctx, inner } = context();
    const cell = new Cell();
    ctx.cell = wrapService("PropertiesService", cell, {
      inner,
      guard: () => {
        throw new Error("You do not have permission to call PropertiesService.setValue");
      },
    });
    expect(
      vm.runInContext("try { cell.setValue(1) } catch (e) { e instanceof Error && e.message }", ctx),
    ).toBe("You do not have permission to call PropertiesService.setValue");
    expect(cell.value).toBeNull();
  });

  it("passes a grid a service made in the add-on's realm as it is, and copies one made outside the call", () => {
    const { ctx, inner } = context();
    const before = handOver([[1, 2]]);
    let kept: unknown;
    const service = {
      ours: () => {
        kept = handOver(new inner.Array(new inner.Array(1, 2)));
        return kept;
      },
      before: () => {
        kept = before;
        return kept;
      },
    };
    ctx.svc = wrapService("SpreadsheetApp", service, { inner });
    ctx.kept = () => kept;
    expect(vm.runInContext("svc.ours() === kept()", ctx)).toBe(true);
    expect(vm.runInContext("const g = svc.before(); [g === kept(), g instanceof Array]", ctx)).toEqual([
      false,
      true,
    ]);
  });

  it("gives getValues and getBackgrounds in the add-on's realm, and changing them leaves the sheet as it was", () => {
    const { ctx, inner } = context();
    const workbook = new Workbook();
    const app = createSpreadsheetApp(workbook, new CallLog());
    app
      .getActiveSheet()
      .getRange(1, 1, 1, 2)
      .setValues([["a", new Date("2024-05-01T00:00:00Z")]]);
    ctx.SpreadsheetApp = wrapService("SpreadsheetApp", app, { inner });
    expect(
      vm.runInContext(
        `const range = SpreadsheetApp.getActiveSheet().getRange(1, 1, 1, 2);
        const v = range.getValues();
        const b = range.getBackgrounds();
        const kinds = [v instanceof Array, v[0] instanceof Array, v[0][1] instanceof Date, b[0] instanceof Array];
        v[0][0] = "changed";
        v[0][1].setFullYear(1999);
        b[0][0] = "#ff0000";
        kinds`,
        ctx,
      ),
    ).toEqual([true, true, true, true]);
    const range = app.getActiveSheet().getRange(1, 1, 1, 2);
    expect(range.getValue()).toBe("a");
    const [[, date]] = range.getValues() as [[unknown, Date]];
    expect(date.toISOString()).toBe("2024-05-01T00:00:00.000Z");
    expect(range.getBackground()).toBe("#ffffff");
  });
});

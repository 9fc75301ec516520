import vm from "node:vm";
import { type Realm, wrapService } from "../../src/emulator/membrane";

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
});

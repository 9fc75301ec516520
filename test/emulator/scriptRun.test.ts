import {
  CircularValueError,
  IllegalValueError,
  passArguments,
  passReturnValue,
} from "../../src/emulator/scriptRun";

describe("what google.script.run lets cross", () => {
  it("passes primitives, arrays and plain objects as copies", () => {
    const arg = { object: "partners", rows: [1, "two", true, null], nested: { a: [{ b: 2 }] } };
    const [copy] = passArguments([arg]);
    expect(copy).toEqual(arg);
    expect(copy).not.toBe(arg);
  });

  it.each([
    ["a Date", [new Date()], "0"],
    ["a function", ["x", () => 1], "1"],
    ["a Date inside an object", [{ when: new Date() }], "when"],
    ["a class instance", [new Map()], "0"],
  ])("refuses %s as an argument, naming the property", (_, args, path) => {
    expect(() => passArguments(args)).toThrow(IllegalValueError);
    expect(() => passArguments(args)).toThrow(`Failed due to illegal value in property: ${path}`);
  });

  it("turns a whole return value into null when a Date is anywhere in it", () => {
    expect(passReturnValue({ ok: true, report: { at: new Date() } })).toBeNull();
    expect(passReturnValue([1, [new Date()]])).toBeNull();
    expect(passReturnValue(new Date())).toBeNull();
  });

  it("drops functions and undefined properties from a return value, as JSON does", () => {
    expect(passReturnValue({ a: 1, f: () => 1, u: undefined, list: [undefined, 2] })).toEqual({
      a: 1,
      list: [null, 2],
    });
    expect(passReturnValue(undefined)).toBeNull();
    expect(passReturnValue("text")).toBe("text");
  });

  it("refuses a circular argument cleanly, naming the property where it loops", () => {
    const loop: Record<string, unknown> = { name: "a" };
    loop.self = loop;
    const list: unknown[] = [1];
    list.push({ back: list });
    expect(() => passArguments([loop])).toThrow(CircularValueError);
    expect(() => passArguments([loop])).toThrow("Failed due to illegal value in property: self");
    expect(() => passArguments(["x", list])).toThrow(CircularValueError);
  });

  it("passes a value shared by two properties, as it is no cycle", () => {
    const shared = { a: 1 };
    expect(passArguments([{ one: shared, two: shared }])).toEqual([{ one: { a: 1 }, two: { a: 1 } }]);
    expect(passReturnValue({ one: shared, two: [shared] })).toEqual({ one: { a: 1 }, two: [{ a: 1 }] });
  });

  it("fails on a circular return value instead of overflowing the stack", () => {
    const loop: Record<string, unknown> = { rows: [] };
    (loop.rows as unknown[]).push(loop);
    expect(() => passReturnValue(loop)).toThrow(CircularValueError);
    expect(() => passReturnValue(loop)).toThrow("Failed due to illegal value in property: rows.0");
  });
});

import fc from "fast-check";
import { KeyIndex } from "../../src/core/keyIndex";

describe("the index of keys seen", () => {
  it("gives each key the first row it was seen in, across many growths of its table", () => {
    const index = new KeyIndex(4);
    const keys = Array.from({ length: 20_000 }, (_, i) => `partner${i}@example.com`);
    const rows = keys.map((_, i) => i + 2);
    expect(keys.map((key, i) => index.firstRow(key, i + 2))).toEqual(rows);
    expect(keys.map((key, i) => index.firstRow(key, 50_000 + i))).toEqual(rows);
  });

  it("agrees with a Map on any sequence of keys", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), (keys) => {
        const index = new KeyIndex(1);
        const first = new Map<string, number>();
        keys.forEach((key, row) => {
          if (!first.has(key)) first.set(key, row);
          expect(index.firstRow(key, row)).toBe(first.get(key));
        });
      }),
    );
  });
});

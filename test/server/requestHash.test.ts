import { createHash } from "node:crypto";
import fc from "fast-check";
import { requestHash } from "../../src/server/imports/idempotency";

// A chunk's rows are stored as this hash (import_chunks.rows_hash) and a chunk sent again is compared by
// it, so the hash of a request must never change, whatever makes it faster: a chunk applied before an
// upgrade must still replay after it.

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("requestHash", () => {
  it("hashes the request's canonical JSON: keys sorted, undefined members left out, undefined elements null", () => {
    const rows = [
      { row: 2, cells: ["a@example.com", 1, null, undefined, true, Number.NaN, "é\u2028"] },
      { cells: [[1, 2], { b: 1, a: [undefined, 2], c: undefined }], row: 3 },
    ];
    expect(requestHash(rows)).toBe(
      sha(
        '[{"cells":["a@example.com",1,null,null,true,null,"é\u2028"],"row":2},' +
          '{"cells":[[1,2],{"a":[null,2],"b":1}],"row":3}]',
      ),
    );
  });

  it("is the hash chunks were stored under before", () => {
    // As computed before arrays of plain values took the shorter path: the hashes stored chunks carry.
    expect(requestHash({ rows: [{ row: 2, cells: ["x", 1, undefined] }] })).toBe(
      "2ae0d97d7b40fcb5cc57a69d13b92268820326602ca773285a2dfdccd97b0725",
    );
    expect(requestHash([[1, 2], { b: 1, a: [undefined, 2] }])).toBe(
      "4e32244e7cf098388a3331033f0e42a5af21c15f0caa2e5c37e2a6e4d69b1cf3",
    );
  });

  it("hashes any request as the canonical JSON built whole would be", () => {
    // The text the hash is of, written the plain way: sorted keys, undefined members left out.
    const canonical = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
      if (value && typeof value === "object")
        return `{${Object.keys(value)
          .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(",")}}`;
      return JSON.stringify(value) ?? "null";
    };
    const plain = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: "small" }, plain, tie("array"), tie("object")),
      array: fc.array(tie("any"), { maxLength: 6 }),
      object: fc.dictionary(fc.string({ unit: "binary" }), tie("any"), { maxKeys: 6 }),
    })).any;
    // Rows long enough that the text is hashed in several pieces.
    const rows = fc.array(
      fc.record({ row: fc.integer(), cells: fc.array(fc.oneof(plain, value), { maxLength: 12 }) }),
      { maxLength: 400 },
    );
    fc.assert(
      fc.property(fc.oneof(value, rows), (request) => {
        expect(requestHash(request)).toBe(sha(canonical(request)));
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });
});

import { createHash } from "node:crypto";
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
});

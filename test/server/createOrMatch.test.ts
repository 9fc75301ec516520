import type { CheckedRow } from "../../src/core";
import { createOrMatch } from "../../src/server/imports/objects/createOrMatch";
import type { ApplyContext, RowResult } from "../../src/server/imports/types";

const ctx = { spec: { label: "Partners" } } as ApplyContext;
const rows = [2, 3, 4].map((row) => ({ row, record: {} }) as unknown as CheckedRow);
const created = (row: number): RowResult => ({ row, outcome: "created", object_key: `k${row}`, issues: [] });

describe("createOrMatch", () => {
  it("resolves again only the rows whose insert lost to another import", async () => {
    const results = new Map<number, RowResult>();
    const resolved: number[][] = [];
    await createOrMatch(
      ctx,
      rows,
      results,
      async (pending) => {
        resolved.push(pending.map((r) => r.row));
        for (const r of pending) results.set(r.row, created(r.row));
        return resolved.length === 1 ? pending.map((r) => ({ src_row: r.row })) : [];
      },
      async () => new Set([3]),
    );
    expect(resolved).toEqual([[2, 3, 4], [3]]);
  });

  it("skips a row that loses its create twice, saying what happened, after two rounds", async () => {
    const results = new Map<number, RowResult>();
    let inserts = 0;
    await createOrMatch(
      ctx,
      rows,
      results,
      async (pending) => {
        for (const r of pending) results.set(r.row, created(r.row));
        return pending.map((r) => ({ src_row: r.row }));
      },
      async (creates) => {
        inserts++;
        return new Set(creates.filter((c) => c.src_row === 4).map((c) => c.src_row));
      },
    );
    expect(inserts).toBe(2);
    expect([...results.values()].map((r) => [r.row, r.outcome, r.issues.map((i) => i.code)])).toEqual([
      [2, "created", []],
      [3, "created", []],
      [4, "skipped", ["internal_error"]],
    ]);
    expect(results.get(4)?.issues[0]?.message).toContain("Another import took this partner's key or email");
  });
});

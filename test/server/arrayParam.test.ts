import { createRequire } from "node:module";
import fc from "fast-check";
import { arrayParam, type Database, openDatabase, quoteIdent } from "../../src/server/db/database";
import { engines } from "./harness";

// node-postgres's own way of writing a parameter: arrayParam must write arrays of plain values as it does.
const { prepareValue } = createRequire(__filename)("pg/lib/utils") as { prepareValue(v: unknown): unknown };

const element = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom('"', "\\", '\\"', "a,b", "{}", "NULL", " ", ""),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

describe("array parameters (PostgreSQL)", () => {
  it("are written as node-postgres writes them", () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 50 }), (values) => {
        expect(arrayParam(values)).toBe(prepareValue(values));
      }),
      { numRuns: 500, seed: 20261202 },
    );
  });

  it("leave any other value, and arrays of anything else, to node-postgres", () => {
    const nested = [["a"], ["b"]];
    const bytes = [Buffer.from("ab")];
    const date = new Date();
    expect(arrayParam(nested)).toBe(nested);
    expect(arrayParam(bytes)).toBe(bytes);
    expect(arrayParam(["a", { b: 1 }])).toEqual(["a", { b: 1 }]);
    expect(arrayParam("x")).toBe("x");
    expect(arrayParam(date)).toBe(date);
  });

  const onPostgres = engines().includes("postgres") ? it : it.skip;
  onPostgres("come back from the database as they were sent", async () => {
    const schema = `t_${Date.now().toString(36)}`;
    const db: Database = await openDatabase({ url: process.env.DATABASE_URL as string, schema });
    try {
      const texts = ['a"b', "c\\d", "", "NULL", "{x,y}", "é\u2028\u0001", " padded "];
      const { rows } = await db.query<{ texts: string[]; numbers: number[] }>(
        "SELECT $1::text[] AS texts, $2::int[] AS numbers",
        [
          [...texts, null],
          [1, -2, 3],
        ],
      );
      expect(rows[0]?.texts).toEqual([...texts, null]);
      expect(rows[0]?.numbers).toEqual([1, -2, 3]);
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await db.close();
    }
  });
});

import fc from "fast-check";
import {
  analyseHeaders,
  createRowChecker,
  dateFormatter,
  OBJECTS,
  type ObjectName,
  objectSpec,
  templateColumns,
  templateHeaders,
} from "../../src/core";
import { acmeProgram } from "../fixtures/program";

const specOptions = (object: ObjectName) =>
  object === "leads"
    ? { program: acmeProgram, groupKey: "referral" }
    : object === "deals"
      ? { program: acmeProgram, groupKey: "resellers" }
      : { program: acmeProgram };

/** Anything Sheets (or a JSON client) may hand over as a cell. */
const cell = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", " ", "true", "FALSE", "2020-12-25", "2021-02-29", "USD", "open", "Open", "1e400", "-0"),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.date(),
  fc.date({ noInvalidDate: false }),
  fc.constant(null),
  fc.constant(undefined),
);

const headerRow = (object: ObjectName) => {
  const known = [
    ...templateColumns(objectSpec(object, specOptions(object))).map((c) => c.name),
    "metadata.ref",
    "metadata.bad key",
  ];
  return fc.array(fc.oneof(fc.constantFrom(...known), fc.string(), fc.constant("")), { maxLength: 14 });
};

describe("properties", () => {
  it.each(OBJECTS)("checking %s never throws, and every issue points at a cell that exists", (object) => {
    const spec = objectSpec(object, specOptions(object));
    fc.assert(
      fc.property(
        headerRow(object),
        fc.array(fc.array(cell, { maxLength: 16 }), { maxLength: 8 }),
        (headers, rows) => {
          const plan = analyseHeaders(spec, headers, { columnHasData: () => true });
          for (const alert of plan.alerts) {
            expect(alert.row).toBe(1);
            if (alert.column !== null) expect(alert.column).toBeGreaterThanOrEqual(1);
            if (alert.column !== null) expect(alert.column).toBeLessThanOrEqual(headers.length);
            expect(alert.message.length).toBeGreaterThan(0);
          }
          const checker = createRowChecker(plan, { formatDate: dateFormatter("America/Toronto") });
          rows.forEach((cells, i) => {
            const row = i + 2;
            const result = checker.check(row, cells);
            for (const issue of result.issues) {
              expect(issue.row).toBe(row);
              expect(issue.column).not.toBeNull();
              const column = plan.columns.find((c) => c.column === issue.column);
              expect(column).toBeDefined(); // a column with a header that the plan maps
              expect(issue.message.length).toBeGreaterThan(0);
              expect(["error", "warning"]).toContain(issue.severity);
            }
            expect(result.ok).toBe(!result.issues.some((x) => x.severity === "error"));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(OBJECTS)("a %s row of the template's own examples is accepted", (object) => {
    const spec = objectSpec(object, specOptions(object));
    const headers = templateHeaders(spec);
    const columns = templateColumns(spec);
    const examples = headers.map((h) => columns.find((c) => c.name === h)?.example ?? "");
    const plan = analyseHeaders(spec, headers);
    const result = createRowChecker(plan).check(2, examples);
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("reads any whole number of cents exactly, as a number or as text", () => {
    const plan = analyseHeaders(objectSpec("transactions"), ["customer_key", "amount"]);
    const checker = createRowChecker(plan);
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.boolean(), (amount, asText) => {
        const result = checker.check(2, ["c1", asText ? String(amount) : amount]);
        expect(result.issues).toEqual([]);
        expect(result.record.amount).toBe(amount);
      }),
    );
  });

  it("reads any amount in dollars with at most 2 decimals as that amount", () => {
    const plan = analyseHeaders(objectSpec("rewards"), ["partner_key", "amount_in_dollars", "body"]);
    const checker = createRowChecker(plan);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (cents) => {
        const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
        const result = checker.check(2, ["p", text, "b"]);
        expect(result.issues).toEqual([]);
        expect(Math.round((result.record.amount_in_dollars as number) * 100)).toBe(cents);
      }),
    );
  });

  it("turns any Date into the calendar day it falls on in the time zone", () => {
    const plan = analyseHeaders(objectSpec("customers"), ["email", "created_at"]);
    const checker = createRowChecker(plan, { formatDate: dateFormatter("Pacific/Auckland") });
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (date) => {
          const result = checker.check(2, ["a@example.com", date]);
          const expected = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Auckland" }).format(date);
          expect(result.record.created_at).toBe(expected);
        },
      ),
    );
  });
});

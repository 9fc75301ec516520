import fc from "fast-check";
import {
  analyseHeaders,
  createRowChecker,
  dayFirstLocale,
  type FieldDef,
  type FieldType,
  type Fixer,
  fixerFor,
  objectSpec,
} from "../../src/core";
import { ISO_4217 } from "../../src/core/currencies";
import { cellReader, utcDateFormatter } from "../../src/core/values";
import { acmeProgram } from "../fixtures/program";

const field = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name: `a_${type}`,
  type,
  example: "",
  description: "",
  ...extra,
});
const fixer = (type: FieldType, options = {}, extra: Partial<FieldDef> = {}): Fixer => {
  const fix = fixerFor(field(type, extra), options);
  if (fix === null) throw new Error(`no fixer for ${type}`);
  return fix;
};
const to = (fix: Fixer, raw: unknown) => fix(raw)?.to;

/** What the strict reader says of a value: its result and whether it reported anything. */
function strictRead(def: FieldDef, raw: unknown) {
  const reports: string[] = [];
  const value = cellReader(def, utcDateFormatter())(raw, (_code, message) => reports.push(message));
  return { value, reports };
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"];
const MONTH_NAMES = [...MONTHS, "October", "November", "December"];

describe("date fixes", () => {
  const date = fixer("date");
  const dayFirst = fixer("date", { dayFirst: true });

  it.each([
    ["3/18/2026", "2026-03-18"],
    ["03/04/2026", "2026-03-04"],
    ["2026/03/18", "2026-03-18"],
    ["2026-3-8", "2026-03-08"],
    ["18.03.2026", "2026-03-18"],
    ["March 18, 2026", "2026-03-18"],
    ["Mar 18 2026", "2026-03-18"],
    ["Sept. 3, 2025", "2025-09-03"],
    ["18 March 2026", "2026-03-18"],
    ["18-Mar-2026", "2026-03-18"],
    ["2026-03-18T10:00:00Z", "2026-03-18"],
    ["2026-03-18T23:30:00-05:00", "2026-03-18"],
    ["3/18/2026 10:00 AM", "2026-03-18"],
    ["Wednesday, March 18, 2026", "2026-03-18"],
    ["Wed, 18 Mar 2026 10:00:00 +0000", "2026-03-18"],
    [" 2026-03-18 ", "2026-03-18"],
  ])("reads %j as %s", (raw, iso) => {
    expect(to(date, raw)).toBe(iso);
  });

  it("reads slash dates month first unless the locale writes them day first", () => {
    expect(date("3/4/2026")).toEqual({
      to: "2026-03-04",
      says: "is read as 2026-03-04 (month first, as the locale writes dates)",
    });
    expect(dayFirst("3/4/2026")).toEqual({
      to: "2026-04-03",
      says: "is read as 2026-04-03 (day first, as the locale writes dates)",
    });
    expect(dayFirst("18/03/2026")?.to).toBe("2026-03-18");
  });

  it("lets a number above 12 decide the order whatever the locale", () => {
    expect(date("18/03/2026")).toEqual({ to: "2026-03-18", says: "is read as 2026-03-18" });
    expect(dayFirst("3/18/2026")).toEqual({ to: "2026-03-18", says: "is read as 2026-03-18" });
  });

  it("says when a time of day is dropped", () => {
    expect(date("2026-03-18T10:00:00Z")?.says).toBe("is read as 2026-03-18 (its day only)");
  });

  it.each([
    "2/30/2026",
    "31.04.2026",
    "February 29, 2025",
    "13/13/2026",
    "Smarch 1, 2026",
    "3/18/26",
    "2026-02-30",
  ])("proposes nothing for %j, which is no day", (raw) => {
    expect(date(raw)).toBeUndefined();
    expect(dayFirst(raw)).toBeUndefined();
  });

  it("leaves canonical dates, Date cells and numbers alone", () => {
    expect(date("2026-03-18")).toBeUndefined();
    expect(date(new Date("2026-03-18T00:00:00Z"))).toBeUndefined();
    expect(date(46099)).toBeUndefined();
  });

  it("knows which locales write slash dates day first", () => {
    expect(dayFirstLocale("en_US")).toBe(false);
    expect(dayFirstLocale("en_GB")).toBe(true);
    expect(dayFirstLocale("de_DE")).toBe(true);
    expect(dayFirstLocale(undefined)).toBe(false);
  });
});

describe("timestamp fixes", () => {
  const timestamp = fixer("timestamp");

  it("reads the date forms as a day and a zoned date-time as epoch milliseconds", () => {
    expect(to(timestamp, "3/18/2026")).toBe("2026-03-18");
    expect(to(timestamp, "March 18, 2026")).toBe("2026-03-18");
    expect(timestamp("2026-03-18T10:00:00Z")).toEqual({
      to: Date.UTC(2026, 2, 18, 10),
      says: `is read as ${Date.UTC(2026, 2, 18, 10)} (epoch milliseconds of 2026-03-18T10:00:00.000Z)`,
    });
    expect(to(timestamp, "2026-03-18T10:00:00+01:00")).toBe(Date.UTC(2026, 2, 18, 9));
    expect(to(timestamp, " 1636077035000 ")).toBe(1636077035000);
  });

  it("leaves epoch milliseconds, ISO days and Date cells alone", () => {
    expect(timestamp(1636077035000)).toBeUndefined();
    expect(timestamp("1636077035000")).toBeUndefined();
    expect(timestamp("2021-11-05")).toBeUndefined();
    expect(timestamp(new Date())).toBeUndefined();
  });
});

describe("amount fixes", () => {
  const dollars = fixer("dollars");
  const cents = fixer("cents");
  const number = fixer("number");

  it.each([
    ["$1,234.56", 1234.56],
    ["1,000.00", 1000],
    ["USD 1,234.56", 1234.56],
    ["1,234.56 USD", 1234.56],
    [" 12.5 ", 12.5],
    ["-$5", -5],
    ["$-5", -5],
    ["(1,000.00)", -1000],
    [".5", 0.5],
    [1234.5600000001, 1234.56],
  ])("reads dollars %j as %d", (raw, amount) => {
    expect(to(dollars, raw)).toBe(amount);
  });

  it("says a parenthesised amount is negative", () => {
    expect(dollars("(1,000.00)")?.says).toBe("is read as -1000 (parentheses mark a negative amount)");
  });

  it.each(["12.345", 12.345, "1,00", "12,34.5", "€5", "EUR 5", "$", "-(5)", "--5", "1.2.3", "five"])(
    "proposes nothing for dollars %j",
    (raw) => {
      expect(dollars(raw)).toBeUndefined();
    },
  );

  it("reads a dollar amount in a cents column as cents, and says so", () => {
    expect(cents("$1,234.56")).toEqual({ to: 123456, says: "is an amount in dollars; read as 123456 cents" });
    expect(cents(1234.56)).toEqual({ to: 123456, says: "is an amount in dollars; read as 123456 cents" });
    expect(to(cents, "1234.56")).toBe(123456);
    expect(to(cents, "$5")).toBe(500);
    expect(cents("1,000")).toEqual({ to: 1000, says: "is read as 1000" });
    expect(cents(1234.567)).toBeUndefined();
    expect(cents("12.345")).toBeUndefined();
  });

  it("reads numbers with thousands separators or a dollar sign", () => {
    expect(to(number, "1,234.5")).toBe(1234.5);
    expect(to(number, "$5")).toBe(5);
    expect(to(number, "12.3456")).toBeUndefined(); // canonical already
    expect(number(12.3456)).toBeUndefined();
  });

  it("leaves canonical amounts alone", () => {
    for (const raw of ["10.00", "10", 10.25, "-3.5", 0]) expect(dollars(raw)).toBeUndefined();
    for (const raw of ["40000", 40000, -5]) expect(cents(raw)).toBeUndefined();
  });
});

describe("choice fixes", () => {
  const stage = fixer("choice", {}, { options: ["open", "closed", "dead", "closed won", "closed lost"] });
  const tier = fixer("choice", {}, { options: ["gold", "silver"], caseSensitive: true });

  it("reads an option in another case, with spaces or separators, as the option", () => {
    expect(stage("Open")).toEqual({ to: "open", says: 'is read as "open"' });
    expect(to(stage, "Closed Won")).toBe("closed won");
    expect(to(stage, " closed ")).toBe("closed");
    expect(to(stage, "closed_won")).toBe("closed won");
    expect(to(stage, "CLOSED-LOST")).toBe("closed lost");
    expect(to(tier, "Gold")).toBe("gold");
  });

  it("proposes nothing for an option, a value that is none, or one that two options could be", () => {
    expect(stage("open")).toBeUndefined();
    expect(stage("won")).toBeUndefined();
    const twins = fixer("choice", {}, { options: ["Gold", "gold"], caseSensitive: true });
    expect(twins("GOLD")).toBeUndefined();
    expect(twins("Gold")).toBeUndefined();
  });
});

describe("boolean fixes", () => {
  const flag = fixer("boolean");
  it.each([
    ["yes", true],
    ["no", false],
    ["y", true],
    ["N", false],
    ["1", true],
    ["0", false],
    [1, true],
    [0, false],
    ["TRUE", true],
    ["True", true],
    [" true ", true],
    ["FALSE", false],
  ])("reads %j as %s", (raw, value) => {
    expect(flag(raw)).toEqual({ to: value, says: `is read as ${value}` });
  });

  it("leaves true, false and unknown words alone", () => {
    for (const raw of [true, false, "true", "false", "maybe", 2]) expect(flag(raw)).toBeUndefined();
  });
});

describe("email fixes", () => {
  const email = fixer("email");
  it.each([
    [" bryn@example.com ", "bryn@example.com"],
    ["Bryn@Example.com", "bryn@example.com"],
    ["mailto:bryn@example.com", "bryn@example.com"],
    ["MAILTO:Bryn@Example.COM", "bryn@example.com"],
    ["Bryn Jones <Bryn@Example.com>", "bryn@example.com"],
    ["bryn @example.com", "bryn@example.com"],
  ])("reads %j as %s", (raw, address) => {
    expect(email(raw)).toEqual({ to: address, says: `is read as ${address}` });
  });

  it("proposes nothing that is not an email address, nor for one already canonical", () => {
    for (const raw of ["bryn@example.com", "not an email", "mailto:", "Bryn <nope>", 42])
      expect(email(raw)).toBeUndefined();
  });
});

describe("currency fixes", () => {
  const currency = fixer("currency");
  it("reads a code in lower case or with spaces in capitals", () => {
    expect(currency("usd")).toEqual({ to: "USD", says: "is read as USD" });
    expect(to(currency, " eur ")).toBe("EUR");
    expect(currency("USD")).toBeUndefined();
    expect(currency("usdollar")).toBeUndefined();
  });
});

describe("fields without fixes", () => {
  it.each(["text", "key", "tags", "metadata"] as const)("%s has no fixer", (type) => {
    expect(fixerFor(field(type))).toBeNull();
  });
});

// Properties: each fixer is idempotent, never touches a canonical value, gives a value the strict
// reader takes as it stands, and reads each common form back to the canonical value it came from.

const two = (n: number) => String(n).padStart(2, "0");
const isoDays = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const parts = (iso: string) => iso.split("-").map(Number) as [number, number, number];

/** A day and a common way of writing it, with the locale that reads it back. */
const dayForms = isoDays.chain((iso) => {
  const [y, m, d] = parts(iso);
  const month = MONTH_NAMES[m - 1] as string;
  return fc.constantFrom(
    { iso, text: `${m}/${d}/${y}`, dayFirst: false },
    { iso, text: `${d}/${m}/${y}`, dayFirst: true },
    { iso, text: `${two(d)}.${two(m)}.${y}`, dayFirst: false },
    { iso, text: `${y}/${two(m)}/${two(d)}`, dayFirst: true },
    { iso, text: `${y}-${m}-${d}`, dayFirst: false },
    { iso, text: `${month} ${d}, ${y}`, dayFirst: false },
    { iso, text: `${month.slice(0, 3).toUpperCase()} ${d} ${y}`, dayFirst: true },
    { iso, text: `${d} ${month} ${y}`, dayFirst: false },
    { iso, text: `${two(d)}-${month.slice(0, 3)}-${y}`, dayFirst: false },
    { iso, text: `${iso}T12:34:56.789Z`, dayFirst: false },
    { iso, text: `  ${iso} `, dayFirst: false },
  );
});

/** Dollars written as a finance sheet does: `$1,234.56`, `-$5.00`, `(1,000.00)`, `USD 12.50`. */
function money(cents: number, style: number): string {
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const body = `${whole}.${two(abs % 100)}`;
  const negative = cents < 0;
  switch (style % 3) {
    case 0:
      return `${negative ? "-" : ""}$${body}`;
    case 1:
      return negative ? `(${body})` : `$${body}`;
    default:
      return `USD ${negative ? "-" : ""}${body}`;
  }
}
const centsAmounts = fc.integer({ min: -1_000_000_000_00, max: 1_000_000_000_00 });

/** Anything a sheet or a CSV may hold, plus the common forms, for the properties that hold of all. */
const anyCell = fc.oneof(
  fc.string(),
  fc.constantFrom("yes", "No", "TRUE", " 1 ", "Open", "Closed Won", "usd", "mailto:A@B.co", "(5)", "$", "-0"),
  dayForms.map((f) => f.text),
  fc.tuple(centsAmounts, fc.nat()).map(([c, s]) => money(c, s)),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.emailAddress().map((e) => ` MAILTO:${e.toUpperCase()} `),
);

const OPTIONS_FIELDS: FieldDef[] = [
  objectSpec("rewards").byName.get("status") as FieldDef,
  objectSpec("leads").byName.get("status") as FieldDef,
  objectSpec("partners", { program: acmeProgram }).byName.get("tier_key") as FieldDef,
  objectSpec("deals", { program: acmeProgram, groupKey: "resellers" }).byName.get("stage") as FieldDef,
];

const FIXED_FIELDS: FieldDef[] = [
  field("date"),
  field("timestamp"),
  field("dollars"),
  field("cents"),
  field("number"),
  field("boolean"),
  field("email"),
  field("currency"),
  ...OPTIONS_FIELDS,
];

/** Canonical values of each field: what a fixer must leave alone. */
function canonicalValues(def: FieldDef): fc.Arbitrary<unknown> {
  switch (def.type) {
    case "date":
      return isoDays;
    case "timestamp":
      return fc.oneof(isoDays, fc.integer({ min: 0, max: 8.64e15 }), fc.nat().map(String));
    case "dollars":
      return centsAmounts.chain((c) =>
        fc.constantFrom(
          c / 100,
          `${c < 0 ? "-" : ""}${Math.floor(Math.abs(c) / 100)}.${two(Math.abs(c) % 100)}`,
        ),
      );
    case "cents":
      return fc.oneof(fc.maxSafeInteger(), fc.maxSafeInteger().map(String));
    case "number":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.tuple(fc.integer(), fc.nat(9999)).map(([a, b]) => `${a}.${b}`),
      );
    case "boolean":
      return fc.constantFrom(true, false, "true", "false");
    case "email":
      return fc
        .emailAddress()
        .map((e) => e.toLowerCase())
        .filter((e) => strictRead(def, e).reports.length === 0);
    case "currency":
      return fc.constantFrom(...ISO_4217);
    case "choice":
      return fc.constantFrom(...(def.options ?? []));
    default:
      throw new Error(`no canonical values for ${def.type}`);
  }
}

/** A common form of a canonical value, and the value the fix must give back. */
function variants(def: FieldDef): fc.Arbitrary<{ raw: unknown; canonical: unknown; dayFirst?: boolean }> {
  switch (def.type) {
    case "date":
      return dayForms.map((f) => ({ raw: f.text, canonical: f.iso, dayFirst: f.dayFirst }));
    case "timestamp":
      return fc.oneof(
        dayForms
          .filter((f) => !f.text.includes("T"))
          .map((f) => ({ raw: f.text, canonical: f.iso, dayFirst: f.dayFirst })),
        fc
          .date({
            min: new Date("1970-01-01T00:00:00Z"),
            max: new Date("2100-01-01T00:00:00Z"),
            noInvalidDate: true,
          })
          .map((d) => ({ raw: d.toISOString(), canonical: d.getTime() })),
      );
    case "dollars":
      return fc.oneof(
        fc.tuple(centsAmounts, fc.nat()).map(([c, s]) => ({ raw: money(c, s), canonical: c / 100 })),
        centsAmounts.map((c) => ({ raw: c / 100 + 1e-9, canonical: c / 100 })),
      );
    case "cents":
      return fc.oneof(
        fc.tuple(centsAmounts, fc.nat()).map(([c, s]) => ({ raw: money(c, s), canonical: c })),
        centsAmounts.filter((c) => c % 100 !== 0).map((c) => ({ raw: c / 100, canonical: c })),
        fc.integer({ min: 1000, max: 1e12 }).map((n) => ({
          raw: String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","),
          canonical: n,
        })),
      );
    case "number":
      return fc.tuple(fc.integer({ min: 1000, max: 1e12 }), fc.nat(99)).map(([n, d]) => ({
        raw: `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${two(d)}`,
        canonical: Number(`${n}.${two(d)}`),
      }));
    case "boolean":
      return fc
        .constantFrom(
          ["yes", true],
          ["NO", false],
          ["y", true],
          ["n", false],
          ["1", true],
          [0, false],
          ["TRUE", true],
          [" False ", false],
        )
        .map(([raw, canonical]) => ({ raw, canonical }));
    case "email":
      return (canonicalValues(def) as fc.Arbitrary<string>).chain((e) =>
        fc.constantFrom(
          { raw: `MAILTO:${e.toUpperCase()}`, canonical: e },
          { raw: `  ${e.toUpperCase()} `, canonical: e },
          { raw: `Someone <${e.toUpperCase()}>`, canonical: e },
        ),
      );
    case "currency":
      return fc
        .constantFrom(...ISO_4217)
        .chain((c) =>
          fc.constantFrom({ raw: c.toLowerCase(), canonical: c }, { raw: ` ${c} `, canonical: c }),
        );
    case "choice":
      return (canonicalValues(def) as fc.Arbitrary<string>)
        .filter((o) => o.toUpperCase() !== o || o.trim() !== o)
        .chain((o) =>
          fc.constantFrom(
            { raw: o.toUpperCase(), canonical: o },
            { raw: ` ${o.replace(/ /g, "_")}  `, canonical: o },
          ),
        );
    default:
      throw new Error(`no variants for ${def.type}`);
  }
}

const label = (def: FieldDef) => `${def.type} ${def.name}${def.caseSensitive ? " (case sensitive)" : ""}`;

describe.each(FIXED_FIELDS.map((def) => [label(def), def] as const))("the %s fixer", (_name, def) => {
  const fixers = [fixerFor(def, {}), fixerFor(def, { dayFirst: true })] as Fixer[];

  it("is idempotent, and its result passes the strict reader as it stands", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyCell,
          variants(def).map((v) => v.raw),
        ),
        (raw) => {
          for (const fix of fixers) {
            const proposed = fix(raw);
            if (proposed === undefined) continue;
            expect(fix(proposed.to)).toBeUndefined();
            const read = strictRead(def, proposed.to);
            expect(read.reports).toEqual([]);
            expect(read.value).not.toBeUndefined();
            expect(proposed.says.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never changes a canonical value", () => {
    fc.assert(
      fc.property(canonicalValues(def), (raw) => {
        expect(strictRead(def, raw).reports).toEqual([]);
        for (const fix of fixers) expect(fix(raw)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("reads a common form back as the canonical value it came from", () => {
    fc.assert(
      // A form may come out canonical (`2026-12-18` written `${y}-${m}-${d}`): that is the property above.
      fc.property(
        variants(def).filter((v) => v.raw !== v.canonical),
        ({ raw, canonical, dayFirst }) => {
          const fix = fixerFor(def, { dayFirst: dayFirst === true }) as Fixer;
          expect(fix(raw)?.to).toBe(canonical);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the row checker with normalise", () => {
  const headers = [
    "partner_key",
    "amount_in_cents",
    "body",
    "currency",
    "status",
    "is_external",
    "created_at",
  ];
  const row = ["p1", "$1,234.56", "Bonus", "usd", "Approved", "yes", "3/18/2026"];
  const plan = analyseHeaders(objectSpec("rewards"), headers);

  it("warns of each fixable cell with its fix, and reads the fixed value", () => {
    const result = createRowChecker(plan, { normalise: true }).check(2, row);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      {
        row: 2,
        column: 2,
        field: "amount_in_cents",
        severity: "warning",
        code: "fixable",
        message: 'amount_in_cents "$1,234.56" is an amount in dollars; read as 123456 cents',
        fix: { from: "$1,234.56", to: 123456 },
      },
      expect.objectContaining({ column: 4, code: "fixable", fix: { from: "usd", to: "USD" } }),
      expect.objectContaining({ column: 5, code: "fixable", fix: { from: "Approved", to: "approved" } }),
      expect.objectContaining({ column: 6, code: "fixable", fix: { from: "yes", to: true } }),
      expect.objectContaining({
        column: 7,
        code: "fixable",
        message: 'created_at "3/18/2026" is read as 2026-03-18',
        fix: { from: "3/18/2026", to: "2026-03-18" },
      }),
    ]);
    expect(result.record).toMatchObject({
      amount_in_cents: 123456,
      currency: "USD",
      status: "approved",
      is_external: true,
      created_at: "2026-03-18",
    });
  });

  it("reads slash dates day first when told to", () => {
    const result = createRowChecker(plan, { normalise: { dayFirst: true } }).check(2, [
      "p1",
      100,
      "Bonus",
      "USD",
      "approved",
      true,
      "4/3/2026",
    ]);
    expect(result.record.created_at).toBe("2026-03-04");
    expect(result.issues.map((i) => i.code)).toEqual(["fixable"]);
  });

  it("without normalise refuses the same cells as before, naming the canonical value as a suggestion", () => {
    const result = createRowChecker(plan).check(2, row);
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => [i.column, i.code, i.severity, i.suggestion])).toEqual([
      [2, "invalid_amount", "error", "123456"],
      [6, "invalid_boolean", "error", "true"],
      [7, "invalid_timestamp", "error", "2026-03-18"],
    ]);
    // Values the strict reader has always taken in another form are still taken silently.
    expect(result.record).toMatchObject({ currency: "USD", status: "approved" });
    expect(result.issues.some((i) => i.code === "fixable")).toBe(false);
  });
});

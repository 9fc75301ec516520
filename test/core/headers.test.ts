import { analyseHeaders, columnLetter, OBJECTS, objectSpec, templateHeaders } from "../../src/core";
import { acmeProgram } from "../fixtures/program";

const alertsOf = (object: string, headers: unknown[], options = {}, hasData: number[] = []) =>
  analyseHeaders(objectSpec(object, options), headers, { columnHasData: (i) => hasData.includes(i) }).alerts;

describe("header analysis", () => {
  it.each([
    ...OBJECTS.filter((o) => o !== "leads" && o !== "deals").map((o) => [o, {}] as const),
    ["partners", { program: acmeProgram }],
    ["leads", { program: acmeProgram, groupKey: "referral" }],
    ["deals", { program: acmeProgram, groupKey: "resellers" }],
    ["leads", {}],
    ["deals", {}],
  ] as const)("a %s template's own headers have no findings", (object, options) => {
    const spec = objectSpec(object, options);
    const plan = analyseHeaders(spec, templateHeaders(spec));
    expect(plan.alerts).toEqual([]);
    expect(plan.blocked).toBe(false);
    expect(plan.columns.map((c) => c.field.name)).toEqual(templateHeaders(spec));
  });

  it("gives rewards a template with one column of each exclusive pair", () => {
    expect(templateHeaders(objectSpec("rewards")).slice(0, 3)).toEqual([
      "partner_key",
      "amount_in_cents",
      "body",
    ]);
  });

  it("blocks on a missing required column", () => {
    const alerts = alertsOf("customers", ["name", "customer_key"]);
    expect(alerts).toEqual([
      expect.objectContaining({ code: "missing_column", field: "email", severity: "error", column: null }),
    ]);
    expect(alerts[0]?.message).toBe("The required column email is missing");
  });

  it("blocks when no column of a one-of group is there", () => {
    const plan = analyseHeaders(objectSpec("transactions"), ["amount"]);
    expect(plan.blocked).toBe(true);
    expect(plan.alerts).toEqual([
      expect.objectContaining({
        code: "one_of_required",
        message: "A column customer_key or customer_email is required; there is neither",
      }),
    ]);
  });

  it("takes either column of a one-of group alone", () => {
    expect(alertsOf("partners", ["partner_email"])).toEqual([]);
    expect(alertsOf("partners", ["partner_key"])).toEqual([]);
    expect(alertsOf("transactions", ["customer_email", "amount"])).toEqual([]);
  });

  it("warns, without blocking, when both columns of an exclusive pair are there", () => {
    const plan = analyseHeaders(objectSpec("rewards"), [
      "partner_email",
      "partner_key",
      "amount_in_cents",
      "body",
    ]);
    expect(plan.blocked).toBe(false);
    expect(plan.alerts).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "exclusive_columns",
        column: 2,
        message: "Both partner_email or partner_key are columns: each row must fill exactly one of them",
      }),
    ]);
  });

  it("blocks on an unknown header and suggests the header meant", () => {
    const alerts = alertsOf("partners", ["partner_emial", "first_nme", "shoe_size"]);
    expect(alerts.map((a) => [a.column, a.code, a.suggestion])).toEqual([
      [1, "unknown_header", "partner_email"],
      [2, "unknown_header", "first_name"],
      [3, "unknown_header", undefined],
      [null, "one_of_required", undefined],
    ]);
    expect(alerts[0]?.message).toBe(
      'column A: "partner_emial" is not a partners header. Did you mean partner_email?',
    );
    expect(alerts[2]?.message).toMatch(
      /"shoe_size" is not a partners header; rename it .* or delete the column/,
    );
  });

  it.each([
    ["partners", "email", "partner_email"],
    ["partners", "Zip", "shipping_address_postal"],
    ["customers", "company", "company_name"],
    ["transactions", "email", "customer_email"],
    ["rewards", "amount", "amount_in_cents"],
    ["deals", "deal_stage", "stage"],
  ])("suggests %s's natural alias %s → %s", (object, header, meant) => {
    const alert = alertsOf(object, [header]).find((a) => a.code === "unknown_header");
    expect(alert?.suggestion).toBe(meant);
    expect(alert?.message).toContain(`Did you mean ${meant}?`);
  });

  it("reads a header written in other case or with spaces as its field, with a warning", () => {
    const plan = analyseHeaders(objectSpec("customers"), ["Email", "Company Name"]);
    expect(plan.blocked).toBe(false);
    expect(plan.columns.map((c) => c.field.name)).toEqual(["email", "company_name"]);
    expect(plan.alerts.map((a) => [a.severity, a.code, a.message])).toEqual([
      ["warning", "header_renamed", 'column A: "Email" is read as email'],
      ["warning", "header_renamed", 'column B: "Company Name" is read as company_name'],
    ]);
  });

  it("blocks on a duplicate header, naming both columns", () => {
    const alerts = alertsOf("customers", ["email", "name", "email"]);
    expect(alerts).toEqual([
      expect.objectContaining({
        column: 3,
        code: "duplicate_header",
        severity: "error",
        message: "email is in columns A and C; keep one",
      }),
    ]);
  });

  it("blocks on a blank header over data, and ignores blank columns with no data", () => {
    expect(alertsOf("customers", ["email", "", "name", ""], {}, [0, 2])).toEqual([]);
    const alerts = alertsOf("customers", ["email", "", "name"], {}, [0, 1]);
    expect(alerts).toEqual([
      expect.objectContaining({
        column: 2,
        code: "blank_header",
        message: "column B has data but no header; name it or delete the column",
      }),
    ]);
  });

  it("takes metadata columns on transactions and checks their keys", () => {
    const plan = analyseHeaders(objectSpec("transactions"), [
      "customer_key",
      "amount",
      "metadata.agreement_number",
      "metadata.bad-key",
      "metadata.this_key_is_longer_than_thirty_chars",
      "metadata.",
    ]);
    expect(plan.columns.map((c) => c.field.name)).toContain("metadata.agreement_number");
    expect(plan.alerts.map((a) => [a.column, a.code])).toEqual([
      [4, "invalid_metadata_key"],
      [5, "invalid_metadata_key"],
      [6, "invalid_metadata_key"],
    ]);
    expect(plan.alerts[0]?.message).toBe(
      'column D: the metadata key "bad-key" must be 1 to 30 letters, digits or _',
    );
  });

  it("refuses metadata columns on other objects", () => {
    expect(alertsOf("customers", ["email", "metadata.x"])[0]).toMatchObject({
      code: "unknown_header",
      message: "column B: metadata columns are for transactions only, not customers",
    });
  });

  it("takes 25 metadata columns and blocks on the 26th", () => {
    const meta = (n: number) => Array.from({ length: n }, (_, i) => `metadata.k${i}`);
    expect(alertsOf("transactions", ["customer_key", "amount", ...meta(25)])).toEqual([]);
    expect(alertsOf("transactions", ["customer_key", "amount", ...meta(26)])).toEqual([
      expect.objectContaining({
        code: "too_many_metadata_columns",
        severity: "error",
        message: "There are 26 metadata columns; a transaction takes at most 25",
      }),
    ]);
  });

  it("says when a header is a lead form field of another group", () => {
    const alerts = alertsOf(
      "leads",
      ["partner_key", "email", "first_name", "last_name", "company_size", "budget"],
      {
        program: acmeProgram,
        groupKey: "resellers",
      },
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        column: 5,
        code: "unknown_header",
        message: 'column E: "company_size" is a lead form field of the group Referral, not of Resellers',
      }),
    ]);
  });

  it("blocks a leads import whose group's required lead field has no column", () => {
    const alerts = alertsOf("leads", ["partner_key", "email", "first_name", "last_name"], {
      program: acmeProgram,
      groupKey: "referral",
    });
    expect(alerts).toEqual([expect.objectContaining({ code: "missing_column", field: "company_size" })]);
  });

  it("warns when a partner field required for new partners has no column", () => {
    const alerts = alertsOf("partners", ["partner_email"], { program: acmeProgram });
    expect(alerts).toEqual([
      expect.objectContaining({ severity: "warning", code: "missing_optional_column", field: "territory" }),
    ]);
  });

  it("names columns as a spreadsheet does", () => {
    expect([1, 26, 27, 52, 53, 702, 703].map(columnLetter)).toEqual([
      "A",
      "Z",
      "AA",
      "AZ",
      "BA",
      "ZZ",
      "AAA",
    ]);
  });
});

describe("results columns (Import status, Imported key)", () => {
  const partners = objectSpec("partners");

  it("are ignored with no alert, even with data, as a column mapped to null is", () => {
    const plan = analyseHeaders(partners, ["partner_email", "Import status", " Imported key "], {
      columnHasData: () => true,
    });
    expect(plan.alerts).toEqual([]);
    expect(plan.ignored).toEqual([2, 3]);
    expect(plan.columns.map((c) => c.field.name)).toEqual(["partner_email"]);
  });

  it("are read as a field when a mapping names them so", () => {
    const plan = analyseHeaders(partners, ["partner_email", "Imported key"], {
      mapping: { "Imported key": "partner_key" },
    });
    expect(plan.ignored).toEqual([]);
    expect(plan.columns.map((c) => c.field.name)).toEqual(["partner_email", "partner_key"]);
  });

  it("are only those two headers: a look-alike is an unknown header", () => {
    const plan = analyseHeaders(partners, ["partner_email", "Import state"]);
    expect(plan.alerts.map((a) => a.code)).toEqual(["unknown_header"]);
  });
});

describe("header analysis with a column mapping", () => {
  const partners = objectSpec("partners");
  const headers = ["Email", "Partner Key", "Joined", "Notes"];
  const mapping = {
    Email: "partner_email",
    "Partner Key": "partner_key",
    " Joined ": "partner_joined_date",
    Notes: null,
  };

  it("reads a mapped header as its field, with no header_renamed alert", () => {
    const plan = analyseHeaders(partners, headers, { mapping, columnHasData: () => true });
    expect(plan.alerts).toEqual([]);
    expect(plan.blocked).toBe(false);
    expect(plan.columns.map((c) => [c.column, c.header, c.field.name])).toEqual([
      [1, "Email", "partner_email"],
      [2, "Partner Key", "partner_key"],
      [3, "Joined", "partner_joined_date"],
    ]);
  });

  it("ignores a column mapped to null even with data, and lists it", () => {
    const plan = analyseHeaders(partners, headers, { mapping, columnHasData: () => true });
    expect(plan.ignored).toEqual([4]);
    expect(plan.columns.some((c) => c.column === 4)).toBe(false);
    const blank = analyseHeaders(partners, ["partner_key", ""], {
      mapping: { "": null },
      columnHasData: () => true,
    });
    expect(blank.alerts).toEqual([]);
    expect(blank.ignored).toEqual([2]);
  });

  it("reads headers the mapping does not name as usual", () => {
    const plan = analyseHeaders(partners, ["Email", "first_name", "Last Name"], {
      mapping: { Email: "partner_email" },
    });
    expect(plan.columns.map((c) => c.field.name)).toEqual(["partner_email", "first_name", "last_name"]);
    expect(plan.alerts.map((a) => a.code)).toEqual(["header_renamed"]);
  });

  it("blocks on a mapping to a field the object lacks, with a did-you-mean", () => {
    const plan = analyseHeaders(partners, ["Email", "Key"], {
      mapping: { Email: "partner_email", Key: "partner_kee" },
    });
    expect(plan.blocked).toBe(true);
    expect(plan.alerts).toEqual([
      expect.objectContaining({
        column: 2,
        severity: "error",
        code: "unknown_field",
        message: 'column B: the mapping reads "Key" as partner_kee, which is not a partners field',
        suggestion: "partner_key",
      }),
    ]);
  });

  it("blocks when two headers are mapped to one field", () => {
    const plan = analyseHeaders(partners, ["Email", "Work Email"], {
      mapping: { Email: "partner_email", "Work Email": "partner_email" },
    });
    expect(plan.alerts).toEqual([
      expect.objectContaining({
        column: 2,
        code: "duplicate_header",
        message: "partner_email is in columns A and B; keep one",
      }),
    ]);
  });

  it("names a required field that no column is mapped to", () => {
    const plan = analyseHeaders(objectSpec("customers"), ["Mail", "Name"], {
      mapping: { Mail: null, Name: "name" },
      columnHasData: () => true,
    });
    expect(plan.alerts).toEqual([
      expect.objectContaining({
        code: "missing_column",
        field: "email",
        message: "The required column email is missing",
      }),
    ]);
  });
});

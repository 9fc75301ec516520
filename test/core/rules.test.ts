import { acmeProgram } from "../fixtures/program";
import { codesByRow, readSheet, rowIssues } from "./check";

const one = (object: Parameters<typeof rowIssues>[0], headers: string[], cells: unknown[], options = {}) =>
  rowIssues(object, headers, cells, options).map((i) => [i.code, i.field, i.severity]);
const record = (object: Parameters<typeof rowIssues>[0], headers: string[], cells: unknown[], options = {}) =>
  readSheet(object, [headers, cells], options).checked[0]?.record;

describe("partners", () => {
  const H = ["partner_email", "partner_key", "partner_joined_date", "tags", "shipping_address_postal"];

  it("needs a partner_email or a partner_key", () => {
    expect(one("partners", H, ["", "", "2020-12-25", "", ""])).toEqual([
      ["one_of_required", "partner_email", "error"],
    ]);
    expect(one("partners", H, ["a@example.com", "", "", "", ""])).toEqual([]);
    expect(one("partners", H, ["", "alpha", "", "", ""])).toEqual([]);
    expect(one("partners", H, ["a@example.com", "alpha", "", "", ""])).toEqual([]);
  });

  it("refuses a cell holding a NUL, half a surrogate pair or U+FFFD as invalid_text, never quoting it", () => {
    for (const bad of ["a\0b", "a\uD800", "\uDC00", "caf\uFFFD"]) {
      const issues = rowIssues("partners", H, ["a@example.com", bad, "", "", ""]);
      expect(issues.map((i) => [i.code, i.column, i.field, i.severity])).toEqual([
        ["invalid_text", 2, "partner_key", "error"],
      ]);
      expect(issues[0]?.message).not.toContain(bad);
    }
    // A whole surrogate pair is one character, and fine.
    expect(one("partners", H, ["a@example.com", "\uD83D\uDE00", "", "", ""])).toEqual([]);
  });

  it("quotes a bad email and says what is expected", () => {
    const [issue] = rowIssues("partners", H, ["dr.jones@", "", "", "", ""]);
    expect(issue).toMatchObject({ code: "invalid_email", row: 2, column: 1, field: "partner_email" });
    expect(issue?.message).toBe(
      'partner_email "dr.jones@" is not a valid email address; expected one like name@example.com',
    );
  });

  it("reads dates as YYYY-MM-DD and refuses other forms", () => {
    expect(one("partners", H, ["a@example.com", "", "2020-02-30", "", ""])).toEqual([
      ["invalid_date", "partner_joined_date", "error"],
    ]);
    expect(rowIssues("partners", H, ["a@example.com", "", "12/25/2020", "", ""])[0]?.message).toBe(
      'partner_joined_date "12/25/2020" is not a date; expected YYYY-MM-DD, e.g. 2020-12-25',
    );
    expect(record("partners", H, ["a@example.com", "", "2024-02-29", "", ""])).toMatchObject({
      partner_joined_date: "2024-02-29",
    });
  });

  it("turns a Date cell into the day it is in the spreadsheet's time zone", () => {
    const midnightInToronto = new Date("2020-12-25T05:00:00Z");
    expect(
      record("partners", H, ["a@example.com", "", midnightInToronto, "", ""], {
        timeZone: "America/Toronto",
      }),
    ).toMatchObject({ partner_joined_date: "2020-12-25" });
    expect(
      record("partners", H, ["a@example.com", "", midnightInToronto, "", ""], { timeZone: "Asia/Tokyo" }),
    ).toMatchObject({ partner_joined_date: "2020-12-25" });
    expect(
      record("partners", H, ["a@example.com", "", new Date("2020-12-25T23:30:00Z"), "", ""], {
        timeZone: "Asia/Tokyo",
      }),
    ).toMatchObject({ partner_joined_date: "2020-12-26" });
  });

  it("splits tags on commas, trimmed, without repeats", () => {
    expect(record("partners", H, ["a@example.com", "", "", " tag1, tag2 ,,tag1 ", ""])).toMatchObject({
      tags: ["tag1", "tag2"],
    });
  });

  it("keeps a postal code as the text it is", () => {
    expect(record("partners", H, ["a@example.com", "", "", "", "02134"])).toMatchObject({
      shipping_address_postal: "02134",
    });
  });

  it("refuses a partner_key or partner_email that is in the file twice", () => {
    const sheet = [
      H,
      ["a@example.com", "k1", "", "", ""],
      ["b@example.com", "k1", "", "", ""],
      ["A@example.com", "", "", "", ""],
    ];
    expect(codesByRow("partners", sheet)).toEqual([[], ["duplicate_in_file"], ["duplicate_in_file"]]);
    expect(readSheet("partners", sheet).issues[0]?.message).toBe(
      'partner_key "k1" is also in row 2; a partner can be in one row of an import only',
    );
  });

  it("checks group_key, tier_key and the program's partner fields", () => {
    const headers = ["partner_key", "group_key", "tier_key", "territory", "region"];
    const options = { program: acmeProgram };
    expect(one("partners", headers, ["p", "referral", "gold", "North", "EMEA"], options)).toEqual([]);
    expect(one("partners", headers, ["p", "nope", "Gold", "East", ""], options)).toEqual([
      ["invalid_choice", "group_key", "error"],
      ["invalid_case", "tier_key", "error"],
      ["invalid_choice", "territory", "error"],
    ]);
    expect(rowIssues("partners", headers, ["p", "nope", "", "", ""], options)[0]?.message).toBe(
      'group_key "nope" is not one of the allowed values; expected one of "default", "referral", "resellers"',
    );
  });

  it("refuses a key with a space in it", () => {
    expect(one("partners", H, ["", "acme corp", "", "", ""])).toEqual([
      ["invalid_key", "partner_key", "error"],
    ]);
  });
});

describe("customers", () => {
  const H = ["email", "customer_key", "partner_key", "created_at", "postal"];

  it("needs an email", () => {
    expect(one("customers", H, ["", "c1", "", "", ""])).toEqual([["required", "email", "error"]]);
    expect(rowIssues("customers", H, ["", "c1", "", "", ""])[0]?.message).toBe(
      "email is required for every customer",
    );
  });

  it("refuses a customer_key or email that is in the file twice", () => {
    const sheet = [
      H,
      ["a@example.com", "c1", "", "", ""],
      ["b@example.com", "c1", "", "", ""],
      ["a@example.com", "c3", "", "", ""],
    ];
    expect(codesByRow("customers", sheet)).toEqual([[], ["duplicate_in_file"], ["duplicate_in_file"]]);
  });

  it("checks created_at and keeps a postal code's leading zero", () => {
    expect(one("customers", H, ["a@example.com", "", "", "yesterday", ""])).toEqual([
      ["invalid_date", "created_at", "error"],
    ]);
    expect(record("customers", H, ["a@example.com", "", "", "", "02134"])).toMatchObject({ postal: "02134" });
  });
});

describe("transactions", () => {
  const H = ["customer_key", "customer_email", "amount", "currency", "key"];

  it("needs a customer_key or customer_email, and an amount", () => {
    expect(one("transactions", H, ["", "", "100", "", ""])).toEqual([
      ["one_of_required", "customer_key", "error"],
    ]);
    expect(one("transactions", H, ["c1", "", "", "", ""])).toEqual([["required", "amount", "error"]]);
  });

  it("takes an amount in whole cents, negative too", () => {
    expect(record("transactions", H, ["c1", "", -2500, "", ""])).toMatchObject({ amount: -2500 });
    expect(record("transactions", H, ["c1", "", "40000", "", ""])).toMatchObject({ amount: 40000 });
  });

  it.each([
    [
      400.5,
      'amount "400.5" is not a whole number of cents; expected digits only, e.g. 40000 for $400.00; did you mean 40050 (cents)?',
    ],
    [
      "400.00",
      'amount "400.00" is not a whole number of cents; expected digits only, e.g. 40000 for $400.00; did you mean 40000 (cents)?',
    ],
    ["$400", 'amount "$400" is not a whole number of cents; expected digits only, e.g. 40000 for $400.00'],
    ["1,000", 'amount "1,000" is not a whole number of cents; expected digits only, e.g. 40000 for $400.00'],
  ])("refuses the amount %p and says why", (amount, message) => {
    const issues = rowIssues("transactions", H, ["c1", "", amount, "", ""]);
    expect(issues.map((i) => [i.code, i.message])).toEqual([["invalid_amount", message]]);
  });

  it("takes ISO 4217 currency codes in any case and refuses others", () => {
    expect(record("transactions", H, ["c1", "", 1, "cad", ""])).toMatchObject({ currency: "CAD" });
    expect(rowIssues("transactions", H, ["c1", "", 1, "XYZ", ""])[0]?.message).toBe(
      'currency "XYZ" is not an ISO 4217 currency code; expected e.g. USD, CAD or EUR',
    );
  });

  it("takes a key of 4 to 255 characters, once per file", () => {
    expect(one("transactions", H, ["c1", "", 1, "", "abc"])).toEqual([["too_short", "key", "error"]]);
    expect(one("transactions", H, ["c1", "", 1, "", "k".repeat(256)])).toEqual([
      ["too_long", "key", "error"],
    ]);
    expect(one("transactions", H, ["c1", "", 1, "", "k".repeat(255)])).toEqual([]);
    expect(codesByRow("transactions", [H, ["c1", "", 1, "", "t-01"], ["c1", "", 1, "", "t-01"]])).toEqual([
      [],
      ["duplicate_in_file"],
    ]);
  });

  it("checks metadata values: empty, text of at most 100 characters, an integer or a decimal", () => {
    const headers = ["customer_key", "amount", "metadata.agreement", "metadata.count", "metadata.rate"];
    expect(record("transactions", headers, ["c1", 1, "A-17", 3, "2.5"])).toMatchObject({
      metadata: { agreement: "A-17", count: 3, rate: "2.5" },
    });
    expect(record("transactions", headers, ["c1", 1, "", "", ""])).not.toHaveProperty("metadata");
    expect(
      record("transactions", ["metadata.ref", "customer_key", "metadata.n", "amount"], ["R-1", "c1", 2, 500]),
    ).toEqual({
      customer_key: "c1",
      amount: 500,
      metadata: { ref: "R-1", n: 2 },
    });
    const issues = rowIssues("transactions", headers, ["c1", 1, "x".repeat(101), 4, 1.5]);
    expect(issues.map((i) => [i.code, i.field])).toEqual([["invalid_metadata_value", "metadata.agreement"]]);
  });
});

describe("rewards", () => {
  const H = [
    "partner_email",
    "partner_key",
    "amount_in_cents",
    "amount_in_dollars",
    "body",
    "target_type",
    "target_key",
  ];
  const ok = ["", "p1", 1000, "", "Bonus", "", ""];
  const row = (changes: Record<number, unknown>) => ok.map((v, i) => (i in changes ? changes[i] : v));

  it("takes exactly one of partner_email and partner_key", () => {
    expect(one("rewards", H, ok)).toEqual([]);
    expect(one("rewards", H, row({ 0: "a@example.com", 1: "" }))).toEqual([]);
    expect(one("rewards", H, row({ 0: "a@example.com" }))).toEqual([
      ["mutually_exclusive", "partner_key", "error"],
    ]);
    expect(one("rewards", H, row({ 1: "" }))).toEqual([["one_of_required", "partner_email", "error"]]);
  });

  it("takes exactly one of amount_in_cents and amount_in_dollars", () => {
    expect(one("rewards", H, row({ 2: "", 3: "10.50" }))).toEqual([]);
    expect(one("rewards", H, row({ 3: "10.50" }))).toEqual([
      ["mutually_exclusive", "amount_in_dollars", "error"],
    ]);
    expect(rowIssues("rewards", H, row({ 3: "10.50" }))[0]?.message).toBe(
      "Fill amount_in_cents or amount_in_dollars, not both",
    );
    expect(one("rewards", H, row({ 2: "" }))).toEqual([["one_of_required", "amount_in_cents", "error"]]);
  });

  it("takes amount_in_dollars with at most 2 decimals", () => {
    expect(record("rewards", H, row({ 2: "", 3: 10.1 }))).toMatchObject({ amount_in_dollars: 10.1 });
    expect(record("rewards", H, row({ 2: "", 3: "7" }))).toMatchObject({ amount_in_dollars: 7 });
    expect(rowIssues("rewards", H, row({ 2: "", 3: "10.005" })).map((i) => [i.code, i.message])).toEqual([
      ["invalid_decimal_places", 'amount_in_dollars "10.005" has more than 2 decimals; expected e.g. 10.25'],
    ]);
    expect(one("rewards", H, row({ 2: "", 3: "ten" }))).toEqual([
      ["invalid_amount", "amount_in_dollars", "error"],
    ]);
  });

  it("needs a body", () => {
    expect(one("rewards", H, row({ 4: "" }))).toEqual([["required", "body", "error"]]);
  });

  it("needs target_key when target_type is set, and target_type when target_key is", () => {
    expect(one("rewards", H, row({ 5: "customer", 6: "c1" }))).toEqual([]);
    expect(rowIssues("rewards", H, row({ 5: "customer" })).map((i) => [i.field, i.message])).toEqual([
      ["target_key", 'target_key is required when target_type is "customer": the customer\'s key'],
    ]);
    expect(one("rewards", H, row({ 6: "c1" }))).toEqual([["required", "target_type", "error"]]);
    expect(one("rewards", H, row({ 5: "order", 6: "o1" }))).toEqual([
      ["invalid_choice", "target_type", "error"],
    ]);
  });

  it("takes created_at as epoch milliseconds or YYYY-MM-DD", () => {
    const headers = ["partner_key", "amount_in_cents", "body", "created_at"];
    expect(record("rewards", headers, ["p1", 1, "b", 1636077035000])).toMatchObject({
      created_at: "2021-11-05T01:50:35.000Z",
    });
    expect(record("rewards", headers, ["p1", 1, "b", "1636077035000"])).toMatchObject({
      created_at: "2021-11-05T01:50:35.000Z",
    });
    expect(record("rewards", headers, ["p1", 1, "b", "2021-11-05"])).toMatchObject({
      created_at: "2021-11-05",
    });
    expect(one("rewards", headers, ["p1", 1, "b", "last week"])).toEqual([
      ["invalid_timestamp", "created_at", "error"],
    ]);
  });

  it("takes status from its list, pending when blank, and is_external as true or false", () => {
    const headers = ["partner_key", "amount_in_cents", "body", "status", "is_external", "currency"];
    expect(record("rewards", headers, ["p1", 1, "b", "Approved", "TRUE", "cad"])).toMatchObject({
      status: "approved",
      is_external: true,
      currency: "CAD",
    });
    expect(record("rewards", headers, ["p1", 1, "b", "", false, ""])).toMatchObject({ is_external: false });
    expect(one("rewards", headers, ["p1", 1, "b", "done", "yes", ""])).toEqual([
      ["invalid_choice", "status", "error"],
      ["invalid_boolean", "is_external", "error"],
    ]);
  });

  it("warns that a decline_reason shows only on a declined reward", () => {
    const headers = ["partner_key", "amount_in_cents", "body", "status", "decline_reason"];
    expect(one("rewards", headers, ["p1", 1, "b", "declined", "Duplicate"])).toEqual([]);
    expect(one("rewards", headers, ["p1", 1, "b", "", "Duplicate"])).toEqual([
      ["ignored_value", "decline_reason", "warning"],
    ]);
    expect(readSheet("rewards", [headers, ["p1", 1, "b", "", "Duplicate"]]).checked[0]?.ok).toBe(true);
  });
});

describe("leads", () => {
  const H = ["partner_key", "email", "first_name", "last_name", "status", "external_key", "company_size"];
  const options = { program: acmeProgram, groupKey: "referral" };

  it("needs partner_key, email, first_name, last_name and the group's required lead fields", () => {
    expect(one("leads", H, ["p1", "joe@example.com", "Joe", "Kirby", "", "", 50], options)).toEqual([]);
    expect(one("leads", H, ["", "", "", "", "", "", ""], options)).toEqual([]); // a blank row is no row
    expect(one("leads", H, ["p1", "", "", "", "open", "", ""], options)).toEqual([
      ["required", "email", "error"],
      ["required", "first_name", "error"],
      ["required", "last_name", "error"],
      ["required", "company_size", "error"],
    ]);
  });

  it("checks the group's lead field types", () => {
    expect(one("leads", H, ["p1", "joe@example.com", "Joe", "Kirby", "", "", "many"], options)).toEqual([
      ["invalid_number", "company_size", "error"],
    ]);
  });

  it("takes status in lower case only, and says it is case sensitive", () => {
    expect(
      record("leads", H, ["p1", "joe@example.com", "Joe", "Kirby", "closed won", "", 5], options),
    ).toMatchObject({
      status: "closed won",
    });
    const [issue] = rowIssues("leads", H, ["p1", "joe@example.com", "Joe", "Kirby", "Open", "", 5], options);
    expect(issue).toMatchObject({ code: "invalid_case", field: "status" });
    expect(issue?.message).toBe('status is case sensitive: write "open", not "Open"');
    expect(one("leads", H, ["p1", "joe@example.com", "Joe", "Kirby", "new", "", 5], options)).toEqual([
      ["invalid_choice", "status", "error"],
    ]);
  });

  it("refuses an external_key that is in the file twice", () => {
    const row = ["p1", "joe@example.com", "Joe", "Kirby", "", "L-1", 5];
    expect(codesByRow("leads", [H, row, row], options)).toEqual([[], ["duplicate_in_file"]]);
  });
});

describe("deals", () => {
  const H = ["amount", "close_date", "external_key", "stage", "partner_key"];
  const options = { program: acmeProgram, groupKey: "resellers" };

  it("needs amount, close_date, external_key and stage", () => {
    expect(one("deals", H, [10000, "2020-12-25", "d1", "Working", ""], options)).toEqual([]);
    expect(one("deals", H, ["", "", "", "", "p1"], options)).toEqual([
      ["required", "amount", "error"],
      ["required", "close_date", "error"],
      ["required", "external_key", "error"],
      ["required", "stage", "error"],
    ]);
  });

  it("takes an amount in whole cents", () => {
    expect(one("deals", H, [100.25, "2020-12-25", "d1", "Working", ""], options)).toEqual([
      ["invalid_amount", "amount", "error"],
    ]);
  });

  it("takes a stage of the group's stages", () => {
    expect(record("deals", H, [1, "2020-12-25", "d1", "closed won", ""], options)).toMatchObject({
      stage: "Closed won",
    });
    expect(rowIssues("deals", H, [1, "2020-12-25", "d1", "Won", ""], options)[0]?.message).toBe(
      'stage "Won" is not one of the allowed values; expected one of "Working", "Negotiation", "Closed won", "Closed lost"',
    );
  });

  it("refuses an external_key that is in the file twice", () => {
    const row = [1, "2020-12-25", "d1", "Working", ""];
    expect(codesByRow("deals", [H, row, row], options)).toEqual([[], ["duplicate_in_file"]]);
  });
});

describe("any object", () => {
  it("gives a row with every cell blank no issues and marks it blank", () => {
    const { checked } = readSheet("customers", [
      ["email", "name"],
      ["", "  "],
    ]);
    expect(checked[0]).toMatchObject({ blank: true, ok: true, issues: [] });
  });

  it("marks a row with only warnings as fit to import", () => {
    const { checked } = readSheet("rewards", [
      ["partner_key", "amount_in_cents", "body", "decline_reason"],
      ["p", 1, "b", "x"],
    ]);
    expect(checked[0]?.ok).toBe(true);
    expect(checked[0]?.issues).toHaveLength(1);
  });
});

describe("a key or postal code Sheets holds as a number", () => {
  // Typed into an Automatic cell, 02134 becomes the number 2134: the zero is gone before we read it.
  it("is warned about on its cell, naming the column and saying what to do, and still imported", () => {
    const H = ["email", "customer_key", "partner_key", "created_at", "postal"];
    const issues = rowIssues("customers", H, ["a@example.com", 7, 12, "", 2134]);
    expect(issues.map((i) => [i.code, i.field, i.column, i.severity])).toEqual([
      ["number_in_text_column", "customer_key", 2, "warning"],
      ["number_in_text_column", "partner_key", 3, "warning"],
      ["number_in_text_column", "postal", 5, "warning"],
    ]);
    expect(issues[2]?.message).toBe(
      'postal "2134" is held by Sheets as a number, so leading zeros may be lost (02134 becomes 2134): format column E as plain text (Format > Number > Plain text) and retype the values that had them',
    );
    const { checked } = readSheet("customers", [H, ["a@example.com", 7, 12, "", 2134]]);
    expect(checked[0]).toMatchObject({ ok: true, record: { customer_key: "7", postal: "2134" } });
  });

  it("covers every key a row is matched by, and shipping_address_postal; text and other numbers are fine", () => {
    const codes = (
      object: Parameters<typeof rowIssues>[0],
      headers: string[],
      cells: unknown[],
      options = {},
    ) =>
      rowIssues(object, headers, cells, options)
        .filter((i) => i.code === "number_in_text_column")
        .map((i) => i.field);
    expect(codes("partners", ["partner_key", "shipping_address_postal"], [42, 2134])).toEqual([
      "partner_key",
      "shipping_address_postal",
    ]);
    expect(codes("partners", ["partner_key", "shipping_address_postal"], ["0042", "02134"])).toEqual([]);
    expect(codes("transactions", ["customer_key", "amount", "key"], ["c", 1000, 12345])).toEqual(["key"]);
    expect(
      codes(
        "rewards",
        ["partner_key", "amount_in_cents", "body", "key", "target_type", "target_key"],
        ["p", 100, "b", "rwd_1", "transaction", 987],
      ),
    ).toEqual(["target_key"]);
  });

  it("a warning on a cell does not hide a rule across the row (the cell still counts as filled)", () => {
    // partner_key is one of partner_email or partner_key: a number there still fills it.
    expect(one("partners", ["partner_email", "partner_key"], ["", 42])).toEqual([
      ["number_in_text_column", "partner_key", "warning"],
    ]);
  });
});

import {
  guessHeaderRow,
  guessObject,
  mappingFromProposal,
  missingRequired,
  OBJECTS,
  objectSpec,
  proposeMapping,
} from "../../src/core";
import { acmeProgram } from "../fixtures/program";

const partners = objectSpec("partners");
const brief = (proposed: ReturnType<typeof proposeMapping>) =>
  proposed.map((p) => [p.header, p.field, p.how]);

describe("proposeMapping", () => {
  it("maps a CRM export's headers by exact name, folded name, alias and near spelling", () => {
    const proposed = proposeMapping(partners, [
      "partner_email",
      " Partner Key ",
      "Joined",
      "Frist Name",
      "Notes",
      null,
    ]);
    expect(proposed).toEqual([
      { column: 1, header: "partner_email", field: "partner_email", how: "exact" },
      { column: 2, header: "Partner Key", field: "partner_key", how: "renamed" },
      { column: 3, header: "Joined", field: "partner_joined_date", how: "alias" },
      { column: 4, header: "Frist Name", field: "first_name", how: "suggested" },
      { column: 5, header: "Notes", field: null, how: "unknown" },
      { column: 6, header: "", field: null, how: "unknown" },
    ]);
  });

  it("proposes no field for the add-on's results columns, whose names resemble key fields", () => {
    expect(brief(proposeMapping(partners, ["partner_email", "Import status", "Imported key"]))).toEqual([
      ["partner_email", "partner_email", "exact"],
      ["Import status", null, "unknown"],
      ["Imported key", null, "unknown"],
    ]);
  });

  it("maps Email by its alias", () => {
    expect(brief(proposeMapping(partners, ["Email"]))).toEqual([["Email", "partner_email", "alias"]]);
  });

  it("takes the saved mapping first, for the headers it names", () => {
    const proposed = proposeMapping(partners, ["Email", "Notes", "Key"], {
      " Notes ": null,
      Email: "partner_email",
      Key: "last_name",
    });
    expect(brief(proposed)).toEqual([
      ["Email", "partner_email", "saved"],
      ["Notes", null, "saved"],
      ["Key", "last_name", "saved"],
    ]);
  });

  it("proposes afresh for a saved field the object no longer has", () => {
    const proposed = proposeMapping(partners, ["Email"], { Email: "shoe_size" });
    expect(brief(proposed)).toEqual([["Email", "partner_email", "alias"]]);
  });

  it("gives a field to one column only: the strongest claim, then the leftmost", () => {
    const proposed = proposeMapping(partners, ["Email", "partner_emial", "partner_email", "E-mail", "email"]);
    expect(brief(proposed)).toEqual([
      ["Email", null, "unknown"],
      ["partner_emial", null, "unknown"],
      ["partner_email", "partner_email", "exact"],
      ["E-mail", null, "unknown"],
      ["email", null, "unknown"],
    ]);
    const twice = proposeMapping(partners, ["Joined", "Join Date"]);
    expect(brief(twice)).toEqual([
      ["Joined", "partner_joined_date", "alias"],
      ["Join Date", null, "unknown"],
    ]);
  });

  it("maps a transaction's metadata headers to themselves", () => {
    const proposed = proposeMapping(objectSpec("transactions"), [
      "customer_key",
      "metadata.ref",
      "Metadata.plan",
    ]);
    expect(brief(proposed)).toEqual([
      ["customer_key", "customer_key", "exact"],
      ["metadata.ref", "metadata.ref", "exact"],
      ["Metadata.plan", "metadata.plan", "renamed"],
    ]);
    expect(proposeMapping(partners, ["metadata.ref"])[0]?.field).toBeNull();
  });

  it("knows a program's custom fields", () => {
    const spec = objectSpec("partners", { program: acmeProgram });
    expect(brief(proposeMapping(spec, ["Territory"]))).toEqual([["Territory", "territory", "renamed"]]);
  });
});

describe("mappingFromProposal", () => {
  it("maps each header to its field or null, the first column of a repeated header deciding", () => {
    const proposed = proposeMapping(partners, ["Email", "Partner Key", "Notes", "", "Notes"]);
    expect(mappingFromProposal(proposed)).toEqual({
      Email: "partner_email",
      "Partner Key": "partner_key",
      Notes: null,
      "": null,
    });
  });
});

describe("missingRequired", () => {
  it("names required fields and one-of groups with no field among those mapped", () => {
    expect(missingRequired(objectSpec("customers"), ["name"])).toEqual(["email"]);
    expect(missingRequired(partners, ["first_name"])).toEqual(["partner_email or partner_key"]);
    expect(missingRequired(partners, ["partner_key"])).toEqual([]);
    expect(missingRequired(objectSpec("transactions"), new Set(["customer_email"]))).toEqual(["amount"]);
  });
});

describe("guessObject", () => {
  const specs = OBJECTS.map((o) =>
    objectSpec(o, o === "leads" ? {} : o === "deals" ? {} : { program: acmeProgram }),
  );

  it("picks the object whose fields the headers name most", () => {
    expect(guessObject(["Email", "Partner Key", "Joined", "Notes"], specs)).toBe("partners");
    expect(guessObject(["customer_key", "amount", "currency", "metadata.ref"], specs)).toBe("transactions");
    expect(guessObject(["external_key", "stage", "close_date"], specs)).toBe("deals");
    expect(guessObject(["partner_key", "amount_in_cents", "body"], specs)).toBe("rewards");
  });

  it("gives ties to the first object and null when no header names a field", () => {
    expect(guessObject(["email"], specs)).toBe("partners");
    expect(guessObject(["email"], [...specs].reverse())).toBe("partners");
    expect(guessObject(["Notes", "", null], specs)).toBeNull();
    expect(guessObject([], specs)).toBeNull();
  });
});

describe("guessHeaderRow", () => {
  it("finds the headers under a title row and a blank line", () => {
    const rows = [
      ["Partner export, March 2026"],
      [],
      ["Email", "Partner Key", "Joined", "Notes"],
      ["bryn@example.com", "bryn", "3/18/2026", "met at a fair"],
    ];
    expect(guessHeaderRow(rows, partners)).toBe(2);
  });

  it("prefers the row naming most fields over a wider row of data", () => {
    const rows = [
      ["Email", "Key"],
      ["a@b.co", "ab", "extra", "more"],
    ];
    expect(guessHeaderRow(rows, partners)).toBe(0);
  });

  it("without a spec or a named field, takes the first row with the most cells", () => {
    const rows = [["Report"], ["", "A", "B", "C"], ["1", "2", "3", ""], ["x", "y", "", "z"]];
    expect(guessHeaderRow(rows, null)).toBe(1);
    expect(guessHeaderRow(rows, partners)).toBe(1);
  });

  it("looks at the first 10 rows with anything in them", () => {
    const rows = [...Array.from({ length: 10 }, (_, i) => [`title ${i}`]), ["Email", "Partner Key"]];
    expect(guessHeaderRow(rows, partners)).toBe(0);
    const spaced = [[], [], ["Email", "Partner Key"]];
    expect(guessHeaderRow(spaced, partners)).toBe(2);
  });

  it("gives 0 for an empty sheet", () => {
    expect(guessHeaderRow([], partners)).toBe(0);
    expect(guessHeaderRow([[], ["", null]], null)).toBe(0);
  });
});

import { OBJECTS, objectSpec, resolveObject, SpecError, templateColumns } from "../../src/core";
import { acmeProgram } from "../fixtures/program";

describe("objects", () => {
  it("takes the six objects, however a person writes them", () => {
    expect(OBJECTS).toEqual(["partners", "customers", "transactions", "rewards", "leads", "deals"]);
    expect(resolveObject("Partners")).toBe("partners");
    expect(resolveObject("deal")).toBe("deals");
    expect(resolveObject(" Transactions ")).toBe("transactions");
  });

  it.each(["Partner Teams", "partner_teams", "partner team", "Actions", "action"])(
    "refuses %s and lists what can be imported",
    (name) => {
      expect(() => resolveObject(name)).toThrow(SpecError);
      expect(() => resolveObject(name)).toThrow(
        /cannot be imported\. The importer takes: partners, customers, transactions, rewards, leads, deals\./,
      );
    },
  );

  it("names an unknown object and lists what can be imported", () => {
    expect(() => resolveObject("orders")).toThrow(
      /"orders" is not an object the importer takes.*partners, customers/,
    );
  });
});

describe("the catalogue", () => {
  const names = (object: string, options = {}) => objectSpec(object, options).fields.map((f) => f.name);

  it("holds every field of DESIGN.md's table, required ones marked", () => {
    const required = (object: string, options = {}) =>
      templateColumns(objectSpec(object, options))
        .filter((c) => c.required)
        .map((c) => c.name);
    expect(names("partners")).toEqual([
      "partner_email",
      "partner_key",
      "first_name",
      "last_name",
      "partner_joined_date",
      "group_key",
      "tier_key",
      "tags",
      "shipping_address_line1",
      "shipping_address_line2",
      "shipping_address_city",
      "shipping_address_state",
      "shipping_address_postal",
      "shipping_address_country",
    ]);
    expect(required("partners")).toEqual(["partner_email", "partner_key"]);
    expect(names("customers")).toEqual([
      "email",
      "customer_key",
      "partner_key",
      "name",
      "created_at",
      "company_name",
      "state",
      "unit",
      "postal",
    ]);
    expect(required("customers")).toEqual(["email"]);
    expect(names("transactions")).toEqual([
      "customer_key",
      "customer_email",
      "amount",
      "currency",
      "key",
      "created_at",
      "category_key",
      "product_key",
    ]);
    expect(required("transactions")).toEqual(["customer_key", "customer_email", "amount"]);
    expect(names("rewards")).toEqual([
      "partner_email",
      "partner_key",
      "amount_in_cents",
      "amount_in_dollars",
      "body",
      "target_type",
      "target_key",
      "created_at",
      "currency",
      "status",
      "decline_reason",
      "is_external",
      "key",
    ]);
    expect(required("rewards")).toEqual([
      "partner_email",
      "partner_key",
      "amount_in_cents",
      "amount_in_dollars",
      "body",
    ]);
    expect(names("leads")).toEqual([
      "partner_key",
      "email",
      "first_name",
      "last_name",
      "status",
      "external_key",
    ]);
    expect(required("leads")).toEqual(["partner_key", "email", "first_name", "last_name"]);
    expect(names("deals")).toEqual([
      "amount",
      "close_date",
      "external_key",
      "stage",
      "partner_key",
      "account_name",
      "contact_first_name",
      "contact_last_name",
      "created_at",
    ]);
    expect(required("deals")).toEqual(["amount", "close_date", "external_key", "stage"]);
  });

  it("describes every column with a type, an example and a description", () => {
    for (const object of OBJECTS)
      for (const c of templateColumns(objectSpec(object))) {
        expect(c.example).not.toBe("");
        expect(c.description.length).toBeGreaterThan(5);
        expect(c.typeLabel).toBeTruthy();
      }
  });

  it("states one-of and exclusive requirements in words", () => {
    const rewards = templateColumns(objectSpec("rewards"));
    expect(rewards.find((c) => c.name === "partner_email")?.requirementText).toBe(
      "required: this or partner_key, not both",
    );
    const partners = templateColumns(objectSpec("partners"));
    expect(partners.find((c) => c.name === "partner_key")?.requirementText).toBe(
      "required: this or partner_email",
    );
  });

  it("formats key and postal columns as text and date columns as dates", () => {
    const cols = templateColumns(objectSpec("customers"));
    const format = (n: string) => cols.find((c) => c.name === n)?.format;
    expect(format("customer_key")).toBe("text");
    expect(format("postal")).toBe("text");
    expect(format("created_at")).toBe("date");
    expect(format("name")).toBe("automatic");
  });
});

describe("the catalogue extended by program data", () => {
  it("adds the program's partner fields, required only to create a partner", () => {
    const spec = objectSpec("partners", { program: acmeProgram });
    const cols = templateColumns(spec);
    expect(cols.map((c) => c.name).slice(-2)).toEqual(["region", "territory"]);
    expect(cols.find((c) => c.name === "territory")).toMatchObject({
      requirement: "required_on_create",
      required: false,
      options: ["North", "South"],
    });
  });

  it("offers the program's groups and tiers as the values of group_key and tier_key", () => {
    const cols = templateColumns(objectSpec("partners", { program: acmeProgram }));
    expect(cols.find((c) => c.name === "group_key")?.options).toEqual(["default", "referral", "resellers"]);
    expect(cols.find((c) => c.name === "tier_key")?.options).toEqual(["gold"]);
  });

  it("adds the chosen group's lead form fields to leads", () => {
    const names = objectSpec("leads", { program: acmeProgram, groupKey: "referral" }).fields.map(
      (f) => f.name,
    );
    expect(names).toContain("company_size");
    expect(names).toContain("industry");
    expect(names).not.toContain("budget");
  });

  it("takes the chosen group's deal stages as the values of stage", () => {
    const stage = objectSpec("deals", { program: acmeProgram, groupKey: "resellers" }).byName.get("stage");
    expect(stage?.options).toEqual(["Working", "Negotiation", "Closed won", "Closed lost"]);
  });

  it.each([
    ["leads", undefined, "group_required", /choose a group \(groups with leads: referral, resellers\)/],
    ["leads", "nope", "unknown_group", /no group "nope"/],
    ["leads", "default", "group_feature_disabled", /"Default" does not have leads enabled/],
    ["deals", "referral", "group_feature_disabled", /"Referral" does not have deals enabled.*resellers/],
  ])("a %s import into group %s fails with %s", (object, groupKey, code, message) => {
    try {
      objectSpec(object, { program: acmeProgram, groupKey });
      throw new Error("expected a SpecError");
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).code).toBe(code);
      expect((e as SpecError).message).toMatch(message);
    }
  });
});

import { engines, importRows, startTestService, type TestService } from "./harness";

describe.each(engines())("partners (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = ["partner_email", "partner_key", "first_name", "tags", "territory", "region"];
  const stored = async (key: string) => (await s.call("GET", `/v1/partners?key=${key}`)).body.data[0];

  it("creates partners, then updates them matched by key, else by email", async () => {
    const first = await importRows(s, "partners", H, [
      ["ada@example.com", "ada", "Ada", "gold", "North", ""],
      ["bryn@example.com", "", "Bryn", "", "South", ""],
    ]);
    expect(first.results.map((r) => [r.outcome, r.issues])).toEqual([
      ["created", []],
      ["created", []],
    ]);
    expect(first.results[1].object_key).toMatch(/^bryn-[0-9a-f]{6}$/);
    const second = await importRows(s, "partners", H, [
      ["", "ada", "Ada L.", "", "", "EMEA"],
      ["bryn@example.com", "", "Bryn J.", "", "", ""],
    ]);
    expect(second.results.map((r) => r.outcome)).toEqual(["updated", "updated"]);
    expect(await stored("ada")).toMatchObject({
      first_name: "Ada L.",
      partner_email: "ada@example.com",
      fields: { territory: "North", region: "EMEA" },
    });
  });

  it("merges two rows that reach one partner, the later winning", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "Ada", "", "North", ""]]);
    const { results } = await importRows(s, "partners", H, [
      ["", "ada", "First", "one", "", "EMEA"],
      ["ada@example.com", "nokey", "Second", "two", "", ""],
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["updated", "updated"]);
    expect(await stored("ada")).toMatchObject({
      first_name: "Second",
      tags: ["one", "two"],
      fields: { region: "EMEA" },
    });
  });

  it("adds tags and never removes one", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "", "gold, emea", "North", ""]]);
    await importRows(s, "partners", H, [["", "ada", "", "saas, gold", "", ""]]);
    expect((await stored("ada")).tags).toEqual(["gold", "emea", "saas"]);
  });

  it("leaves stored values alone where a cell is blank", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "Ada", "", "North", "EMEA"]]);
    await importRows(s, "partners", H, [["", "ada", "", "", "", ""]]);
    expect(await stored("ada")).toMatchObject({
      first_name: "Ada",
      fields: { territory: "North", region: "EMEA" },
    });
  });

  it("skips a row whose key and email name two different partners", async () => {
    await importRows(s, "partners", H, [
      ["ada@example.com", "ada", "", "", "North", ""],
      ["bryn@example.com", "bryn", "", "", "North", ""],
    ]);
    const { results } = await importRows(s, "partners", H, [["bryn@example.com", "ada", "X", "", "", ""]]);
    expect(results[0]).toMatchObject({
      outcome: "skipped",
      issues: [expect.objectContaining({ code: "partner_conflict" })],
    });
    expect((await stored("ada")).first_name).toBeNull();
  });

  it("needs an email to create a partner, and the partner fields required for new partners", async () => {
    const { results } = await importRows(s, "partners", H, [
      ["", "newkey", "", "", "North", ""],
      ["new@example.com", "new2", "", "", "", ""],
    ]);
    expect(results.map((r) => [r.outcome, r.issues.map((i: { code: string }) => i.code)])).toEqual([
      ["skipped", ["partner_email_required"]],
      ["skipped", ["required"]],
    ]);
  });

  it("queues an invite for each created partner when send_invites is on, and sends it", async () => {
    await importRows(s, "partners", H, [["ada@example.com", "ada", "", "", "North", ""]], {
      send_invites: true,
    });
    await importRows(s, "partners", H, [["bob@example.com", "bob", "", "", "North", ""]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.mail.map((m) => m.to)).toEqual(["ada@example.com"]);
    expect(s.mail[0]?.subject).toBe("You're invited to Acme Partners");
  });
});

// Import asks first: what the confirmation (reviewImport) shows before any row is sent, and the import it
// lets start. The real bundle in the emulator against a real service.
import type { ImportReview } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, importFirst } from "./asPerson";
import { call, loadAddonFor, runImport, startService, type TestService } from "./harness";

let service: TestService;
const hosts: AddonHost[] = [];

beforeAll(async () => {
  service = await startService();
  await importFirst(service, "partners", null, [
    ["partner_email", "partner_key"],
    ["cf@example.com", "P-cf"],
  ]);
}, 60_000);

afterAll(async () => {
  for (const host of hosts) await host.close();
  await service?.stop();
});

/** How many imports (dry runs included) the service has been asked to start. */
const imports = async () => (await service.get("/v1/imports?limit=100")).data.length;

/** A spreadsheet of its own whose first sheet holds `rows` (header first), and the add-on on it. */
function sheetWith(rows: string[][]): { workbook: Workbook; host: AddonHost } {
  const workbook = new Workbook();
  writeRows(workbook, workbook.activeSheet, 1, 1, rows);
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  return { workbook, host };
}

const REWARDS = [
  ["partner_key", "amount_in_cents", "body", "currency"],
  ["P-cf", "1000", "Launch bonus", "EUR"],
  ["P-cf", "2500", "Referral", "CAD"],
  ["P-cf", "300", "Spiff", ""],
];

describe("the confirmation", () => {
  test("names the object, sheet, rows (blank ones not counted) and invite emails, and sends nothing", async () => {
    const { host } = sheetWith([
      ["partner_email", "partner_key"],
      ["a@confirm.test", "cf-a"],
      ["", ""],
      ["b@confirm.test", "cf-b"],
    ]);
    const before = await imports();
    const review = call<ImportReview>(host, "reviewImport", choiceOf("partners", null, true));
    expect(review).toMatchObject({
      choice: { object: "partners", groupKey: null, sendInvites: true, allowRepeats: false },
      label: "Partners",
      sheetName: "Sheet1",
      rows: 2,
      groupName: null,
      dryRun: null,
    });
    expect(await imports()).toBe(before);
    expect(call(host, "loadSidebar").activeImport).toBeNull();
  });

  test("names the group of a leads import by its name", () => {
    const { host } = sheetWith([
      ["partner_key", "email", "first_name", "last_name", "company_size"],
      ["P-cf", "lead@confirm.test", "Li", "Ng", "40"],
    ]);
    expect(call<ImportReview>(host, "reviewImport", choiceOf("leads", "referral"))).toMatchObject({
      choice: { object: "leads", groupKey: "referral" },
      groupName: "Referral partners",
      rows: 1,
    });
  });

  test("refuses a header row with errors, as the import would", () => {
    const { host } = sheetWith([
      ["partner_key", "amount_in_cents", "bodyy"],
      ["P-cf", "100", "x"],
    ]);
    expect(() => call(host, "reviewImport", choiceOf("rewards"))).toThrow(
      'The header row needs fixing before anything is imported: column C: "bodyy" is not a rewards header. Did you mean body? The required column body is missing. Validate shows it in the sheet.',
    );
  });

  test("shows the dry run of the same unchanged rows and options, with the US cents it would issue; a changed cell, other options or the import itself drop it", async () => {
    const { workbook, host } = sheetWith(REWARDS);
    const rewards = choiceOf("rewards");
    expect(call<ImportReview>(host, "reviewImport", rewards).dryRun).toBeNull();

    const dry = runImport(host, rewards, true);
    expect(dry).toMatchObject({ status: "completed", counts: { created: 3, skipped: 0 } });
    const review = call<ImportReview>(host, "reviewImport", rewards);
    expect(review.dryRun).toEqual({
      importId: dry.importId,
      finishedAt: expect.any(String),
      counts: { created: 3, updated: 0, skipped: 0, repeats: 0 },
      // 1000 EUR cents at 1.08, 2500 CAD at 0.72, 300 USD.
      issuedUsdCents: 1080 + 1800 + 300,
      // Rewards are only created: no stored value changes.
      changeCounts: [],
    });
    expect(Number.isNaN(Date.parse(review.dryRun?.finishedAt ?? ""))).toBe(false);

    // Importing repeats would change what the dry run counted.
    expect(
      call<ImportReview>(host, "reviewImport", choiceOf("rewards", null, false, true)).dryRun,
    ).toBeNull();

    // A changed cell: the dry run was of other rows. Put back, the rows are the ones it counted.
    writeRows(workbook, workbook.activeSheet, 3, 2, [["2600"]]);
    const changed = call<ImportReview>(host, "reviewImport", rewards);
    expect(changed.dryRun).toBeNull();
    expect(changed.fingerprint).not.toBe(review.fingerprint);
    writeRows(workbook, workbook.activeSheet, 3, 2, [["2500"]]);
    expect(call<ImportReview>(host, "reviewImport", rewards)).toEqual(review);

    // A row added below is a change too.
    writeRows(workbook, workbook.activeSheet, 5, 1, [["P-cf", "50", "Extra"]]);
    expect(call<ImportReview>(host, "reviewImport", rewards)).toMatchObject({ rows: 4, dryRun: null });
    writeRows(workbook, workbook.activeSheet, 5, 1, [["", "", ""]]);

    const done = runImport(host, rewards);
    expect(done).toMatchObject({ status: "completed", dryRun: false, counts: { created: 3 } });
    // What the dry run counted has been done: its figures are no longer what an import would do.
    expect(call<ImportReview>(host, "reviewImport", rewards).dryRun).toBeNull();
  });

  test("rows changed after the confirmation are refused before anything reaches the service", async () => {
    const { workbook, host } = sheetWith([
      ["partner_email", "partner_key"],
      ["c@confirm.test", "cf-c"],
    ]);
    const partners = choiceOf("partners");
    const review = call<ImportReview>(host, "reviewImport", partners);
    writeRows(workbook, workbook.activeSheet, 2, 2, [["cf-changed"]]);
    const before = await imports();
    expect(() => call(host, "startImport", partners, false, review.fingerprint)).toThrow(
      'The rows of "Sheet1" changed after you asked to import them, so nothing was sent. Press Import to see them as they are now.',
    );
    expect(await imports()).toBe(before);
    expect(call(host, "loadSidebar").activeImport).toBeNull();

    // Confirmed as they are now, they are imported.
    const again = call<ImportReview>(host, "reviewImport", partners);
    let progress = call(host, "startImport", partners, false, again.fingerprint);
    while (progress.status === "running") progress = call(host, "continueImport");
    expect(progress).toMatchObject({ status: "completed", counts: { created: 1 } });
    expect((await service.get("/v1/partners?key=cf-changed")).data).toHaveLength(1);
  });
});

describe("a dry run of rewards under way", () => {
  test("shows the US cents it would issue so far after each call, before it finishes, though chunk answers list only the rows with issues", () => {
    // 6,000 rewards of 250 CAD cents (180 US cents): the first call sends 5 chunks of 1,000 rows, not all.
    const rows = Array.from({ length: 6_000 }, (_, i) => ["P-cf", "250", `Spiff ${i}`, "CAD"]);
    const { host } = sheetWith([REWARDS[0] as string[], ...rows]);
    const choice = choiceOf("rewards");
    const first = call(host, "startImport", choice, true, null);
    expect(first).toMatchObject({ status: "running", rowsSent: 5_000, issuedUsdCents: 5_000 * 180 });
    let progress = first;
    while (progress.status === "running") progress = call(host, "continueImport");
    expect(progress).toMatchObject({ status: "completed", issuedUsdCents: 6_000 * 180 });
  }, 120_000);
});

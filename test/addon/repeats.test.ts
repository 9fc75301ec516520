// Never paid twice: the same rewards sheet imported again through the real bundle, against a real service.
// Rows that match rewards an earlier import created are skipped and say which import that was; the
// sidebar's `Import rows that match earlier imports` creates them again; a dry run counts them first.
import type { Finding } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, importFirst, sheetOf } from "./asPerson";
import { call, loadAddonFor, runImport, startService, type TestService } from "./harness";

let service: TestService;
const hosts: AddonHost[] = [];

beforeAll(async () => {
  service = await startService();
  await importFirst(service, "partners", null, [
    ["partner_email", "partner_key"],
    ["rp@example.com", "P-rp"],
    ["dup@example.com", "P-dup"],
  ]);
}, 60_000);

afterAll(async () => {
  for (const host of hosts) await host.close();
  await service?.stop();
});

const REWARDS = [
  ["partner_key", "amount_in_cents", "body", "currency", "created_at"],
  ["P-rp", "1000", "Launch bonus", "EUR", "2026-01-05"],
  ["P-rp", "2500", "Referral", "CAD", "2026-01-06"],
  ["P-rp", "300", "Spiff", "", "2026-01-07"],
];
/** 1000 EUR cents at 1.08, 2500 CAD at 0.72, 300 USD. */
const REWARDS_USD_CENTS = 1080 + 1800 + 300;

const rewards = choiceOf("rewards");
const rewardsAgain = choiceOf("rewards", null, false, true);

/** The rewards the service stores for a partner (GET /v1/rewards?key= matches the partner's key). */
async function storedRewards(partnerKey: string): Promise<{ body: string; amount_usd_cents: number }[]> {
  return (await service.get(`/v1/rewards?limit=100&key=${partnerKey}`)).data;
}

/** The report tab's lines: [source row, outcome, key, messages]. */
function reportLines(workbook: Workbook, tab: string): unknown[][] {
  const values = sheetOf(workbook, tab).getDataRange().getValues();
  return values.slice(1).flatMap((line) => (line[0] === "" ? [] : [line.slice(0, 4)]));
}

function reportSummary(workbook: Workbook, tab: string): Record<string, unknown> {
  const values = sheetOf(workbook, tab).getDataRange().getValues();
  const summary: Record<string, unknown> = {};
  // The summary's two columns are the tab's last, after the table (as wide as the rows' cells) and a blank.
  const at = (values[0]?.length ?? 7) - 2;
  for (const line of values)
    if (line[at] !== "" && line[at] !== undefined) summary[String(line[at])] = line[at + 1];
  return summary;
}

describe("the same rewards sheet imported twice", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  let first: { importId: string; reportSheet: string };

  beforeAll(() => {
    writeRows(workbook, workbook.activeSheet, 1, 1, REWARDS);
    host = loadAddonFor({ url: service.url, workbook });
    hosts.push(host);
  });

  test("the first import creates every row and pays them", async () => {
    const done = runImport(host, rewards);
    expect(done).toMatchObject({
      status: "completed",
      counts: { created: 3, updated: 0, skipped: 0, repeats: 0 },
      issuedUsdCents: REWARDS_USD_CENTS,
    });
    first = done;
    expect(await storedRewards("P-rp")).toHaveLength(3);
  });

  test("a dry run of the same sheet counts every row a repeat that would be skipped, pays nothing, and stores nothing", async () => {
    const dry = runImport(host, rewards, true);
    expect(dry).toMatchObject({
      status: "completed",
      dryRun: true,
      allowRepeats: false,
      counts: { created: 0, updated: 0, skipped: 3, repeats: 3 },
      issuedUsdCents: 0,
    });
    expect(dry.skippedFindings.map((f: Finding) => [f.row, f.code])).toEqual([
      [2, "already_imported"],
      [3, "already_imported"],
      [4, "already_imported"],
    ]);
    for (const finding of dry.skippedFindings) expect(finding.message).toContain(first.importId);
    // The confirmation shows what this dry run found.
    expect(call(host, "reviewImport", rewards).dryRun).toMatchObject({
      importId: dry.importId,
      counts: { created: 0, skipped: 3, repeats: 3 },
      issuedUsdCents: 0,
    });
    expect(await storedRewards("P-rp")).toHaveLength(3);
  });

  test("imported again it creates nothing, and every row's report message names the import that created it and its row", async () => {
    const again = runImport(host, rewards);
    expect(again).toMatchObject({
      status: "completed",
      counts: { created: 0, updated: 0, skipped: 3, repeats: 3 },
      issuedUsdCents: 0,
    });
    expect(await storedRewards("P-rp")).toHaveLength(3);

    const lines = reportLines(workbook, again.reportSheet);
    expect(lines.map((line) => line.slice(0, 2))).toEqual([
      [2, "skipped"],
      [3, "skipped"],
      [4, "skipped"],
    ]);
    const firstImport = await service.get(`/v1/imports/${first.importId}`);
    for (const [row, , , messages] of lines) {
      expect(String(messages)).toMatch(/^error: /);
      expect(String(messages)).toContain(first.importId);
      expect(String(messages)).toContain(firstImport.user);
      expect(String(messages)).toMatch(new RegExp(`\\brow ${row}\\b`));
    }
    expect(reportSummary(workbook, again.reportSheet)).toMatchObject({ Created: 0, Skipped: 3, Repeats: 3 });
  });

  test("with Import rows that match earlier imports, a dry run counts them as created, and the import creates and pays them again, with a warning", async () => {
    const dry = runImport(host, rewardsAgain, true);
    expect(dry).toMatchObject({
      allowRepeats: true,
      counts: { created: 3, updated: 0, skipped: 0, repeats: 3 },
      issuedUsdCents: REWARDS_USD_CENTS,
    });

    const done = runImport(host, rewardsAgain);
    expect(done).toMatchObject({
      status: "completed",
      allowRepeats: true,
      counts: { created: 3, updated: 0, skipped: 0, repeats: 3 },
      issuedUsdCents: REWARDS_USD_CENTS,
    });
    expect(await storedRewards("P-rp")).toHaveLength(6);
    const imported = await service.get(`/v1/imports/${done.importId}`);
    expect(imported.options).toMatchObject({ allow_repeats: true });

    const lines = reportLines(workbook, done.reportSheet);
    expect(lines.map((line) => line[1])).toEqual(["created", "created", "created"]);
    for (const [, , , messages] of lines) {
      expect(String(messages)).toMatch(/^warning: /);
      expect(String(messages)).toContain(first.importId);
    }
    expect(reportSummary(workbook, done.reportSheet)).toMatchObject({
      Options: "import, rows that match earlier imports imported again",
      Created: 3,
      Repeats: 3,
    });
  });
});

test("two rows of one sheet that are the same reward: the second is skipped as duplicate_in_file and counted a repeat", async () => {
  const workbook = new Workbook();
  writeRows(workbook, workbook.activeSheet, 1, 1, [
    ["partner_key", "amount_in_cents", "body"],
    ["P-dup", "700", "Twice"],
    ["P-dup", "700", "Twice"],
    ["P-dup", "800", "Once"],
  ]);
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  const dry = runImport(host, rewards, true);
  expect(dry).toMatchObject({ counts: { created: 2, skipped: 1, repeats: 1 } });
  const done = runImport(host, rewards);
  expect(done).toMatchObject({
    counts: { created: 2, updated: 0, skipped: 1, repeats: 1 },
    issuedUsdCents: 1500,
  });
  expect(done.skippedFindings.map((f: Finding) => [f.row, f.code])).toEqual([[3, "duplicate_in_file"]]);
  expect((await storedRewards("P-dup")).map((r) => r.body).sort()).toEqual(["Once", "Twice"]);
});

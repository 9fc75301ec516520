// Highlights drawn by Validate and taken away by Clear highlights: colours by severity, the message in
// the note, each cell's own background and note given back exactly, and header alerts that stop the check.
import type { Finding } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, looks, sheetOf } from "./asPerson";
import { call, loadAddonFor, runImport, startService, type TestService } from "./harness";

let service: TestService;
beforeAll(async () => {
  service = await startService();
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const hosts: AddonHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

/** A spreadsheet with rows typed into its first tab, and the add-on at hand. */
function sheetWith(rows: string[][]): { workbook: Workbook; host: AddonHost } {
  const workbook = new Workbook();
  writeRows(workbook, workbook.activeSheet, 1, 1, rows);
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  return { workbook, host };
}

/** A person's own colour and note on a cell. */
function decorate(workbook: Workbook, cell: string, background: string | null, note: string | null) {
  const range = sheetOf(workbook).getRange(cell);
  if (background !== null) range.setBackground(background);
  if (note !== null) range.setNote(note);
}

const partners = choiceOf("partners");
const rewards = choiceOf("rewards");
const imports = async () => (await service.get("/v1/imports?limit=100")).data.length;

describe("colours and notes", () => {
  it("errors and warnings are coloured differently, and each cell's note holds its messages", () => {
    const { workbook, host } = sheetWith([
      ["partner_key", "amount_in_cents", "body", "status", "decline_reason"],
      ["ada", "12.345", "Bonus", "pending", "typo"],
      ["ada", "100", "", "", ""],
      ["ada", "100", "Fine", "paid", "late"],
    ]);
    const view = call(host, "validate", rewards);
    expect(view.findings.map((f: Finding) => [f.a1, f.severity])).toEqual([
      ["B2", "error"],
      ["E2", "warning"],
      ["C3", "error"],
      ["E4", "warning"],
    ]);
    const shown = highlights(workbook);
    expect(Object.keys(shown).sort()).toEqual(["B2", "C3", "E2", "E4"]);
    const error = shown.B2?.background;
    const warning = shown.E2?.background;
    expect(shown.C3?.background).toBe(error);
    expect(shown.E4?.background).toBe(warning);
    expect(new Set([error, warning, "#ffffff"]).size).toBe(3);
    for (const f of view.findings) expect(shown[f.a1]?.note).toContain(f.message);
    expect(shown.B2?.note).toContain("error");
    expect(shown.E2?.note).toContain("warning");
  });

  it("a header the add-on reads under another name is a warning on the header cell, and the rows are still checked", () => {
    const { workbook, host } = sheetWith([
      ["Partner Email", "partner_key"],
      ["not-an-email", "ada"],
    ]);
    const view = call(host, "validate", partners);
    expect(view.blocked).toBe(false);
    expect(view.headerAlerts.map((f: Finding) => [f.a1, f.code, f.severity, f.suggestion])).toEqual([
      ["A1", "header_renamed", "warning", "partner_email"],
    ]);
    expect(view.findings.map((f: Finding) => [f.a1, f.code])).toEqual([["A2", "invalid_email"]]);
    const shown = highlights(workbook);
    expect(Object.keys(shown).sort()).toEqual(["A1", "A2"]);
    expect(shown.A1?.background).not.toBe(shown.A2?.background);
    expect(shown.A1?.note).toContain('"Partner Email" is read as partner_email');
  });
});

describe("a cell's own look", () => {
  function decoratedSheet() {
    const s = sheetWith([
      ["partner_email", "partner_key", "first_name"],
      ["ann@example.com", "ann", "Ann"],
      ["bad-email", "has space", "Bob"],
      ["cy@example.com", "also bad", "Cy"],
    ]);
    decorate(s.workbook, "A3", "#00ff00", "checked by Kim");
    decorate(s.workbook, "B3", "#123456", null);
    decorate(s.workbook, "B4", null, "from the CRM");
    // Never highlighted: their looks are no business of the add-on.
    decorate(s.workbook, "A2", "#abcdef", "VIP");
    decorate(s.workbook, "C4", "#fedcba", null);
    return s;
  }

  it("Clear highlights gives every highlighted cell its own background and note back, and touches nothing else", () => {
    const { workbook, host } = decoratedSheet();
    const before = looks(workbook);
    const view = call(host, "validate", partners);
    expect(view.highlighted).toBe(3);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A3", "B3", "B4"]);
    // Only the highlighted cells changed: put their old looks back, and the sheet is as it was.
    const during = looks(workbook);
    for (const [i, j] of [
      [2, 0],
      [2, 1],
      [3, 1],
    ] as const) {
      (during.backgrounds[i] as string[])[j] = before.backgrounds[i]?.[j] as string;
      (during.notes[i] as string[])[j] = before.notes[i]?.[j] as string;
    }
    expect(during).toEqual(before);

    expect(call(host, "clearHighlights")).toBe(3);
    expect(looks(workbook)).toEqual(before);
    expect(highlights(workbook)).toEqual({});
  });

  it("validating again after a fix gives the fixed cell its own look back and keeps the others highlighted", () => {
    const { workbook, host } = decoratedSheet();
    const before = looks(workbook);
    call(host, "validate", partners);
    // Fixed without an edit trigger (a script, or a paste Sheets did not report): the next Validate sees it.
    writeRows(workbook, workbook.activeSheet, 3, 1, [["bob@example.com"]]);
    const view = call(host, "validate", partners);
    expect(view.findings.map((f: Finding) => f.a1)).toEqual(["B3", "B4"]);
    const sheet = sheetOf(workbook);
    expect([sheet.getRange("A3").getBackground(), sheet.getRange("A3").getNote()]).toEqual([
      "#00ff00",
      "checked by Kim",
    ]);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["B3", "B4"]);

    // Validated twice, a highlighted cell still remembers its own look.
    call(host, "clearHighlights");
    const after = looks(workbook);
    expect(after.notes).toEqual(before.notes);
    expect(after.backgrounds).toEqual(before.backgrounds);
  });

  it("the template's header notes and colours come back after a header alert on them is cleared", () => {
    const { workbook, host } = sheetWith([]);
    call(host, "insertTemplate", choiceOf("leads", "referral"));
    const before = looks(workbook);
    // Validated as another group, referral's own fields are header errors.
    expect(call(host, "validate", choiceOf("leads", "resellers")).blocked).toBe(true);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["G1", "H1"]);
    expect(call(host, "validate", choiceOf("leads", "referral")).blocked).toBe(false);
    expect(looks(workbook)).toEqual(before);
  });

  it("a highlighted row emptied since is cleared by the next Validate", () => {
    const { workbook, host } = decoratedSheet();
    const before = looks(workbook);
    call(host, "validate", partners);
    writeRows(workbook, workbook.activeSheet, 3, 1, [
      ["", "", ""],
      ["", "", ""],
    ]);
    expect(call(host, "validate", partners).highlighted).toBe(0);
    expect(looks(workbook)).toEqual(before);
  });

  it("Clear highlights restores every tab that was validated", () => {
    const { workbook, host } = decoratedSheet();
    const before = looks(workbook, "Sheet1");
    call(host, "validate", partners);
    const second = workbook.addSheet("More partners");
    workbook.activeSheet = second;
    writeRows(workbook, second, 1, 1, [["partner_email"], ["nope"]]);
    call(host, "validate", partners);
    expect(Object.keys(highlights(workbook, "More partners"))).toEqual(["A2"]);
    expect(Object.keys(highlights(workbook, "Sheet1")).sort()).toEqual(["A3", "B3", "B4"]);
    expect(call(host, "clearHighlights")).toBe(4);
    expect(highlights(workbook, "More partners")).toEqual({});
    expect(looks(workbook, "Sheet1")).toEqual(before);
  });

  it("Clear highlights restores a tab that was renamed after it was validated", () => {
    const { workbook, host } = decoratedSheet();
    const before = looks(workbook);
    call(host, "validate", partners);
    sheetOf(workbook).setName("Partners Q3");
    call(host, "clearHighlights");
    expect(highlights(workbook, "Partners Q3")).toEqual({});
    expect(looks(workbook, "Partners Q3")).toEqual(before);
  });

  it("a highlighted cell's own look comes back after a row was inserted above it", () => {
    const { workbook, host } = decoratedSheet();
    call(host, "validate", partners);
    sheetOf(workbook).insertRowBefore(2);
    // A3 is now A4: its highlight and note moved with it, as Sheets moves them.
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["A4", "B4", "B5"]);
    call(host, "clearHighlights");
    const sheet = sheetOf(workbook);
    expect(highlights(workbook)).toEqual({});
    expect(sheet.getRange("A4:B5").getBackgrounds()).toEqual([
      ["#00ff00", "#123456"],
      ["#ffffff", "#ffffff"],
    ]);
    expect(sheet.getRange("A4:B5").getNotes()).toEqual([
      ["checked by Kim", ""],
      ["", "from the CRM"],
    ]);
  });
});

describe("header alerts", () => {
  it('a typo in a header blocks with "did you mean", and no cell below it is checked or imported', async () => {
    const { workbook, host } = sheetWith([
      ["partner_emial", "partner_key", "first_name"],
      ["not-an-email", "has space", "Ann"],
    ]);
    const view = call(host, "validate", partners);
    expect(view).toMatchObject({ blocked: true, findings: [], errors: 1, warnings: 0 });
    expect(view.headerAlerts).toEqual([
      {
        sheetId: 0,
        row: 1,
        column: 1,
        a1: "A1",
        field: null,
        severity: "error",
        code: "unknown_header",
        message: 'column A: "partner_emial" is not a partners header. Did you mean partner_email?',
        suggestion: "partner_email",
      },
    ]);
    expect(Object.keys(highlights(workbook))).toEqual(["A1"]);
    expect(highlights(workbook).A1?.note).toContain("Did you mean partner_email?");

    const started = await imports();
    expect(() => runImport(host, partners, true)).toThrow(
      /The header row needs fixing before anything is imported: .*Did you mean partner_email\?/,
    );
    expect(await imports()).toBe(started);
  });

  it("a missing required column blocks, names the column, and highlights no cell", () => {
    const { workbook, host } = sheetWith([
      ["customer_key", "name"],
      ["has space", "Ann"],
    ]);
    const view = call(host, "validate", choiceOf("customers"));
    expect(view).toMatchObject({ blocked: true, findings: [], highlighted: 0 });
    expect(view.headerAlerts).toEqual([
      {
        sheetId: 0,
        row: 1,
        column: null,
        a1: null,
        field: "email",
        severity: "error",
        code: "missing_column",
        message: "The required column email is missing",
      },
    ]);
    expect(highlights(workbook)).toEqual({});
  });
});

it("a click on a finding selects its cell, on its tab", () => {
  const { workbook, host } = sheetWith([["partner_email"], ["nope"]]);
  const view = call(host, "validate", partners);
  workbook.activeSheet = workbook.addSheet("Elsewhere");
  const f = view.findings[0];
  call(host, "selectCell", f.sheetId, f.row, f.column);
  expect(workbook.activeSheet.name).toBe("Sheet1");
  expect(sheetOf(workbook).getActiveRange()?.getA1Notation()).toBe("A2");
});

it("a row holding only spaces is blank: not counted, checked or highlighted", () => {
  const { workbook, host } = sheetWith([
    ["partner_email", "partner_key"],
    ["ok@example.com", "ok"],
    ["  ", " "],
  ]);
  call(host, "loadSidebar");
  const view = call(host, "validate", partners);
  expect(view).toMatchObject({ rows: 1, errors: 0, findings: [], highlighted: 0 });
  expect(highlights(workbook)).toEqual({});
});

describe("the document lock", () => {
  it("while another execution holds the document lock, Validate and Clear highlights wait a few seconds, then say so and change nothing", () => {
    const { workbook, host } = sheetWith([
      ["partner_email", "partner_key"],
      ["not-an-email", "ada"],
    ]);
    call(host, "validate", partners);
    const before = looks(workbook);
    expect(Object.keys(highlights(workbook))).toEqual(["A2"]);

    host.locks.holdElsewhere("document");
    const busy =
      "Someone else is changing this spreadsheet's import or highlights right now. Try again in a moment.";
    expect(() => call(host, "clearHighlights")).toThrow(busy);
    writeRows(workbook, workbook.activeSheet, 2, 1, [["ada@example.com"]]);
    expect(() => call(host, "validate", partners)).toThrow(busy);
    expect(looks(workbook)).toEqual(before);

    host.locks.releaseElsewhere("document");
    expect(call(host, "validate", partners)).toMatchObject({ errors: 0 });
    expect(highlights(workbook)).toEqual({});
  }, 60_000);
});

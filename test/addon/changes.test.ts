// See changes before they happen, and modes: a dry run of rows that update stored partners puts each
// changed field's stored → new value in its cell's note and counts the records per field for the sidebar;
// Clear highlights gives every cell its own look back; each mode is sent, and the rows it excludes are
// skipped and said why. The real bundle in the emulator against a real service.

import { changeSentence } from "../../sidebar/changeCounts";
import type { ImportProgress } from "../../src/addon/contract";
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, importFirst, looks, sheetOf } from "./asPerson";
import { call, engines, loadAddonFor, runImport, startService, type TestService } from "./harness";

describe.each(engines())("changes and modes from the sidebar (%s)", (engine) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService(engine);
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key", "first_name", "last_name", "region", "tags"],
      ["ada@stored.test", "ada", "Ada", "Lovelace", "AMER", "launch"],
      ["bryn@stored.test", "bryn", "Bryn", "Jones", "EMEA", ""],
      ["chen@stored.test", "chen", "Chen", "Okafor", "APAC", ""],
    ]);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  const hosts: AddonHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });

  /** The call log, and the name of every call in the order it was made. */
  class CallTrail extends CallLog {
    readonly names: string[] = [];

    override record(service: string, method: string, detail: { cells?: number; serviceMs?: number } = {}) {
      this.names.push(`${service}.${method}`);
      super.record(service, method, detail);
    }
  }

  function sheetWith(rows: string[][]) {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, rows);
    const calls = new CallTrail();
    const host = loadAddonFor({ url: service.url, workbook, calls });
    hosts.push(host);
    return { workbook, host, calls };
  }

  const CHANGE_COLOR = "#cfe2f3";
  const WARNING_COLOR = "#fce8b2";
  const partners = choiceOf("partners");
  const withMode = (mode: string) => ({ ...partners, mode });

  /** Rows that update ada (email, region) and bryn (email; a blank first name leaves it), keep chen, create dan. */
  const UPDATES = [
    ["partner_email", "partner_key", "first_name", "region"],
    ["ada@new.test", "ada", "Ada", "APAC"],
    ["bryn@new.test", "bryn", "", "EMEA"],
    ["chen@stored.test", "chen", "Chen", "APAC"],
    ["dan@new.test", "dan", "Dan", "AMER"],
  ];

  describe("a dry run shows what would change", () => {
    it("each changed cell's note says the stored value and the new one, the sidebar counts records per field, within the call budget", () => {
      const { workbook, host, calls } = sheetWith(UPDATES);
      // A person's own colour and note on a cell the dry run will mark: kept inside our note, given back.
      sheetOf(workbook).getRange("D2").setBackground("#00ff00").setNote("checked by Sam");
      const before = looks(workbook);
      call(host, "loadSidebar");
      calls.reset();
      calls.names.length = 0;

      const done: ImportProgress = runImport(host, partners, true);
      expect(done).toMatchObject({
        status: "completed",
        dryRun: true,
        // chen matches and sets nothing new: updated, with no change to show.
        counts: { created: 1, updated: 3, skipped: 0 },
      });
      expect(done.changeCounts).toEqual([
        { field: "partner_email", words: "email", records: 2 },
        { field: "region", words: "region", records: 1 },
      ]);
      expect(done.changeCounts.map((count) => changeSentence(done, count))).toEqual([
        "2 partners would change email",
        "1 partner would change region",
      ]);

      const shown = highlights(workbook);
      expect(Object.keys(shown).sort()).toEqual(["A2", "A3", "D2"]);
      expect(shown.D2?.background).toBe(CHANGE_COLOR);
      expect(shown.D2?.note).toContain('Would change: stored "AMER" → new "APAC"');
      expect(shown.A3?.note).toContain('Would change: stored "bryn@stored.test" → new "bryn@new.test"');
      // A key match that changes an email is a warning that says so, in the same cell as the change.
      expect(shown.A2?.note).toContain('Would change: stored "ada@stored.test" → new "ada@new.test"');
      expect(shown.A2?.note).toMatch(
        /partner_key "ada".*would change from "ada@stored\.test" to "ada@new\.test"/,
      );
      for (const cell of ["A2", "A3"]) expect(shown[cell]?.background).toBe(WARNING_COLOR);
      expect(new Set([CHANGE_COLOR, WARNING_COLOR, "#f4c7c3"]).size).toBe(3);

      // Backgrounds and notes written once each, within the import's budget (a chunk and a constant).
      const spreadsheetCalls = calls.names.filter((name) => name.startsWith("SpreadsheetApp."));
      expect(spreadsheetCalls.filter((name) => name === "SpreadsheetApp.Range.setNotes")).toHaveLength(1);
      expect(spreadsheetCalls.filter((name) => name === "SpreadsheetApp.Range.setBackgrounds")).toHaveLength(
        1,
      );
      expect(calls.total("SpreadsheetApp")).toBeLessThanOrEqual(2 + 28);

      // Nothing was stored: ada keeps her email.
      expect(call(host, "clearHighlights")).toBe(3);
      expect(looks(workbook)).toEqual(before);
    });

    it("after the import, the sidebar counts and the report's messages say what changed; the cells are not shaded", async () => {
      const { workbook, host } = sheetWith([
        ["partner_email", "partner_key", "last_name"],
        ["chen@stored.test", "chen", "Okafor-Lee"],
      ]);
      const done: ImportProgress = runImport(host, partners, false);
      expect(done).toMatchObject({ status: "completed", counts: { updated: 1 } });
      expect(done.changeCounts).toEqual([{ field: "last_name", words: "last name", records: 1 }]);
      expect(changeSentence(done, done.changeCounts[0] as ImportProgress["changeCounts"][number])).toBe(
        "Last name changed on 1 partner",
      );
      // A dry run shades what would change; the import's own changes are in Import status and the report.
      expect(highlights(workbook).C2).toBeUndefined();
      const report = sheetOf(workbook, done.reportSheet as string)
        .getDataRange()
        .getValues();
      expect(report[1]?.[3]).toContain('last_name changed: was "Okafor" → now "Okafor-Lee"');
      const [chen] = (await service.get("/v1/partners?key=chen")).data;
      expect(chen.last_name).toBe("Okafor-Lee");
    });

    it("the changed cells are found through the tab's mapping", () => {
      const { workbook, host } = sheetWith([
        ["Email", "Key", "Area"],
        ["bryn@stored.test", "bryn", "APAC"],
      ]);
      const mapped = { ...partners, mapping: { Email: "partner_email", Key: "partner_key", Area: "region" } };
      expect(call(host, "saveMapping", mapped).blocked).toBe(false);
      const done: ImportProgress = runImport(host, partners, true);
      expect(done.changeCounts).toEqual([{ field: "region", words: "region", records: 1 }]);
      expect(highlights(workbook).C2?.note).toContain('Would change: stored "EMEA" → new "APAC"');
    });
  });

  describe("modes", () => {
    const rows = [
      ["partner_email", "partner_key", "first_name"],
      ["ada@stored.test", "ada", "Ada"],
      ["eve@new.test", "eve", "Eve"],
    ];

    it.each([
      ["create_and_update", { created: 1, updated: 1, skipped: 0 }, null],
      ["create_only", { created: 1, updated: 0, skipped: 1 }, 2],
      ["update_only", { created: 0, updated: 1, skipped: 1 }, 3],
    ] as const)(
      "mode %s is sent, and the rows it excludes are skipped saying why",
      async (mode, counts, excludedRow) => {
        const { workbook, host } = sheetWith(rows);
        // Validate remembers the choice for the tab, as it does the other options.
        expect(call(host, "validate", withMode(mode)).errors).toBe(0);
        const done: ImportProgress = runImport(host, withMode(mode), true);
        expect(done).toMatchObject({ status: "completed", counts });
        const started = await service.get(`/v1/imports/${done.importId}`);
        expect(started.options.mode).toBe(mode);
        const excluded = done.skippedFindings.filter((f) => f.code === "excluded_by_mode");
        expect(excluded.map((f) => f.row)).toEqual(excludedRow === null ? [] : [excludedRow]);
        if (excludedRow !== null) {
          const said = excluded[0]?.message ?? "";
          expect(said).toContain(mode === "create_only" ? "Create only" : "Update only");
          expect(highlights(workbook)[String(excluded[0]?.a1)]?.note ?? "").toContain(said);
        }
        // Remembered with the choice, for this tab and the spreadsheet.
        expect(call(host, "activeTab").choice.mode).toBe(mode);
        expect(call(host, "loadSidebar").choice.mode).toBe(mode);
      },
    );

    it("the mode is part of the choice a dry run is matched by, and the report names a mode other than the default", () => {
      const { workbook, host } = sheetWith(rows);
      runImport(host, withMode("update_only"), true);
      expect(call(host, "reviewImport", withMode("update_only")).dryRun).not.toBeNull();
      expect(call(host, "reviewImport", withMode("create_only")).dryRun).toBeNull();
      expect(call(host, "reviewImport", partners).choice.mode).toBe("create_and_update");

      const done: ImportProgress = runImport(host, withMode("update_only"), false);
      const report = sheetOf(workbook, done.reportSheet as string)
        .getDataRange()
        .getValues();
      // The summary sits at the right of the table (whose width follows the rows' cells): label, value.
      const line = report.find((cells) => cells.includes("Options")) ?? [];
      const options = line[line.indexOf("Options") + 1];
      expect(options).toContain("Update only");
    });

    it("rewards only create: their imports are sent as Create and update whatever the choice says, and an unknown mode is refused", async () => {
      const { host } = sheetWith([
        ["partner_key", "amount_in_cents", "body"],
        ["ada", "100", "Bonus"],
      ]);
      const done: ImportProgress = runImport(host, { ...choiceOf("rewards"), mode: "update_only" }, true);
      expect(done).toMatchObject({ status: "completed", counts: { created: 1, skipped: 0 } });
      expect((await service.get(`/v1/imports/${done.importId}`)).options.mode).toBe("create_and_update");
      expect(() => call(host, "reviewImport", { ...partners, mode: "sometimes" })).toThrow(
        /mode must be one of create_and_update, create_only, update_only/,
      );
    });
  });
});

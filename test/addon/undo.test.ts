// Undo import, from the sidebar: the last import of the tab on screen is taken back after the person has
// seen what the undo would do. The stored partners come back exactly as they were (compared with what the
// service held before the import), the partners it created go, the import reads undone, and what the
// importer refuses is said in words. The real bundle in the emulator against a real service.
import type { TabView, UndoView } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, importFirst } from "./asPerson";
import { call, engines, KEYS, loadAddonFor, runImport, startService, type TestService } from "./harness";

describe.each(engines())("Undo import from the sidebar (%s)", (engine) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService(engine);
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key", "first_name", "last_name", "region", "tags", "tier_key"],
      ["ada@stored.test", "ada", "Ada", "Lovelace", "AMER", "launch", "gold"],
      ["bryn@stored.test", "bryn", "Bryn", "Jones", "EMEA", "", ""],
      ["chen@stored.test", "chen", "Chen", "Okafor", "APAC", "emea, saas", "silver"],
    ]);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  const hosts: AddonHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });

  function sheetWith(rows: string[][]) {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 1, 1, rows);
    const host = loadAddonFor({ url: service.url, workbook });
    hosts.push(host);
    return { workbook, host };
  }

  const partners = choiceOf("partners");

  /** Every stored partner by key, as the REST API gives it, without the time it was last updated. */
  async function storedPartners(): Promise<Record<string, Record<string, unknown>>> {
    const page = await service.get("/v1/partners?limit=100");
    return Object.fromEntries(
      page.data.map(({ updated_at: _, ...partner }: Record<string, unknown>) => [
        partner.partner_key,
        partner,
      ]),
    );
  }

  async function undoByRest(importId: string): Promise<Response> {
    return fetch(`${service.url}/v1/imports/${importId}/undo`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.admin}`, "content-type": "application/json" },
      body: "{}",
    });
  }

  describe("Undo import", () => {
    it("shows what it would do, then restores the updated partners exactly as before and removes the created ones; the import reads undone", async () => {
      const before = await storedPartners();
      const { host } = sheetWith([
        ["partner_email", "partner_key", "first_name", "last_name", "region", "tags", "tier_key"],
        ["ada@changed.test", "ada", "Ada", "King", "EMEA", "vip", ""],
        ["bryn@stored.test", "bryn", "Brynmor", "", "APAC", "launch", "gold"],
        ["dan@new.test", "dan", "Dan", "Silva", "AMER", "", ""],
        ["eve@new.test", "eve", "Eve", "Lee", "", "", ""],
      ]);
      const done = runImport(host, partners, false);
      expect(done).toMatchObject({ status: "completed", counts: { created: 2, updated: 2, skipped: 0 } });
      const afterImport = await storedPartners();
      expect(afterImport.ada?.partner_email).toBe("ada@changed.test");
      expect(Object.keys(afterImport).sort()).toEqual(["ada", "bryn", "chen", "dan", "eve"]);

      const tab: TabView = call(host, "activeTab");
      expect(tab.lastImport).toMatchObject({
        importId: done.importId,
        undone: false,
        counts: { created: 2 },
      });

      const preview: UndoView = call(host, "previewUndo");
      expect(preview).toMatchObject({
        importId: done.importId,
        dryRun: true,
        removed: 2,
        restored: 2,
        refused: [],
        invitesSent: 0,
      });
      expect(preview.summary).toBe("Removes 2 partners created, restores 2 partners updated.");
      // A dry run of the undo changes nothing.
      expect(await storedPartners()).toEqual(afterImport);

      const undone: UndoView = call(host, "undoLastImport", preview.importId);
      expect(undone).toMatchObject({
        dryRun: false,
        removed: 2,
        restored: 2,
        refused: [],
        importStatus: "undone",
      });
      expect(undone.summary).toBe("Removed 2 partners created, restored 2 partners updated.");
      expect(await storedPartners()).toEqual(before);
      expect((await service.get(`/v1/imports/${done.importId}`)).status).toBe("undone");

      // No second undo: the tab says so, and asking again is refused in words.
      expect((call(host, "activeTab") as TabView).lastImport).toMatchObject({ undone: true });
      expect(() => call(host, "previewUndo")).toThrow(/is undone already/);
    });

    it("a record a later import changed is refused with the reason, and the rest is undone", async () => {
      const { host } = sheetWith([
        ["partner_email", "partner_key", "region"],
        ["bryn@stored.test", "bryn", "AMER"],
        ["chen@stored.test", "chen", "AMER"],
      ]);
      const first = runImport(host, partners, false);
      expect(first).toMatchObject({ status: "completed", counts: { updated: 2 } });
      // Someone imports bryn again from another spreadsheet.
      const other = sheetWith([
        ["partner_email", "partner_key", "first_name"],
        ["bryn@stored.test", "bryn", "Bryony"],
      ]);
      expect(runImport(other.host, partners, false)).toMatchObject({ counts: { updated: 1 } });

      const preview: UndoView = call(host, "previewUndo");
      expect(preview).toMatchObject({ restored: 1, removed: 0 });
      expect(preview.refused).toEqual([expect.objectContaining({ code: "changed_since" })]);
      expect(preview.summary).toMatch(
        /^Removes 0 partners created, restores 1 partner updated; 1 can't be undone: .+\.$/,
      );
      expect(preview.summary).toContain(preview.refused[0]?.reason.replace(/[.\s]+$/, ""));

      const undone: UndoView = call(host, "undoLastImport", preview.importId);
      expect(undone).toMatchObject({ restored: 1, removed: 0 });
      const after = await storedPartners();
      expect(after.chen?.fields).toMatchObject({ region: "APAC" });
      expect(after.bryn?.fields).toMatchObject({ region: "AMER" });
      expect(after.bryn?.first_name).toBe("Bryony");
    });

    it("says in words when there is nothing to undo: no import from this tab, a dry run, an import undone elsewhere, another import since the preview", async () => {
      const { host } = sheetWith([
        ["partner_email", "partner_key", "first_name"],
        ["fay@new.test", "fay", "Fay"],
      ]);
      expect(() => call(host, "previewUndo")).toThrow(/No import from "Sheet1" to undo/);
      runImport(host, partners, true);
      expect(() => call(host, "previewUndo")).toThrow(/No import from "Sheet1" to undo/);

      const done = runImport(host, partners, false);
      const preview: UndoView = call(host, "previewUndo");
      expect(preview).toMatchObject({ removed: 1, restored: 0 });
      expect(() => call(host, "undoLastImport", "another-import")).toThrow(/nothing was undone/);

      expect((await undoByRest(done.importId)).status).toBe(200);
      expect(() => call(host, "undoLastImport", preview.importId)).toThrow(
        /was undone already \(perhaps by someone else\)/,
      );
      expect((call(host, "activeTab") as TabView).lastImport).toMatchObject({ undone: true });
    });

    it("the last import is the tab's own: another tab's import is not offered", () => {
      const { workbook, host } = sheetWith([
        ["partner_email", "partner_key"],
        ["gus@new.test", "gus"],
      ]);
      runImport(host, partners, false);
      workbook.activeSheet = workbook.addSheet("Other");
      expect((call(host, "activeTab") as TabView).lastImport).toBeNull();
      expect(() => call(host, "previewUndo")).toThrow(/No import from "Other" to undo/);
    });
  });
});

// Values as Sheets holds them: dates reach the service as the day they show in the spreadsheet's time
// zone, formatted by Apps Script (Utilities.formatDate), never by `Intl` time-zone data, which Apps
// Script's V8 is not documented to carry; and a key or postal code typed into an Automatic cell, which
// Sheets turns into a number (02134 → 2134), is warned about on its cell.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, sheetOf, typeRows } from "./asPerson";
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

function addonOn(workbook: Workbook): AddonHost {
  const host = loadAddonFor({ url: service.url, workbook });
  hosts.push(host);
  call(host, "loadSidebar");
  return host;
}

async function storedCustomer(key: string): Promise<Record<string, unknown> | undefined> {
  const page = await service.get(`/v1/customers?limit=10&key=${encodeURIComponent(key)}`);
  return page.data[0];
}

describe("dates", () => {
  it("the bundle never asks Intl for a time zone: no Intl.DateTimeFormat, no Intl at all", () => {
    const code = readFileSync(join(__dirname, "../../dist/addon/Code.js"), "utf8");
    expect(code).not.toMatch(/DateTimeFormat/);
    expect(code).not.toMatch(/\bIntl\b/);
    expect(code).not.toMatch(/toLocale(Date|Time)String/);
  });

  // A day typed (midnight there) and a late or early hour of that day, whose UTC day differs.
  test.each([
    ["America/Los_Angeles", "2021-03-04T23:30:00-08:00", "la"],
    ["Asia/Tokyo", "2021-03-04T00:30:00+09:00", "tokyo"],
  ])(
    "in %s, a Date cell reaches the service as the day it shows there",
    async (timeZone, instant, tag) => {
      const workbook = new Workbook({ timeZone });
      const host = addonOn(workbook);
      writeRows(workbook, workbook.activeSheet, 1, 1, [
        ["email", "customer_key", "created_at"],
        [`typed-${tag}@example.com`, `cus_typed_${tag}`, "2021-03-04"],
        [`hour-${tag}@example.com`, `cus_hour_${tag}`, ""],
      ]);
      sheetOf(workbook).getRange("C3").setValue(new Date(instant));
      // Sheets shows it on that day there (its UTC day is another).
      expect(sheetOf(workbook).getRange("C3").getDisplayValue()).toMatch(/^3\/4\/2021 /);

      const choice = choiceOf("customers");
      expect(call(host, "validate", choice)).toMatchObject({ errors: 0, warnings: 0 });
      const done = runImport(host, choice, false);
      expect(done).toMatchObject({ status: "completed", counts: { created: 2, skipped: 0 } });
      expect(await storedCustomer(`cus_typed_${tag}`)).toMatchObject({ created_at: "2021-03-04" });
      expect(await storedCustomer(`cus_hour_${tag}`)).toMatchObject({ created_at: "2021-03-04" });
    },
    60_000,
  );
});

describe("a key or postal code Sheets holds as a number", () => {
  it("02134 typed into an Automatic cell becomes 2134: Validate warns on that cell, and onEdit too", () => {
    const workbook = new Workbook();
    const host = addonOn(workbook);
    writeRows(workbook, workbook.activeSheet, 1, 1, [
      ["partner_email", "partner_key", "shipping_address_postal"],
      ["ann@example.com", "ann", "02134"],
      ["bob@example.com", "bob", "SW1A 1AA"],
    ]);
    expect(sheetOf(workbook).getRange("C2").getValue()).toBe(2134);

    const view = call(host, "validate", choiceOf("partners"));
    expect(view).toMatchObject({ errors: 0, warnings: 1 });
    expect(view.findings.map((f: Finding) => [f.a1, f.code, f.severity])).toEqual([
      ["C2", "number_in_text_column", "warning"],
    ]);
    const message = view.findings[0].message;
    expect(message).toContain("leading zeros may be lost");
    expect(message).toContain("format column C as plain text");
    expect(highlights(workbook).C2).toEqual({
      background: "#fce8b2",
      note: expect.stringContaining(message),
    });

    // A partner_key typed as digits, after Validate: onEdit warns on it the same way.
    typeRows(host, workbook, 3, 2, [["00731"]]);
    expect(highlights(workbook).B3?.note).toContain('partner_key "731" is held by Sheets as a number');
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["B3", "C2"]);
  });

  it("in the template's columns, formatted as plain text, 02134 stays text and nothing is said", () => {
    const workbook = new Workbook();
    const host = addonOn(workbook);
    const choice = choiceOf("customers");
    call(host, "insertTemplate", choice);
    const headers = sheetOf(workbook).getRange(1, 1, 1, sheetOf(workbook).getLastColumn()).getValues()[0];
    const at = (name: string) => (headers?.indexOf(name) ?? -1) + 1;
    const row = new Array<string>(headers?.length ?? 0).fill("");
    row[at("email") - 1] = "zip@example.com";
    row[at("customer_key") - 1] = "0042";
    row[at("postal") - 1] = "02134";
    writeRows(workbook, workbook.activeSheet, 2, 1, [row]);
    expect(sheetOf(workbook).getRange(2, at("postal")).getValue()).toBe("02134");
    expect(call(host, "validate", choice)).toMatchObject({ errors: 0, warnings: 0 });
  });
});

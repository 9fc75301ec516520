// Each object from an empty sheet to a report tab, through the real bundle and a real service:
// template headers, rows with mistakes, validation, fixes, a dry run, the import and its report.
import type { Finding, ImportProgress, ObjectName } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { writeRows } from "../../src/emulator/preview/sheetEdits";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, highlights, importFirst, sheetOf, typeRows } from "./asPerson";
import { call, loadAddonFor, runImport, startService, type TestService } from "./harness";

let service: TestService;
beforeAll(async () => {
  service = await startService();
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

/** Records of an object stored on the service, optionally those with a key. */
async function stored(object: ObjectName, key?: string): Promise<Record<string, unknown>[]> {
  const page = await service.get(`/v1/${object}?limit=100${key ? `&key=${encodeURIComponent(key)}` : ""}`);
  return page.data;
}

interface TemplateLooks {
  fileName: string;
  /** Columns the template marks as required (alone or as one of a pair). */
  required: string[];
  text: string[];
  date: string[];
  /** Drop-downs: the values offered, by column. */
  lists: Record<string, string[]>;
}

/**
 * Insert template headers into the empty active sheet, and check the sheet holds what Download CSV
 * template gives, formatted for what is typed below it. Returns the headers.
 */
function insertAndCheckTemplate(
  host: AddonHost,
  workbook: Workbook,
  choice: ReturnType<typeof choiceOf>,
  expected: TemplateLooks,
): string[] {
  const file = call(host, "templateCsv", choice);
  expect(file.fileName).toBe(expected.fileName);
  expect(file.csv.endsWith("\r\n")).toBe(true);
  const headers: string[] = file.csv.trimEnd().split(",");

  expect(call(host, "insertTemplate", choice)).toEqual({
    sheetName: "Sheet1",
    columns: headers.length,
    insertedRow: false,
  });
  const sheet = sheetOf(workbook);
  expect(sheet.getRange(1, 1, 1, headers.length + 1).getValues()[0]).toEqual([...headers, ""]);
  expect(sheet.getFrozenRows()).toBe(1);

  const notes = sheet.getRange(1, 1, 1, headers.length).getNotes()[0] ?? [];
  const backgrounds = sheet.getRange(1, 1, 1, headers.length).getBackgrounds()[0] ?? [];
  const requiredColor = backgrounds[headers.indexOf(expected.required[0] as string)];
  headers.forEach((header, j) => {
    const required = expected.required.includes(header);
    expect([header, notes[j]?.match(/^\w+/)?.[0]]).toEqual([header, required ? "Required" : "Optional"]);
    expect(notes[j]).toContain("Example: ");
    expect([header, backgrounds[j] === requiredColor]).toEqual([header, required]);
  });

  const kind = (format: string) => (format === "@" ? "text" : format === "yyyy-mm-dd" ? "date" : "other");
  const expectedKinds = Object.fromEntries(
    headers.map((h) => [
      h,
      expected.text.includes(h) ? "text" : expected.date.includes(h) ? "date" : "other",
    ]),
  );
  const expectedLists = Object.fromEntries(headers.map((h) => [h, expected.lists[h] ?? null]));
  for (const row of [2, sheet.getMaxRows()]) {
    const formats = sheet.getRange(row, 1, 1, headers.length).getNumberFormats()[0] ?? [];
    expect(Object.fromEntries(headers.map((h, j) => [h, kind(formats[j] ?? "")]))).toEqual(expectedKinds);
    const rules = sheet.getRange(row, 1, 1, headers.length).getDataValidations()[0] ?? [];
    const lists = headers.map((h, j) => {
      const rule = rules[j];
      return [
        h,
        rule && String(rule.getCriteriaType()) === "VALUE_IN_LIST" ? rule.getCriteriaValues()[0] : null,
      ];
    });
    expect(Object.fromEntries(lists)).toEqual(expectedLists);
  }
  return headers;
}

/** Findings as [cell, code, severity] in sheet order. */
const cellsOf = (findings: Finding[]) => findings.map((f) => [f.a1, f.code, f.severity]);

/** The active sheet's highlighted cells are exactly the findings' cells, each note holding its messages. */
function expectHighlightsFor(workbook: Workbook, findings: Finding[]) {
  const shown = highlights(workbook);
  const byCell = new Map<string, string[]>();
  // A cell in a common form of a value is listed (Fix N cells) but never painted: the importer reads it.
  for (const f of findings.filter((finding) => finding.code !== "fixable"))
    byCell.set(String(f.a1), [...(byCell.get(String(f.a1)) ?? []), f.message]);
  expect(Object.keys(shown).sort()).toEqual([...byCell.keys()].sort());
  for (const [cell, messages] of byCell) for (const m of messages) expect(shown[cell]?.note).toContain(m);
}

interface ReportTab {
  name: string;
  frozenRows: number;
  header: unknown[];
  /** [source row, outcome, key, messages] per row. */
  lines: unknown[][];
  summary: Record<string, unknown>;
}

function readReport(workbook: Workbook, name: string): ReportTab {
  const sheet = sheetOf(workbook, name);
  const values = sheet.getDataRange().getValues();
  const summary: Record<string, unknown> = {};
  // The summary's two columns are the tab's last, after the table and a blank column.
  const at = (values[0]?.length ?? 7) - 2;
  for (const line of values)
    if (line[at] !== "" && line[at] !== undefined) summary[String(line[at])] = line[at + 1];
  return {
    name: sheet.getName(),
    frozenRows: sheet.getFrozenRows(),
    header: values[0]?.slice(0, 4) ?? [],
    lines: values.slice(1).flatMap((line) => (line[0] === "" ? [] : [line.slice(0, 4)])),
    summary,
  };
}

/** The report tab's summary as the import resource says it should read. */
async function expectReportSummary(
  report: ReportTab,
  progress: ImportProgress,
  label: string,
  counts: { rows: number; created: number; updated: number; skipped: number; repeats?: number },
  options: string,
  timeZone = "Etc/UTC",
) {
  const imp = await service.get(`/v1/imports/${progress.importId}`);
  expect(imp.status).toBe("completed");
  // The tab is named for when the import finished, in the spreadsheet's time zone.
  const finished = new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(new Date(imp.completed_at));
  expect(report.summary.Finished).toBe(finished);
  expect(report.name).toBe(`${label} import ${finished}`);
  expect(report.frozenRows).toBe(1);
  expect(report.header).toEqual(["Source row", "Outcome", "Key", "Messages"]);
  expect(report.summary).toMatchObject({
    Import: label,
    "Import id": progress.importId,
    Status: "completed",
    "Imported by": "admin@demo.test",
    Source: "Sheet1",
    Options: options,
    Rows: counts.rows,
    Created: counts.created,
    Updated: counts.updated,
    Skipped: counts.skipped,
  });
  expect({ ...imp.counts }).toEqual({ repeats: 0, ...counts });
  // Objects whose rows can repeat an earlier import's say how many did.
  if (["Rewards", "Transactions", "Leads"].includes(label))
    expect(report.summary.Repeats).toBe(imp.counts.repeats);
  else expect(report.summary.Repeats).toBeUndefined();
}

describe("partners", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  const choice = choiceOf("partners");
  beforeAll(async () => {
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key", "tags"],
      ["dana@example.com", "P-dana", "old"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("Insert template headers writes the CSV template's headers, text keys and postal code, a date column and drop-downs", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "partners-template.csv",
      required: ["partner_email", "partner_key"],
      text: ["partner_key", "group_key", "tier_key", "shipping_address_postal"],
      date: ["partner_joined_date"],
      lists: {
        group_key: ["default", "referral", "resellers"],
        tier_key: ["silver", "gold"],
        region: ["AMER", "EMEA", "APAC"],
      },
    });
  });

  it("Validate highlights exactly the bad cells, each with its message, and lists them with codes", () => {
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["ann@example.com", "P-ann", "Ann", "Lee", "2021-01-05", "default", "gold", "vip, east"],
      ["bob(at)example.com", "P-bob", "Bob", "", "2021-02-30", "Default", "platinum"],
      ["cy@example.com", "P-ann", "Cy"],
      ["", "P-ghost", "Ghost"],
      ["dana@example.com", "", "Dana", "", "", "", "", "new"],
    ]);
    writeRows(workbook, workbook.activeSheet, 2, 13, [
      ["00123", "CA", "EMEA"],
      ["", "", "Mars"],
    ]);
    // The postal column is text: the code keeps its zeros.
    expect(sheetOf(workbook).getRange("M2").getValue()).toBe("00123");

    const view = call(host, "validate", choice);
    expect(view).toMatchObject({
      sheetName: "Sheet1",
      headerRow: 1,
      blocked: false,
      headerAlerts: [],
      rows: 5,
      rowsWithErrors: 2,
      errors: 5,
      warnings: 1,
      truncated: false,
      highlighted: 5,
      fixable: 1,
    });
    expect(cellsOf(view.findings)).toEqual([
      ["A3", "invalid_email", "error"],
      ["E3", "invalid_date", "error"],
      ["F3", "fixable", "warning"],
      ["G3", "invalid_choice", "error"],
      ["O3", "invalid_choice", "error"],
      ["B4", "duplicate_in_file", "error"],
    ]);
    expect(view.fixes).toEqual([
      { row: 3, column: 6, a1: "F3", field: "group_key", from: "Default", to: "default" },
    ]);
    expect(view.findings[5].message).toBe(
      'partner_key "P-ann" is also in row 2; a partner can be in one row of an import only',
    );
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights, and validating again finds nothing", () => {
    typeRows(host, workbook, 3, 1, [["bob@example.com"]]);
    expect(Object.keys(highlights(workbook)).sort()).toEqual(["B4", "E3", "G3", "O3"]);
    typeRows(host, workbook, 3, 5, [["2021-02-28", "default", "silver"]]);
    typeRows(host, workbook, 3, 15, [["APAC"]]);
    typeRows(host, workbook, 4, 2, [["P-cy"]]);
    expect(highlights(workbook)).toEqual({});
    expect(call(host, "validate", choice)).toMatchObject({ rows: 5, errors: 0, warnings: 0, highlighted: 0 });
  });

  it("a dry run counts what would be created, updated and skipped, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    expect(dry).toMatchObject({
      dryRun: true,
      status: "completed",
      rowsTotal: 5,
      rowsSent: 5,
      counts: { created: 3, updated: 1, skipped: 1 },
      issuedUsdCents: null,
      reportSheet: null,
    });
    expect(cellsOf(dry.skippedFindings)).toEqual([["B5", "partner_email_required", "error"]]);
    expect(await stored("partners", "P-ann")).toEqual([]);
    expect((await stored("partners", "P-dana"))[0]?.tags).toEqual(["old"]);
    expect(workbook.sheets.map((s) => s.name)).toEqual(["Sheet1"]);
  });

  it("the import stores the rows: new partners with their fields, tags added to an existing one", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({
      dryRun: false,
      status: "completed",
      counts: { created: 3, updated: 1, skipped: 1 },
    });
    expect(await stored("partners", "P-ann")).toMatchObject([
      {
        partner_email: "ann@example.com",
        first_name: "Ann",
        last_name: "Lee",
        partner_joined_date: "2021-01-05",
        group_key: "default",
        tier_key: "gold",
        tags: ["vip", "east"],
        shipping_address_postal: "00123",
        shipping_address_country: "CA",
        fields: { region: "EMEA" },
      },
    ]);
    expect(await stored("partners", "P-bob")).toMatchObject([
      {
        partner_email: "bob@example.com",
        partner_joined_date: "2021-02-28",
        group_key: "default",
        tier_key: "silver",
        fields: { region: "APAC" },
      },
    ]);
    expect(await stored("partners", "P-cy")).toHaveLength(1);
    expect(await stored("partners", "P-ghost")).toEqual([]);
    expect(await stored("partners", "P-dana")).toMatchObject([{ first_name: "Dana", tags: ["old", "new"] }]);

    const report = readReport(workbook, String(done.reportSheet));
    // Skipped rows first, known by their own key.
    expect(report.lines).toEqual([
      [
        5,
        "skipped",
        "P-ghost",
        'error: No partner has partner_key "P-ghost"; a new partner needs a partner_email',
      ],
      [2, "created", "P-ann", ""],
      [3, "created", "P-bob", ""],
      [4, "created", "P-cy", ""],
      // An update's messages say what it changed: tags are added, never removed.
      [
        6,
        "updated",
        "P-dana",
        'first_name changed: was (blank) → now "Dana"\ntags changed: was "old" → now "old, new"',
      ],
    ]);
    await expectReportSummary(
      report,
      done,
      "Partners",
      { rows: 5, created: 3, updated: 1, skipped: 1 },
      "import, invite emails not sent",
    );
  });
});

describe("Insert template headers on a sheet that has data", () => {
  it("puts the header row above rows that have none, and refuses a sheet whose headers are there", async () => {
    const workbook = new Workbook();
    writeRows(workbook, workbook.activeSheet, 3, 1, [["ann@example.com", "P-above"]]);
    const host = loadAddonFor({ url: service.url, workbook });
    try {
      const choice = choiceOf("partners");
      expect(call(host, "insertTemplate", choice)).toMatchObject({ sheetName: "Sheet1", insertedRow: true });
      const sheet = sheetOf(workbook);
      expect(sheet.getRange("A3:B4").getValues()).toEqual([
        ["partner_email", "partner_key"],
        ["ann@example.com", "P-above"],
      ]);
      expect(sheet.getFrozenRows()).toBe(3);
      expect(sheet.getRange("B5").getNumberFormat()).toBe("@");
      expect(() => call(host, "insertTemplate", choice)).toThrow(
        "Row 3 already holds partners headers (partner_email, partner_key, first_name, …). Use Validate to check them, or clear that row to insert the template.",
      );
      expect(sheet.getRange("A2:A5").getValues()).toEqual([
        [""],
        ["partner_email"],
        ["ann@example.com"],
        [""],
      ]);
    } finally {
      await host.close();
    }
  });
});

describe("customers", () => {
  // Dates typed in New York must reach the service as the day typed.
  const workbook = new Workbook({ timeZone: "America/New_York" });
  let host: AddonHost;
  const choice = choiceOf("customers");
  beforeAll(async () => {
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key"],
      ["owner@example.com", "P-owner"],
    ]);
    await importFirst(service, "customers", null, [
      ["email", "customer_key", "name"],
      ["ole@example.com", "cus_000", "Ole"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("Insert template headers writes the CSV template's headers, text keys and postal code, a date column", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "customers-template.csv",
      required: ["email"],
      text: ["customer_key", "partner_key", "postal"],
      date: ["created_at"],
      lists: {},
    });
  });

  it("Validate highlights exactly the bad cells, each with its message, and lists them with codes", () => {
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      [
        "marlie@example.com",
        "cus_001",
        "P-owner",
        "Marlie",
        "2021-03-04",
        "Marlie Co",
        "NY",
        "Unit 1",
        "02134",
      ],
      ["", "cus_002", "", "Kim", "04/31/2021"],
      ["rex@example.com", "cus 003", "", "Rex"],
      ["zed@example.com", "cus_004", "P-nobody", "Zed"],
      ["OLE@example.com", "cus_000", "", "Ole Updated"],
    ]);
    const view = call(host, "validate", choice);
    expect(view).toMatchObject({ rows: 5, rowsWithErrors: 2, errors: 3, warnings: 1, highlighted: 3 });
    expect(cellsOf(view.findings)).toEqual([
      ["E3", "invalid_date", "error"],
      ["A3", "required", "error"],
      ["B4", "invalid_key", "error"],
      ["A6", "fixable", "warning"],
    ]);
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights, and validating again finds nothing", () => {
    typeRows(host, workbook, 3, 1, [["kim@example.com"]]);
    typeRows(host, workbook, 3, 5, [["2021-04-30"]]);
    typeRows(host, workbook, 4, 2, [["cus_003"]]);
    expect(highlights(workbook)).toEqual({});
    expect(call(host, "validate", choice)).toMatchObject({ rows: 5, errors: 0, highlighted: 0 });
  });

  it("a dry run counts what would be created, updated and skipped, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    expect(dry).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(cellsOf(dry.skippedFindings)).toEqual([["C5", "unknown_partner", "error"]]);
    expect(await stored("customers", "cus_001")).toEqual([]);
    expect((await stored("customers", "cus_000"))[0]?.name).toBe("Ole");
  });

  it("the import stores the customers, with the day typed, the postal code's zeros and the partner", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(await stored("customers", "cus_001")).toMatchObject([
      {
        email: "marlie@example.com",
        partner_key: "P-owner",
        name: "Marlie",
        created_at: "2021-03-04",
        company_name: "Marlie Co",
        state: "NY",
        unit: "Unit 1",
        postal: "02134",
      },
    ]);
    expect(await stored("customers", "cus_002")).toMatchObject([
      { email: "kim@example.com", created_at: "2021-04-30" },
    ]);
    expect(await stored("customers", "cus_003")).toHaveLength(1);
    expect(await stored("customers", "cus_004")).toEqual([]);
    expect(await stored("customers", "cus_000")).toMatchObject([
      { email: "ole@example.com", name: "Ole Updated" },
    ]);

    const report = readReport(workbook, String(done.reportSheet));
    expect(report.lines.map((l) => l.slice(0, 3))).toEqual([
      [5, "skipped", "cus_004"],
      [2, "created", "cus_001"],
      [3, "created", "cus_002"],
      [4, "created", "cus_003"],
      [6, "updated", "cus_000"],
    ]);
    expect(report.lines[0]?.[3]).toMatch(/^error: No partner has partner_key "P-nobody"/);
    await expectReportSummary(
      report,
      done,
      "Customers",
      { rows: 5, created: 3, updated: 1, skipped: 1 },
      "import",
      "America/New_York",
    );
  });
});

describe("transactions", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  const choice = choiceOf("transactions");
  beforeAll(async () => {
    await importFirst(service, "customers", null, [
      ["email", "customer_key"],
      ["t1@example.com", "cus_t1"],
    ]);
    await importFirst(service, "transactions", null, [
      ["customer_key", "amount", "key"],
      ["cus_t1", "100", "txn_0000"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("Insert template headers writes the CSV template's headers, text keys and a date column", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "transactions-template.csv",
      required: ["customer_key", "customer_email", "amount"],
      text: ["customer_key", "key", "category_key", "product_key"],
      date: ["created_at"],
      lists: {},
    });
  });

  it("Validate highlights exactly the bad cells, each with its message, and lists them with codes", () => {
    // A metadata column after the template's.
    writeRows(workbook, workbook.activeSheet, 1, 9, [["metadata.agreement_no"]]);
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["cus_t1", "", "40000", "USD", "txn_0001", "2021-05-06", "subs", "pro", "AG-1"],
      ["", "t1@example.com", "400.50", "XYZ", "txn_0002"],
      ["cus_t1", "", "100", "EUR", "tx1"],
      ["cus_missing", "", "500", "", "txn_0005"],
      ["cus_t1", "", "200", "", "txn_0000"],
    ]);
    const view = call(host, "validate", choice);
    expect(view).toMatchObject({ rows: 5, rowsWithErrors: 2, errors: 2, warnings: 1, highlighted: 2 });
    expect(cellsOf(view.findings)).toEqual([
      ["C3", "fixable", "warning"],
      ["D3", "invalid_currency", "error"],
      ["E4", "too_short", "error"],
    ]);
    expect(view.findings[0].message).toBe('amount "400.5" is an amount in dollars; read as 40050 cents');
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights, and validating again finds nothing", () => {
    typeRows(host, workbook, 3, 3, [["40050", "usd"]]);
    typeRows(host, workbook, 4, 5, [["txn_0004"]]);
    expect(highlights(workbook)).toEqual({});
    expect(call(host, "validate", choice)).toMatchObject({ rows: 5, errors: 0, highlighted: 0 });
  });

  it("a dry run counts what would be created and skipped, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    expect(dry).toMatchObject({ status: "completed", counts: { created: 3, updated: 0, skipped: 2 } });
    expect(cellsOf(dry.skippedFindings)).toEqual([
      ["A5", "customer_not_found", "error"],
      ["E6", "transaction_exists", "error"],
    ]);
    expect(await stored("transactions", "txn_0001")).toEqual([]);
  });

  it("the import stores the transactions with their customer, currency, date and metadata", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({ status: "completed", counts: { created: 3, updated: 0, skipped: 2 } });
    expect(await stored("transactions", "txn_0001")).toMatchObject([
      {
        customer_key: "cus_t1",
        amount: 40000,
        currency: "USD",
        created_at: "2021-05-06",
        category_key: "subs",
        product_key: "pro",
        metadata: { agreement_no: "AG-1" },
      },
    ]);
    expect(await stored("transactions", "txn_0002")).toMatchObject([
      { customer_key: "cus_t1", amount: 40050, currency: "USD" },
    ]);
    expect(await stored("transactions", "txn_0004")).toMatchObject([{ amount: 100, currency: "EUR" }]);
    expect(await stored("transactions", "txn_0005")).toEqual([]);
    expect(await stored("transactions", "txn_0000")).toMatchObject([{ amount: 100 }]);

    const report = readReport(workbook, String(done.reportSheet));
    expect(report.lines.map((l) => l.slice(0, 3))).toEqual([
      [5, "skipped", "txn_0005"],
      [6, "skipped", "txn_0000"],
      [2, "created", "txn_0001"],
      [3, "created", "txn_0002"],
      [4, "created", "txn_0004"],
    ]);
    expect(report.lines[0]?.[3]).toMatch(/^error: No customer has customer_key "cus_missing"/);
    expect(report.lines[1]?.[3]).toMatch(/^error: A transaction with key "txn_0000" exists already/);
    await expectReportSummary(
      report,
      done,
      "Transactions",
      { rows: 5, created: 3, updated: 0, skipped: 2 },
      "import",
    );
  });
});

describe("rewards", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  const choice = choiceOf("rewards");
  beforeAll(async () => {
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key"],
      ["rw@example.com", "P-rw"],
    ]);
    await importFirst(service, "customers", null, [
      ["email", "customer_key"],
      ["crw@example.com", "cus_rw"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("Insert template headers writes the CSV template's headers, text keys and drop-downs", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "rewards-template.csv",
      required: ["partner_key", "amount_in_cents", "body"],
      text: ["partner_key", "target_key", "key"],
      date: [],
      lists: {
        target_type: ["customer", "transaction"],
        status: ["pending", "declined", "hold", "approved", "paid"],
        is_external: ["TRUE", "FALSE"],
      },
    });
  });

  it("Validate highlights errors and a warning, each with its message, and lists them with codes", () => {
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["P-rw", "1000", "Bonus", "", "", "2021-11-05", "EUR"],
      ["P-rw", "2500", "Referral", "customer", "cus_rw", "", "CAD", "approved", "", "TRUE"],
      ["P-rw", "10.5", "", "transaction", "", "", ""],
      ["P-rw", "300", "Declined?", "", "", "", "", "pending", "dup"],
      ["P-nobody", "700", "Nobody"],
      ["P-rw", "100", "Yen", "", "", "", "JPY"],
    ]);
    const view = call(host, "validate", choice);
    expect(view).toMatchObject({ rows: 6, rowsWithErrors: 1, errors: 2, warnings: 2, highlighted: 3 });
    expect(cellsOf(view.findings)).toEqual([
      ["B4", "fixable", "warning"],
      ["C4", "required", "error"],
      ["E4", "required", "error"],
      ["I5", "ignored_value", "warning"],
    ]);
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights; the warning stays", () => {
    typeRows(host, workbook, 4, 2, [["2000", "Fixed", ""]]);
    typeRows(host, workbook, 4, 7, [["GBP"]]);
    expect(Object.keys(highlights(workbook))).toEqual(["I5"]);
    expect(call(host, "validate", choice)).toMatchObject({ rows: 6, errors: 0, warnings: 1, highlighted: 1 });
  });

  it("a dry run counts what would be created and skipped and the US cents it would issue, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    // 1000 EUR cents at 1.08, 2500 CAD at 0.72, 2000 GBP at 1.27, 300 USD.
    expect(dry).toMatchObject({
      status: "completed",
      counts: { created: 4, updated: 0, skipped: 2 },
      issuedUsdCents: 1080 + 1800 + 2540 + 300,
    });
    expect(cellsOf(dry.skippedFindings)).toEqual([
      ["A6", "unknown_partner", "error"],
      ["G7", "unknown_currency_rate", "error"],
    ]);
    expect(await stored("rewards", "P-rw")).toEqual([]);
  });

  it("the import stores the rewards in US cents, keeping the original amount and currency", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({
      status: "completed",
      counts: { created: 4, updated: 0, skipped: 2 },
      issuedUsdCents: 5720,
    });
    const rewards = (await stored("rewards", "P-rw")).map((r) => ({
      body: r.body,
      usd: Number(r.amount_usd_cents),
      original: Number(r.original_amount_cents),
      currency: r.original_currency,
      target: r.target_key,
      status: r.status,
      external: r.is_external,
    }));
    expect(rewards).toEqual([
      {
        body: "Bonus",
        usd: 1080,
        original: 1000,
        currency: "EUR",
        target: null,
        status: "pending",
        external: false,
      },
      {
        body: "Referral",
        usd: 1800,
        original: 2500,
        currency: "CAD",
        target: "cus_rw",
        status: "approved",
        external: true,
      },
      {
        body: "Fixed",
        usd: 2540,
        original: 2000,
        currency: "GBP",
        target: null,
        status: "pending",
        external: false,
      },
      {
        body: "Declined?",
        usd: 300,
        original: 300,
        currency: "USD",
        target: null,
        status: "pending",
        external: false,
      },
    ]);

    const report = readReport(workbook, String(done.reportSheet));
    expect(report.lines.map((l) => l.slice(0, 2))).toEqual([
      [6, "skipped"],
      [7, "skipped"],
      [2, "created"],
      [3, "created"],
      [4, "created"],
      [5, "created"],
    ]);
    expect(report.lines[5]?.[3]).toMatch(/^warning: decline_reason is shown only for a declined reward/);
    expect(report.lines[1]?.[3]).toMatch(/^error: currency "JPY" has no rate to USD/);
    await expectReportSummary(
      report,
      done,
      "Rewards",
      { rows: 6, created: 4, updated: 0, skipped: 2 },
      "import",
    );
    expect(report.summary["Issued (USD)"]).toBe("$57.20");
  });
});

describe("leads (group referral)", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  const choice = choiceOf("leads", "referral");
  beforeAll(async () => {
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key", "group_key"],
      ["ref@example.com", "P-ref", "referral"],
      ["def@example.com", "P-def", "default"],
    ]);
    await importFirst(service, "leads", "referral", [
      ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"],
      ["P-ref", "old@example.com", "Old", "Lead", "lead_000", "3"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("the group chosen decides the columns: referral's lead fields are in its template only", () => {
    const referral = call(host, "templateCsv", choice).csv.trimEnd().split(",");
    const resellers = call(host, "templateCsv", choiceOf("leads", "resellers")).csv.trimEnd().split(",");
    expect(referral).toEqual([...resellers, "company_size", "industry"]);
    expect(() => call(host, "templateCsv", choiceOf("leads"))).toThrow(
      "Leads are imported into one group: choose a group (groups with leads: referral, resellers).",
    );
  });

  it("Insert template headers writes the CSV template's headers, text keys and drop-downs", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "leads-referral-template.csv",
      required: ["partner_key", "email", "first_name", "last_name", "company_size"],
      text: ["partner_key", "external_key"],
      date: [],
      lists: {
        status: ["open", "closed", "dead", "closed won", "closed lost"],
        industry: ["SaaS", "Retail", "Finance"],
      },
    });
  });

  it("validating the referral sheet as another group stops at the header of referral's own field", () => {
    const view = call(host, "validate", choiceOf("leads", "resellers"));
    expect(view.blocked).toBe(true);
    expect(cellsOf(view.headerAlerts)).toEqual([
      ["G1", "unknown_header", "error"],
      ["H1", "unknown_header", "error"],
    ]);
    expect(view.headerAlerts[0].message).toBe(
      'column G: "company_size" is a lead form field of the group Referral partners, not of Resellers',
    );
  });

  it("Validate highlights exactly the bad cells, each with its message, and lists them with codes", () => {
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["P-ref", "joe@example.com", "Joe", "Kirby", "open", "lead_001", "50", "SaaS"],
      ["P-ref", "ann at example", "Ann", "", "Open", "lead_002", "fifty", "Tech"],
      ["P-def", "kim@example.com", "Kim", "Lo", "", "lead_003", "10"],
      ["P-none", "x@example.com", "X", "Y", "", "lead_004", "5"],
      ["P-ref", "old@example.com", "Old", "Lead", "closed", "lead_000", "20"],
    ]);
    const view = call(host, "validate", choice);
    expect(view).toMatchObject({ blocked: false, rows: 5, rowsWithErrors: 1, errors: 4, highlighted: 4 });
    expect(cellsOf(view.findings)).toEqual([
      ["B3", "invalid_email", "error"],
      ["E3", "fixable", "warning"],
      ["G3", "invalid_number", "error"],
      ["H3", "invalid_choice", "error"],
      ["D3", "required", "error"],
    ]);
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights, and validating again finds nothing", () => {
    typeRows(host, workbook, 3, 2, [["ann@example.com", "Ann", "Lee", "open"]]);
    typeRows(host, workbook, 3, 7, [["12", "Retail"]]);
    expect(highlights(workbook)).toEqual({});
    expect(call(host, "validate", choice)).toMatchObject({ rows: 5, errors: 0, highlighted: 0 });
  });

  it("a dry run counts what would be created, updated and skipped, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    expect(dry).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(cellsOf(dry.skippedFindings)).toEqual([["A5", "unknown_partner", "error"]]);
    expect(await stored("leads", "lead_001")).toEqual([]);
  });

  it("the import stores the leads in the group, with the group's lead fields", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(await stored("leads", "lead_001")).toMatchObject([
      {
        group_key: "referral",
        partner_key: "P-ref",
        email: "joe@example.com",
        first_name: "Joe",
        last_name: "Kirby",
        status: "open",
        fields: { company_size: 50, industry: "SaaS" },
      },
    ]);
    expect(await stored("leads", "lead_002")).toMatchObject([
      { last_name: "Lee", status: "open", fields: { company_size: 12, industry: "Retail" } },
    ]);
    expect(await stored("leads", "lead_003")).toMatchObject([
      { partner_key: "P-def", group_key: "referral" },
    ]);
    expect(await stored("leads", "lead_004")).toEqual([]);
    expect(await stored("leads", "lead_000")).toMatchObject([
      { status: "closed", fields: { company_size: 20 } },
    ]);

    const report = readReport(workbook, String(done.reportSheet));
    expect(report.lines.map((l) => l.slice(0, 3))).toEqual([
      [5, "skipped", "lead_004"],
      [2, "created", "lead_001"],
      [3, "created", "lead_002"],
      [4, "created", "lead_003"],
      [6, "updated", "lead_000"],
    ]);
    expect(report.lines[3]?.[3]).toMatch(
      /^warning: Partner "P-def" is in the group "default", not "referral"/,
    );
    expect(report.lines[0]?.[3]).toMatch(/^error: No partner has partner_key "P-none"/);
    await expectReportSummary(
      report,
      done,
      "Leads",
      { rows: 5, created: 3, updated: 1, skipped: 1 },
      "import, group referral",
    );
  });
});

describe("deals (group resellers)", () => {
  const workbook = new Workbook();
  let host: AddonHost;
  const choice = choiceOf("deals", "resellers");
  beforeAll(async () => {
    await importFirst(service, "partners", null, [
      ["partner_email", "partner_key", "group_key"],
      ["res@example.com", "P-res", "resellers"],
    ]);
    await importFirst(service, "deals", "resellers", [
      ["amount", "close_date", "external_key", "stage"],
      ["100", "2021-01-01", "deal_000", "Working"],
    ]);
    host = loadAddonFor({ url: service.url, workbook });
  });
  afterAll(() => host?.close());

  it("Insert template headers writes the CSV template's headers, text keys, date columns and the group's stages", () => {
    insertAndCheckTemplate(host, workbook, choice, {
      fileName: "deals-resellers-template.csv",
      required: ["amount", "close_date", "external_key", "stage"],
      text: ["external_key", "partner_key"],
      date: ["close_date", "created_at"],
      lists: { stage: ["Working", "Negotiation", "Closed won", "Closed lost"] },
    });
  });

  it("Validate highlights exactly the bad cells, each with its message, and lists them with codes", () => {
    writeRows(workbook, workbook.activeSheet, 2, 1, [
      ["10000", "2021-06-30", "deal_001", "Working", "P-res", "Kirby Co", "Joe", "Kirby", "2021-06-01"],
      ["100.5", "June 30", "deal_002", "Won"],
      ["5000", "2021-07-01", "deal_001", "Negotiation"],
      ["7000", "2021-07-02", "deal_005", "Working", "P-none"],
      ["9000", "2021-07-03", "deal_000", "Closed won"],
    ]);
    const view = call(host, "validate", choice);
    expect(view).toMatchObject({ rows: 5, rowsWithErrors: 2, errors: 3, highlighted: 3 });
    expect(cellsOf(view.findings)).toEqual([
      ["A3", "fixable", "warning"],
      ["B3", "invalid_date", "error"],
      ["D3", "invalid_choice", "error"],
      ["C4", "duplicate_in_file", "error"],
    ]);
    expectHighlightsFor(workbook, view.findings);
  });

  it("fixing the highlighted cells clears their highlights, and validating again finds nothing", () => {
    typeRows(host, workbook, 3, 1, [["10050", "2021-06-30", "deal_002", "Closed lost"]]);
    typeRows(host, workbook, 4, 3, [["deal_003"]]);
    expect(highlights(workbook)).toEqual({});
    expect(call(host, "validate", choice)).toMatchObject({ rows: 5, errors: 0, highlighted: 0 });
  });

  it("a dry run counts what would be created, updated and skipped, and stores nothing", async () => {
    const dry = runImport(host, choice, true);
    expect(dry).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(cellsOf(dry.skippedFindings)).toEqual([["E5", "unknown_partner", "error"]]);
    expect(await stored("deals", "deal_001")).toEqual([]);
    expect((await stored("deals", "deal_000"))[0]?.stage).toBe("Working");
  });

  it("the import stores the deals in the group, with their dates, stage and partner", async () => {
    const done = runImport(host, choice, false);
    expect(done).toMatchObject({ status: "completed", counts: { created: 3, updated: 1, skipped: 1 } });
    expect(await stored("deals", "deal_001")).toMatchObject([
      {
        group_key: "resellers",
        amount: 10000,
        close_date: "2021-06-30",
        stage: "Working",
        partner_key: "P-res",
        account_name: "Kirby Co",
        contact_first_name: "Joe",
        contact_last_name: "Kirby",
        created_at: "2021-06-01",
      },
    ]);
    expect(await stored("deals", "deal_002")).toMatchObject([{ amount: 10050, stage: "Closed lost" }]);
    expect(await stored("deals", "deal_003")).toMatchObject([{ amount: 5000, stage: "Negotiation" }]);
    expect(await stored("deals", "deal_005")).toEqual([]);
    expect(await stored("deals", "deal_000")).toMatchObject([{ amount: 9000, stage: "Closed won" }]);

    const report = readReport(workbook, String(done.reportSheet));
    expect(report.lines.map((l) => l.slice(0, 3))).toEqual([
      [5, "skipped", "deal_005"],
      [2, "created", "deal_001"],
      [3, "created", "deal_002"],
      [4, "created", "deal_003"],
      [6, "updated", "deal_000"],
    ]);
    await expectReportSummary(
      report,
      done,
      "Deals",
      { rows: 5, created: 3, updated: 1, skipped: 1 },
      "import, group resellers",
    );
  });
});

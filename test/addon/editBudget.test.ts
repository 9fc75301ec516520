// onEdit's budget on a big sheet: a simple trigger has 30 s (Google's quota page), and every edit of a
// validated sheet runs it. On 100,000 rows × 20 columns, a one-cell edit and a 1,000-row paste each stay
// far within 30 s projected by the latency model, in a handful of Spreadsheet calls, without reading the
// whole sheet, and with the highlights Validate would give.
// https://developers.google.com/apps-script/guides/triggers#restrictions
import { CallLog } from "../../src/emulator/calls";
import type { AddonHost } from "../../src/emulator/host";
import type { CellValue } from "../../src/emulator/spreadsheet/cell";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf, sheetOf, typeRows } from "./asPerson";
import { call, fillSheet, loadAddonFor, startService, type TestService } from "./harness";

const ROWS = 100_000;
const METADATA = Array.from({ length: 13 }, (_, i) => `metadata.m${i + 1}`);
const HEADERS = [
  "customer_key",
  "amount",
  "currency",
  "key",
  "created_at",
  "category_key",
  "product_key",
  ...METADATA,
];
/** A trigger's 30 s, and what one edit may take of it here. */
const SIMPLE_TRIGGER_MS = 30_000;
const MAX_SHEET_CALLS = 30;
/** Every that-many-th transaction has an amount that is not whole cents, nor dollars and cents (column B). */
const BAD_EVERY = 1000;
const transactions = choiceOf("transactions");

/** Sheet row of the i-th transaction (0-based), under the header. */
const rowOf = (i: number) => i + 2;

function transactionRows(n: number): CellValue[][] {
  return Array.from({ length: n }, (_, i) => [
    `cus-${i % 5000}`,
    i % BAD_EVERY === BAD_EVERY - 1 ? 12.345 : 1000 + i,
    "USD",
    `txn-${i}`,
    new Date(Date.UTC(2021, i % 12, 1 + (i % 28))),
    `cat-${i % 7}`,
    `prod-${i % 11}`,
    ...METADATA.map((_, m) => `v${(i + m) % 9}`),
  ]);
}

let service: TestService;
let workbook: Workbook;
let host: AddonHost;
const calls = new CallLog();

beforeAll(async () => {
  service = await startService();
  workbook = new Workbook();
  fillSheet(workbook.activeSheet, HEADERS, transactionRows(ROWS));
  host = loadAddonFor({ url: service.url, workbook, calls });
  call(host, "loadSidebar");
  const view = call(host, "validate", transactions);
  expect(view).toMatchObject({ rows: ROWS, blocked: false, errors: ROWS / BAD_EVERY });
}, 300_000);

afterAll(async () => {
  await host?.close();
  await service?.stop();
});

const note = (a1: string) => sheetOf(workbook).getRange(a1).getNote();

/** Types rows as a person would (onEdit fires); the calls and projected time of that one execution. */
function edit(row: number, column: number, rows: string[][]) {
  calls.reset();
  const from = host.executions.length;
  typeRows(host, workbook, row, column, rows);
  const executions = host.executions.slice(from);
  // One execution, the trigger's, ended without error: the emulator ends one past 30 s projected.
  expect(executions).toEqual([expect.objectContaining({ name: "onEdit", trigger: "simple" })]);
  expect(executions[0]?.error).toBeUndefined();
  expect(executions[0]?.projectedMs).toBeLessThan(SIMPLE_TRIGGER_MS);
  return {
    projectedMs: calls.projectedMs,
    sheetCalls: calls.total("SpreadsheetApp"),
  };
}

describe(`onEdit on a validated sheet of ${ROWS.toLocaleString("en-US")} rows × ${HEADERS.length} columns`, () => {
  it("a one-cell edit typing a key that a row far below holds: that row is flagged, within the budget", () => {
    const spent = edit(rowOf(50_000), 4, [["txn-80000"]]);
    expect(spent.projectedMs).toBeLessThan(SIMPLE_TRIGGER_MS);
    // Reading the whole sheet alone would cost 2,000,000 cells × 2 µs = 4 s; the edit costs far less.
    expect(spent.projectedMs).toBeLessThan(3_000);
    expect(spent.sheetCalls).toBeLessThanOrEqual(MAX_SHEET_CALLS);
    expect(note(`D${rowOf(80_000)}`)).toContain(`key "txn-80000" is also in row ${rowOf(50_000)}`);
    expect(note(`D${rowOf(50_000)}`)).toBe("");

    // Typed back: the row below is the only "txn-80000" again, and its flag goes.
    const back = edit(rowOf(50_000), 4, [["txn-50000"]]);
    expect(back.projectedMs).toBeLessThan(3_000);
    expect(note(`D${rowOf(80_000)}`)).toBe("");
  }, 120_000);

  it("a 1,000-row paste over 20 columns: its bad cells and a key repeated below are flagged, within the budget", () => {
    const from = 20_000;
    const pasted = Array.from({ length: 1000 }, (_, j) => [
      `cus-new-${j}`,
      j === 1 ? "ten dollars" : String(500 + j),
      "USD",
      j === 0 ? "txn-90000" : `new-${j}`,
      "2022-01-15",
      "cat-1",
      "prod-1",
      ...METADATA.map(() => "pasted"),
    ]);
    // A row the paste overwrites had a bad amount: it is good now.
    const fixed = rowOf(from + 999);
    expect(note(`B${fixed}`)).toContain("amount");

    const spent = edit(rowOf(from), 1, pasted);
    expect(spent.projectedMs).toBeLessThan(SIMPLE_TRIGGER_MS);
    expect(spent.projectedMs).toBeLessThan(5_000);
    expect(spent.sheetCalls).toBeLessThanOrEqual(MAX_SHEET_CALLS);

    expect(note(`B${rowOf(from + 1)}`)).toContain('amount "ten dollars" is not a whole number of cents');
    expect(note(`B${fixed}`)).toBe("");
    expect(note(`D${rowOf(90_000)}`)).toContain(`key "txn-90000" is also in row ${rowOf(from)}`);
    // Only those two cells of the pasted block are highlighted.
    const block = sheetOf(workbook).getRange(rowOf(from), 1, 1000, HEADERS.length).getNotes();
    const flagged = block.flatMap((line, i) => line.flatMap((n, j) => (n ? [[rowOf(from) + i, j + 1]] : [])));
    expect(flagged).toEqual([[rowOf(from + 1), 2]]);
  }, 120_000);
});

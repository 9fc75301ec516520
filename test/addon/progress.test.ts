// Import progress moves from the first call and at least every 5,000 rows: each call from the sidebar
// (startImport, then continueImport until done) sends at most 5,000 rows. The real bundle in the
// emulator, against a real service.
import type { ImportProgress } from "../../src/addon/contract";
import type { AddonHost } from "../../src/emulator/host";
import { Workbook } from "../../src/emulator/spreadsheet/workbook";
import { choiceOf } from "./asPerson";
import {
  call,
  fillSheet,
  loadAddonFor,
  PARTNER_HEADERS,
  partnerRows,
  startService,
  type TestService,
} from "./harness";

let service: TestService;
let host: AddonHost | undefined;
beforeAll(async () => {
  service = await startService();
}, 120_000);
afterAll(async () => {
  await host?.close();
  await service?.stop();
});

test("a 12,000-row import shows progress from its first call, and no call sends more than 5,000 rows", () => {
  const n = 12_000;
  const workbook = new Workbook();
  fillSheet(workbook.activeSheet, PARTNER_HEADERS, partnerRows(n, "progress"));
  host = loadAddonFor({ url: service.url, workbook });
  const partners = choiceOf("partners");

  const confirmed = call(host, "reviewImport", partners).fingerprint;
  let progress = call<ImportProgress>(host, "startImport", partners, false, confirmed);
  const seen = [progress];
  while (progress.status === "running") {
    progress = call<ImportProgress>(host, "continueImport");
    seen.push(progress);
  }

  expect(progress).toMatchObject({ status: "completed", rowsSent: n, rowsTotal: n });
  // The first answer already has rows sent, and each call after it moves on by 5,000 at most.
  expect(seen.map((p) => p.rowsSent)).toEqual([5_000, 10_000, 12_000]);
  expect(seen.slice(0, -1).every((p) => p.status === "running")).toBe(true);
});

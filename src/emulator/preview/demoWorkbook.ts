import { Workbook } from "../spreadsheet/workbook";
import { writeRows } from "./sheetEdits";

/**
 * The workbook a new user opens: partners and customers for the demo program, typed in as a person
 * would (so Sheets' reading of the input applies: `02134` loses its zero), with a few mistakes for the
 * add-on to find — a bad email, a tier and a region the program does not have, a date that is not one,
 * an unknown group and an unknown partner.
 */
export function demoWorkbook(): Workbook {
  const workbook = new Workbook({ name: "Partner program import (demo)" });
  const partners = workbook.sheets[0];
  if (!partners) throw new Error("A new workbook has a first tab.");
  workbook.renameSheet(partners, "Partners");
  fillTab(workbook, partners, [
    [
      "partner_email",
      "partner_key",
      "first_name",
      "last_name",
      "partner_joined_date",
      "group_key",
      "tier_key",
      "region",
      "shipping_address_postal",
    ],
    ["ada@agency.test", "agency", "Ada", "Lovelace", "2024-02-01", "referral", "gold", "EMEA", ""],
    [
      "erin@riverbend.test",
      "riverbend",
      "Erin",
      "Murphy",
      "2025-04-14",
      "resellers",
      "silver",
      "AMER",
      "02134",
    ],
    ["farid@@skyline.test", "skyline", "Farid", "Haddad", "2025-05-02", "referral", "", "APAC", ""],
    ["gita@lotus.test", "lotus", "Gita", "Rao", "2025-06-30", "resellers", "platinum", "Europe", ""],
    ["hugo@alpine.test", "alpine", "Hugo", "Weber", "31/06/2025", "default", "", "EMEA", "8001"],
    ["ivy@harbor.test", "harbor", "Ivy", "Chen", "2025-08-19", "vip", "silver", "AMER", "98101"],
  ]);
  partners.updateCells({ row: 1, column: 1, numRows: 1, numColumns: 1 }, (cell) => {
    cell.note =
      "Some of these rows have mistakes. Extensions › Channel Importer › Open importer checks them.";
  });

  fillTab(workbook, workbook.addSheet("Customers"), [
    ["email", "customer_key", "partner_key", "name", "created_at", "company_name", "postal"],
    ["maya@example.com", "cus_2001", "northwind", "Maya Singh", "2025-10-02", "Singh Labs", "10001"],
    ["noah@example.com", "cus_2002", "nowhere", "Noah Kim", "2025-10-09", "Kim Design", "60614"],
    ["olga@example.com", "cus_2003", "bluepeak", "Olga Petrova", "2025-10-12", "Petrova GmbH", "01067"],
  ]);
  workbook.activeSheet = partners;
  return workbook;
}

/** Types the rows in, with the header row bold and frozen. */
function fillTab(workbook: Workbook, sheet: Workbook["sheets"][number], rows: string[][]): void {
  writeRows(workbook, sheet, 1, 1, rows);
  sheet.updateCells({ row: 1, column: 1, numRows: 1, numColumns: rows[0]?.length ?? 1 }, (cell) => {
    cell.fontWeight = "bold";
  });
  sheet.frozenRows = 1;
}

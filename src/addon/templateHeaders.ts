/** The template's header row written into the sheet, formatted so that what is typed below reads right. */
import { analyseHeaders, columnLetter } from "../core/headers";
import { templateColumns, templateCsv } from "../core/template";
import type { ImportChoice, TemplateResult } from "./contract";
import { writeState } from "./documentState";
import { fetchCatalogue, readChoice, specFor } from "./programCatalogue";
import { isBlankRow, rememberSheetName } from "./sheetTable";

const REQUIRED_HEADER_COLOR = "#c6dafc";
const OPTIONAL_HEADER_COLOR = "#f1f3f4";
/** Key and postal columns are text, so "00123" keeps its zeros; date columns show YYYY-MM-DD. */
const FORMATS = { text: "@", date: "yyyy-mm-dd" } as const;

/**
 * Writes the header row into an empty sheet, or in a new row above data that has none. A sheet
 * whose first row already holds this object's headers is left alone: Validate checks those.
 */
export function insertTemplateRow(input: ImportChoice): TemplateResult {
  const choice = readChoice(input);
  writeState("choice", choice);
  const spec = specFor(choice, fetchCatalogue().catalogue);
  const columns = templateColumns(spec).filter((c) => c.inTemplate);

  const sheet = SpreadsheetApp.getActiveSheet();
  const values = sheet.getDataRange().getValues() as unknown[][];
  const first = values.findIndex((row) => !isBlankRow(row));
  let insertedRow = false;
  let headerRow = 1;
  if (first >= 0) {
    const existing = analyseHeaders(spec, values[first] ?? [], { headerRow: first + 1 });
    if (existing.columns.length > 0)
      throw new Error(
        `Row ${first + 1} already holds ${spec.label.toLowerCase()} headers (${existing.columns
          .slice(0, 3)
          .map((c) => c.header)
          .join(
            ", ",
          )}${existing.columns.length > 3 ? ", …" : ""}). Use Validate to check them, or clear that row to insert the template.`,
      );
    headerRow = first + 1;
    sheet.insertRowBefore(headerRow);
    insertedRow = true;
  }

  const width = columns.length;
  const header = sheet.getRange(headerRow, 1, 1, width);
  header.setValues([columns.map((c) => c.name)]);
  header.setFontWeight("bold");
  header.setBackgrounds([columns.map((c) => (c.required ? REQUIRED_HEADER_COLOR : OPTIONAL_HEADER_COLOR))]);
  header.setNotes([
    columns.map((c) =>
      [
        `${c.requirementText.charAt(0).toUpperCase()}${c.requirementText.slice(1)} · ${c.typeLabel}`,
        c.description,
        `Example: ${c.example}`,
        ...(c.options?.length ? [`One of: ${c.options.join(", ")}`] : []),
      ].join("\n"),
    ),
  ]);

  const below = headerRow + 1;
  for (const format of ["text", "date"] as const) {
    const cells = columns.flatMap((c, j) =>
      c.format === format ? [`${columnLetter(j + 1)}${below}:${columnLetter(j + 1)}`] : [],
    );
    if (cells.length > 0) sheet.getRangeList(cells).setNumberFormat(FORMATS[format]);
  }
  const rows = Math.max(sheet.getMaxRows() - headerRow, 1);
  columns.forEach((c, j) => {
    const choices = c.options?.length ? [...c.options] : c.type === "boolean" ? ["TRUE", "FALSE"] : null;
    if (!choices) return;
    const rule = SpreadsheetApp.newDataValidation()
      .requireValueInList(choices, true)
      .setAllowInvalid(true)
      .setHelpText(`${c.name}: one of ${choices.join(", ")}`)
      .build();
    sheet.getRange(below, j + 1, rows, 1).setDataValidation(rule);
  });
  sheet.setFrozenRows(headerRow);
  const sheetName = sheet.getName();
  rememberSheetName(sheet.getSheetId(), sheetName);
  return { sheetName, columns: width, insertedRow };
}

/** The same header row as a CSV file, for `Download CSV template`. */
export function templateFile(input: ImportChoice): { fileName: string; csv: string } {
  const choice = readChoice(input);
  const spec = specFor(choice, fetchCatalogue().catalogue);
  const suffix = choice.groupKey ? `-${choice.groupKey}` : "";
  return { fileName: `${choice.object}${suffix}-template.csv`, csv: templateCsv(spec) };
}

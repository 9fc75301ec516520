import { analyseHeaders, createRowChecker, OBJECTS, objectSpec } from "../src/core";
import { acmeProgram } from "../test/fixtures/program";
import { type Figure, measurePair } from "./measure";
import { sheetOf } from "./rows";
import { zodSchemas } from "./zodBaseline";

const ROWS = 100_000;

/** Validates 100,000 rows of each object with src/core, beside a per-row zod `safeParse` of the same rows. */
export async function benchCore(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const object of OBJECTS) {
    const groupKey = object === "leads" ? "referral" : object === "deals" ? "resellers" : null;
    const spec = objectSpec(object, { program: acmeProgram, groupKey });
    const { headers, rows } = sheetOf(object, ROWS);
    const cells = ROWS * headers.length;
    // The baseline gets its rows as objects already, so it is timed on validation alone.
    const objects = rows.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]])));
    const schema = zodSchemas[object];

    let ourErrors = 0;
    let zodErrors = 0;
    const [ours, baseline] = measurePair(
      () => {
        const plan = analyseHeaders(spec, headers);
        const checker = createRowChecker(plan, { expectedRows: rows.length });
        ourErrors = 0;
        for (let i = 0; i < rows.length; i++) if (!checker.check(i + 2, rows[i] as unknown[]).ok) ourErrors++;
      },
      () => {
        zodErrors = 0;
        for (const o of objects) if (!schema.safeParse(o).success) zodErrors++;
      },
    );
    figures.push({
      name: `core: validate ${ROWS.toLocaleString("en-US")} ${object} (${headers.length} columns)`,
      unit: "cells/s",
      value: cells / ours,
      baseline: cells / baseline,
      baselineName: "zod safeParse per row",
      higherIsBetter: true,
      note: `rows with errors: ours ${ourErrors}, zod ${zodErrors}`,
    });
  }
  return figures;
}

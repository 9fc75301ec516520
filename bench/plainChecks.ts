/**
 * A child of `npm run bench -- addon`: the core's checker (checkSheet) over partner rows, once, in a
 * fresh process, as Apps Script runs a script (a fresh runtime each execution, nothing warmed up). Reads
 * `{ size, prefix, badEvery, catalogue }` on stdin, builds the same rows the emulator's sheet holds and
 * prints `{ seconds, rowsWithErrors }`.
 */
import { readFileSync } from "node:fs";
import { checkSheet } from "../src/addon/sheetCheck";
import { dateFormatter, objectSpec } from "../src/core";
import type { ProgramCatalogue } from "../src/core/program";
import { PARTNER_HEADERS, partnerRows } from "../test/addon/harness";

const asked = JSON.parse(readFileSync(0, "utf8")) as {
  size: number;
  prefix: string;
  badEvery: number;
  catalogue: ProgramCatalogue;
};
const spec = objectSpec("partners", { program: asked.catalogue, groupKey: null });
const values: unknown[][] = [[...PARTNER_HEADERS], ...partnerRows(asked.size, asked.prefix, asked.badEvery)];
const started = process.hrtime.bigint();
const check = checkSheet(spec, values, 0, dateFormatter("Etc/UTC"));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, rowsWithErrors: check.rowsWithErrors }));

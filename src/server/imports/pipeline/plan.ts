import { analyseHeaders, type Issue, type ObjectName, objectSpec } from "../../../core";
import type { Queryable } from "../../db/database";
import { loadProgram } from "../../programs";
import type { ImportOptions } from "../types";

/**
 * The header plan of an import, from its stored headers and options and the program as it is now.
 * Imports started before mappings existed have no `mapping` or `header_row` in their options.
 */
export async function planFor(
  db: Queryable,
  programId: number,
  object: ObjectName,
  headers: unknown[],
  options: ImportOptions,
) {
  const program = await loadProgram(db, programId);
  const spec = objectSpec(object, { program, groupKey: options.group_key });
  const plan = analyseHeaders(spec, headers, {
    headerRow: options.header_row ?? 1,
    mapping: options.mapping ?? null,
  });
  return { program, spec, plan };
}

/**
 * A warning for each header the mapping names that the header row does not have: that entry was not
 * used. Not an error, so one mapping serves exports that sometimes lack a column (a Notes column set
 * to null); but a typo in a mapping's header is said, next to the unknown_header it usually causes.
 */
export function unusedMappingAlerts(headers: readonly unknown[], options: ImportOptions): Issue[] {
  if (!options.mapping) return [];
  const present = new Set(headers.map((h) => (h === null || h === undefined ? "" : String(h).trim())));
  return Object.entries(options.mapping)
    .filter(([header]) => !present.has(header.trim()))
    .map(([header, field]) => ({
      row: options.header_row ?? 1,
      column: null,
      field: null,
      severity: "warning" as const,
      code: "unknown_header" as const,
      message: `The mapping names the header "${header}" (${field === null ? "to be ignored" : `as ${field}`}), which the header row does not have; that entry was not used`,
    }));
}

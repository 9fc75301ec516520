import { analyseHeaders, type ObjectName, objectSpec } from "../../../core";
import type { Queryable } from "../../db/database";
import { loadProgram } from "../../programs";
import type { ImportOptions } from "../types";

/** The header plan of an import, from its stored headers and options and the program as it is now. */
export async function planFor(
  db: Queryable,
  programId: number,
  object: ObjectName,
  headers: unknown[],
  options: ImportOptions,
) {
  const program = await loadProgram(db, programId);
  const spec = objectSpec(object, { program, groupKey: options.group_key });
  const plan = analyseHeaders(spec, headers);
  return { program, spec, plan };
}

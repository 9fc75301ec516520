import type { Queryable } from "../../db/database";
import type { RowResult } from "../types";
import { getImport, importResource } from "./resource";

/** Every row's result, in the order of the rows; a copy of a row sent again in another chunk is left out. */
export async function importReport(db: Queryable, programId: number, importId: string) {
  const imp = await getImport(db, programId, importId);
  const { rows } = await db.query<{ results: RowResult[] }>(
    "SELECT results FROM import_chunks WHERE import_id = $1 ORDER BY first_row NULLS LAST, seq",
    [importId],
  );
  const results = rows.flatMap((r) => r.results.filter((result) => !isResent(result)));
  return { import: importResource(imp), results };
}

function isResent(result: RowResult): boolean {
  return result.issues.length === 1 && result.issues[0]?.code === "row_already_sent";
}

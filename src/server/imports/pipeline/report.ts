import type { Queryable } from "../../db/database";
import type { RowResult } from "../types";
import { getImport, type ImportResource, importResource } from "./resource";

/** Chunks read at a time: a report holds at most this many chunks' results in memory, whatever its size. */
const REPORT_PAGE_CHUNKS = 5;

export interface ImportReport {
  import: ImportResource;
  /** Every row's result, read from the database a page at a time as it is consumed. */
  results: AsyncIterable<RowResult>;
}

/** Every row's result, in the order of the rows; a copy of a row sent again in another chunk is left out. */
export async function importReport(
  db: Queryable,
  programId: number,
  importId: string,
): Promise<ImportReport> {
  const imp = await getImport(db, programId, importId);
  return { import: importResource(imp), results: resultsOf(db, importId) };
}

/**
 * The results chunk by chunk in the order of their first rows, in keyset pages: no transaction is
 * held between pages, so a slow reader never keeps the database from others. A chunk without rows
 * has no first row and nothing to give.
 */
async function* resultsOf(db: Queryable, importId: string): AsyncGenerator<RowResult> {
  let after: { first_row: number; seq: number } | null = null;
  for (;;) {
    const page: { rows: StoredResults[] } = await db.query<StoredResults>(
      `SELECT first_row, seq, results FROM import_chunks
       WHERE import_id = $1 AND first_row IS NOT NULL AND ($2::int IS NULL OR (first_row, seq) > ($2, $3::int))
       ORDER BY first_row, seq LIMIT $4`,
      [importId, after?.first_row ?? null, after?.seq ?? null, REPORT_PAGE_CHUNKS],
    );
    const rows = page.rows;
    for (const chunk of rows) for (const result of chunk.results) if (!isResent(result)) yield result;
    const last: StoredResults | undefined = rows[rows.length - 1];
    if (!last || rows.length < REPORT_PAGE_CHUNKS) return;
    after = { first_row: last.first_row, seq: last.seq };
  }
}

interface StoredResults {
  first_row: number;
  seq: number;
  results: RowResult[];
}

function isResent(result: RowResult): boolean {
  return result.issues.length === 1 && result.issues[0]?.code === "row_already_sent";
}

import type { Database, Queryable } from "../../db/database";

export interface ImportKey {
  field: string;
  value: string;
  row: number;
}

/** A chunk's keys as import_chunks stores them: the keys its rows took first, in three parallel arrays. */
interface StoredKeys {
  seq: number;
  key_fields: string[];
  key_values: string[];
  key_rows: number[];
}

/**
 * The keys an import's rows have taken so far (a unique field's value, or a row's fingerprint), each with
 * the first row that had it. Each chunk stores the keys its rows took first (import_chunks), so a key
 * belongs to one chunk only, and the import's keys are the union of its chunks'.
 */
export class ImportKeys {
  /** The chunks whose keys are held. */
  private readonly chunks = new Set<number>();
  private readonly byField = new Map<string, Map<string, number>>();

  get chunkCount(): number {
    return this.chunks.size;
  }

  /** The first row of the import that had this key, if any. */
  firstRow(field: string, value: string): number | undefined {
    return this.byField.get(field)?.get(value);
  }

  /** Adds a chunk's keys; a chunk already held is not added again. */
  add(seq: number, keys: readonly ImportKey[]): void {
    if (this.chunks.has(seq)) return;
    this.chunks.add(seq);
    for (const { field, value, row } of keys) {
      let values = this.byField.get(field);
      if (!values) {
        values = new Map();
        this.byField.set(field, values);
      }
      if (!values.has(value)) values.set(value, row);
    }
  }

  /** The chunks whose keys are held. */
  seqs(): number[] {
    return [...this.chunks];
  }

  /** How many keys are held: what the cache weighs. */
  get size(): number {
    let n = 0;
    for (const values of this.byField.values()) n += values.size;
    return n;
  }
}

/**
 * Each import's keys, kept between its chunks in this process, so a chunk reads and writes no key table:
 * a chunk's keys are checked in memory and stored with the chunk's own row. Another replica may have
 * applied chunks meanwhile: under the import's row lock the import's chunks are counted, and the chunks
 * missing here read (keysOf). Keys are added only once their chunk has committed (remember), so a chunk
 * rolled back leaves nothing behind. The least recently used imports are let go past a bound; they are
 * read again from their chunks when they send more.
 */
const caches = new WeakMap<Database, Map<string, ImportKeys>>();

function cacheOf(db: Database): Map<string, ImportKeys> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}
/**
 * Keys held in all (about 100 bytes each), past which the least recently used imports are let go; the
 * import in hand is always kept.
 */
const MAX_CACHED_KEYS = 500_000;

/**
 * The import's keys as its committed chunks have them. To be called under the import's row lock, with
 * the number of chunks stored (the lock keeps it from changing until the caller's transaction ends).
 */
export async function keysOf(
  db: Database,
  tx: Queryable,
  importId: string,
  storedChunks: number,
): Promise<ImportKeys> {
  const cache = cacheOf(db);
  let keys = cache.get(importId);
  if (keys?.chunkCount === storedChunks) {
    // Most recently used last.
    cache.delete(importId);
    cache.set(importId, keys);
    return keys;
  }
  keys ??= new ImportKeys();
  const { rows } = await tx.query<StoredKeys>(
    `SELECT seq, key_fields, key_values, key_rows FROM import_chunks
     WHERE import_id = $1 AND NOT (seq = ANY($2::int[]))`,
    [importId, keys.seqs()],
  );
  for (const chunk of rows)
    keys.add(
      chunk.seq,
      chunk.key_fields.map((field, i) => ({
        field,
        value: chunk.key_values[i] as string,
        row: chunk.key_rows[i] as number,
      })),
    );
  cache.delete(importId);
  cache.set(importId, keys);
  letGo(cache);
  return keys;
}

/** Adds a committed chunk's keys to the import's keys held here (if they are held). */
export function remember(db: Database, importId: string, seq: number, taken: readonly ImportKey[]): void {
  const cache = caches.get(db);
  const keys = cache?.get(importId);
  if (!cache || !keys) return;
  keys.add(seq, taken);
  // The import grows with each chunk: the bound holds as it grows, not only when keys are read.
  letGo(cache);
}

/** Lets go of the import's keys: it takes no more rows. */
export function forgetKeys(db: Database, importId: string): void {
  caches.get(db)?.delete(importId);
}

function letGo(cache: Map<string, ImportKeys>): void {
  let total = 0;
  for (const keys of cache.values()) total += keys.size;
  for (const [id, keys] of cache) {
    if (total <= MAX_CACHED_KEYS || cache.size <= 1) break;
    total -= keys.size;
    cache.delete(id);
  }
}

/**
 * Of these keys (in the rows' order), the ones no earlier row of the import had: what this chunk takes,
 * the first row of a key in the chunk taking it. Returns those, and per row the keys an earlier row had
 * (that row named). Changes nothing: the keys taken are added once the chunk commits (remember).
 */
export function takeKeys(
  seen: ImportKeys,
  keys: readonly ImportKey[],
): { taken: ImportKey[]; dupes: Map<number, ImportKey[]> } {
  const taken: ImportKey[] = [];
  const dupes = new Map<number, ImportKey[]>();
  const inChunk = new Map<string, number>();
  for (const key of keys) {
    const id = `${key.field}\u0000${key.value}`;
    const first = seen.firstRow(key.field, key.value) ?? inChunk.get(id);
    if (first === undefined) {
      inChunk.set(id, key.row);
      taken.push(key);
    } else if (first !== key.row) {
      const list = dupes.get(key.row) ?? [];
      list.push({ field: key.field, value: key.value, row: first });
      dupes.set(key.row, list);
    }
  }
  return { taken, dupes };
}

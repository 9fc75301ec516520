/**
 * Remembers the first row each key was seen in: an open-addressing table whose probes read one
 * `Int32Array` of (hash, row) pairs and touch a key only when its hash matches. With 100,000 keys this
 * keeps a check's duplicate tracking cheaper than a `Map`, whose lookups miss the cache on every key.
 */
export class KeyIndex {
  // TypeScript's `private`, not `#`: the add-on's bundle targets ES2020, where esbuild turns each `#`
  // field into a WeakMap lookup, and firstRow runs once a row.
  private keys: (string | undefined)[];
  /** Slot i holds the key's hash at 2i and its row + 1 at 2i + 1 (0: empty). */
  private slots: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expectedKeys = 512) {
    let slots = 16;
    while (slots < expectedKeys * 2) slots *= 2;
    this.keys = new Array(slots);
    this.slots = new Int32Array(slots * 2);
    this.mask = slots - 1;
  }

  /** The row `key` was first seen in; records `row` (a whole number ≥ 0) for it when it is new. */
  firstRow(key: string, row: number): number {
    const hash = hashOf(key);
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const seen = slots[2 * i + 1] as number;
      if (seen === 0) break;
      if (slots[2 * i] === hash && this.keys[i] === key) return seen - 1;
      i = (i + 1) & mask;
    }
    this.keys[i] = key;
    slots[2 * i] = hash;
    slots[2 * i + 1] = row + 1;
    if (++this.size * 2 > mask) this.grow();
    return row;
  }

  private grow() {
    const oldKeys = this.keys;
    const old = this.slots;
    const count = (this.mask + 1) * 2;
    const mask = count - 1;
    const keys: (string | undefined)[] = new Array(count);
    const slots = new Int32Array(count * 2);
    for (let j = 0; j < oldKeys.length; j++) {
      const seen = old[2 * j + 1] as number;
      if (seen === 0) continue;
      const hash = old[2 * j] as number;
      let i = hash & mask;
      while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
      keys[i] = oldKeys[j];
      slots[2 * i] = hash;
      slots[2 * i + 1] = seen;
    }
    this.keys = keys;
    this.slots = slots;
    this.mask = mask;
  }
}

/** FNV-1a over UTF-16 code units, finished with a mix so that similar keys spread. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

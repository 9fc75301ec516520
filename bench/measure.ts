/** One figure of a benchmark, printed beside the baseline measured in the same run. */
export interface Figure {
  name: string;
  unit: string;
  value: number;
  baseline?: number;
  baselineName?: string;
  higherIsBetter?: boolean;
  note?: string;
}

/** Seconds a piece of work takes: one warm-up, then the best of `runs`. */
export function measure(work: () => void, runs = 3): number {
  if (runs === 0) {
    const start = process.hrtime.bigint();
    work();
    return Number(process.hrtime.bigint() - start) / 1e9;
  }
  work();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

/**
 * Seconds each of two pieces of work takes, measured in turns (one warm-up each, then the best of
 * `rounds`), so a pause of the machine or a late optimisation does not favour either.
 */
export function measurePair(ours: () => void, baseline: () => void, rounds = 5): [number, number] {
  ours();
  baseline();
  let bestOurs = Number.POSITIVE_INFINITY;
  let bestBaseline = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    bestOurs = Math.min(bestOurs, measure(ours, 0));
    bestBaseline = Math.min(bestBaseline, measure(baseline, 0));
  }
  return [bestOurs, bestBaseline];
}

/** Seconds an async piece of work takes, once. */
export async function measureOnce(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const fmt = (n: number) =>
  n >= 100
    ? Math.round(n).toLocaleString("en-US")
    : n.toLocaleString("en-US", { maximumSignificantDigits: 3 });

export function printFigures(figures: readonly Figure[]): void {
  for (const f of figures) {
    let line = `${f.name}: ${fmt(f.value)} ${f.unit}`;
    if (f.baseline !== undefined) {
      const ratio = f.higherIsBetter === false ? f.baseline / f.value : f.value / f.baseline;
      line += ` | baseline (${f.baselineName}): ${fmt(f.baseline)} ${f.unit} | ${ratio.toFixed(2)}× the baseline`;
    }
    if (f.note) line += ` | ${f.note}`;
    console.log(line);
  }
}

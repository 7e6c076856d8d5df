/** One row of the benchmark table; every benchmark module returns rows of this shape. */
export interface BenchRow {
  /** Which benchmark: relay, gate, ui, turnstile, e2e. */
  bench: string;
  figure: string;
  measured: number;
  unit: string;
  /** Human-readable goal, e.g. "p99 < 2 ms"; null when the row only informs. */
  goal: string | null;
  /** The raw-floor figure measured in the same run, where one exists (same unit). */
  floor: number | null;
  /** measured / floor (or floor / measured for throughputs), as the goal defines it. */
  ratio: number | null;
  pass: boolean | null;
}

export interface BenchOptions {
  /** Smaller sizes so the whole table runs in under two minutes. */
  isQuick: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;

/** A row of the given bench: informative (no goal or floor) unless `extra` sets them. */
export function benchRow(
  bench: string,
  figure: string,
  measured: number,
  unit: string,
  extra: Partial<BenchRow> = {},
): BenchRow {
  return { bench, figure, measured, unit, goal: null, floor: null, ratio: null, pass: null, ...extra };
}

/** Placeholder until the ui benchmark lands: reports nothing. */
import type { BenchRow } from './types.js';

export async function run(): Promise<BenchRow[]> {
  return [];
}

/** Placeholder until the gate benchmark lands: reports nothing. */
import type { BenchRow } from './types.js';

export async function run(): Promise<BenchRow[]> {
  return [];
}

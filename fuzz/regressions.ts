/**
 * Failing cases, kept: `fuzz/regressions.json` (committed) holds every case a fuzz run found, with
 * the exact input sent, so the test suite replays it against fresh processes for ever after.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ROOT } from './processes.js';
import { TARGET_NAMES, type Finding } from './run.js';

export const REGRESSIONS_FILE = join(ROOT, 'fuzz', 'regressions.json');

const inputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('http'),
    method: z.string(),
    path: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
    declaredLength: z.number().int().optional(),
  }),
  z.object({ kind: z.literal('frames'), frames: z.array(z.string()) }),
]);
const findingSchema = z.object({
  target: z.enum(TARGET_NAMES as [Finding['target'], ...Finding['target'][]]),
  seed: z.string(),
  index: z.number().int(),
  input: inputSchema,
  before: z.array(inputSchema),
  problem: z.string(),
  /** What was wrong and which commit fixed it. */
  note: z.string().optional(),
});
const fileSchema = z.array(findingSchema);
export type Regression = z.infer<typeof findingSchema>;

export function loadRegressions(path = REGRESSIONS_FILE): Regression[] {
  if (!existsSync(path)) return [];
  return fileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Adds new findings (one per target, seed and index) to the file; returns how many were new. */
export function saveRegressions(findings: readonly Finding[], path = REGRESSIONS_FILE): number {
  const saved = loadRegressions(path);
  const key = (finding: Pick<Finding, 'target' | 'seed' | 'index'>) =>
    `${finding.target}:${finding.seed}:${finding.index}`;
  const known = new Set(saved.map(key));
  // An end-of-run health failure has no input of its own to replay.
  const isReplayable = (finding: Finding) =>
    finding.input.kind === 'http' || finding.input.frames.length > 0 || finding.before.length > 0;
  const fresh = findings.filter((finding) => !known.has(key(finding)) && isReplayable(finding));
  writeFileSync(path, `${JSON.stringify([...saved, ...fresh], null, 2)}\n`);
  return fresh.length;
}

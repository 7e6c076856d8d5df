/**
 * The fuzzers, short: a few thousand seeded cases over real gate and relay processes (the full
 * 100,000-case run is `npm run fuzz`), then every saved failing case in fuzz/regressions.json
 * replayed against fresh processes. No crash, no hang, no 5xx; healthy at the end.
 */
import { describe, expect, it } from 'vitest';
import { loadRegressions } from '../../fuzz/regressions.js';
import { replay, runTarget, TARGET_NAMES } from '../../fuzz/run.js';
import { TARGETS } from '../../fuzz/targets/index.js';

/** A fixed seed: the short run is the same run every time (the full run explores new seeds). */
const SEED = 'npm-test';
const CASES: Record<(typeof TARGET_NAMES)[number], number> = {
  'gate-api': 1_200,
  // The gate runs with --reconnect-max-ms 200: it backs off from a relay sending unreadable frames.
  'gate-frames': 300,
  'relay-frames': 600,
  webhooks: 600,
};

describe('fuzzing, short run (real processes)', () => {
  it.each(TARGET_NAMES)(
    '%s: no crash, hang or 5xx, and healthy after',
    async (name) => {
      const report = await runTarget(TARGETS[name](), { seed: SEED, cases: CASES[name] });
      expect(report.findings.map((finding) => `#${finding.index}: ${finding.problem}`)).toEqual([]);
      expect(report.cases).toBe(CASES[name]);
    },
    300_000,
  );

  it('replays every saved failing case without a failure', async () => {
    const saved = loadRegressions();
    for (const name of TARGET_NAMES) {
      const failing = await replay(
        TARGETS[name](),
        saved.filter((finding) => finding.target === name),
      );
      expect(failing.map((finding) => `${name} #${finding.index}: ${finding.problem}`)).toEqual([]);
    }
  }, 300_000);
});

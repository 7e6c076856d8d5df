// npm test: build, type checks and lint, then every test (unit, integration, multi-process, e2e in
// Chromium) through Vitest. Ends with one plain line `N passed, N failed, N skipped` that counts
// every test across the run; the build and check steps count as one test each.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { bin, runStep } from './run-steps.mjs';

const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

const isBuilt = runStep('build', 'node', ['scripts/build.mjs']);
if (isBuilt) passed++;
else failed++;
const isChecked = runStep('check', 'node', ['scripts/check.mjs']);
if (isChecked) passed++;
else failed++;

if (isBuilt) {
  mkdirSync('test-results', { recursive: true });
  const report = 'test-results/vitest.json';
  const isGreen = runStep('vitest', bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ]);
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + json.numTodoTests;
    // A file that fails to load has no tests in it but still fails the run.
    const brokenFiles = json.testResults.filter(
      (file) => file.status === 'failed' && file.assertionResults.length === 0,
    );
    failed += brokenFiles.length;
    for (const file of brokenFiles)
      console.log(`✘ test file failed to load: ${file.name}\n${file.message ?? ''}`);
  } else if (!isGreen) {
    failed++;
  }
  if (!isGreen && failed === 0) failed++;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);

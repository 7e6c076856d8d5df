// npm run check: type checks per runtime (a wrong import fails the one it breaks), lint and format.
import { bin, runStep } from './run-steps.mjs';

const configs = [
  'tsconfig.shared.json',
  'tsconfig.node.json',
  'tsconfig.electron.json',
  'tsconfig.renderer.json',
  'tsconfig.test.json',
];
let isOk = true;
for (const config of configs) isOk = runStep(`types ${config}`, bin('tsc'), ['-p', config]) && isOk;
isOk = runStep('lint', bin('eslint'), ['.', '--max-warnings', '0']) && isOk;
isOk = runStep('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']) && isOk;
process.exit(isOk ? 0 : 1);

// npm run check: type checks per runtime (a wrong import fails the one it breaks) and lint.
import { bin, runStep } from './run-steps.mjs';

const configs = ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.electron.json', 'tsconfig.renderer.json', 'tsconfig.test.json'];
let isOk = true;
for (const config of configs) isOk = runStep(`types ${config}`, bin('tsc'), ['-p', config]) && isOk;
isOk = runStep('lint', bin('eslint'), ['.', '--max-warnings', '0']) && isOk;
process.exit(isOk ? 0 : 1);

// npm run build: compiles the Node side (relay, gate engine, Electron shell, sim, bench) into dist/,
// bundles the sandboxed preload as CommonJS and builds the renderer with Vite.
import { existsSync } from 'node:fs';
import { bin, runStep } from './run-steps.mjs';

// dist/ is not wiped: tsc overwrites in place, and processes started from it may be running.
const steps = [['tsc (node + electron)', bin('tsc'), ['-p', 'tsconfig.build.json']]];
if (existsSync('electron/preload.ts')) steps.push(['preload bundle', 'node', ['scripts/build-preload.mjs']]);
if (existsSync('renderer/index.html'))
  steps.push([
    'renderer (vite)',
    bin('vite'),
    ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
  ]);
for (const [name, command, args] of steps) {
  if (!runStep(name, command, args)) process.exit(1);
}

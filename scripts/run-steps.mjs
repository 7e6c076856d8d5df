// Runs named shell steps in order, stopping at the first failure. Shared by build, check and test.
import { spawnSync } from 'node:child_process';

export function runStep(name, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${name}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const isOk = result.status === 0;
  process.stdout.write(`${isOk ? '✔' : '✘'} ${name} (${seconds}s)\n`);
  return isOk;
}

export const bin = (name) => `node_modules/.bin/${name}`;

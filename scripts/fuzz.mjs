// npm run fuzz [-- --cases N --seed S --target NAME]: builds, then runs the fuzzers from dist/.
import { spawnSync } from 'node:child_process';

const build = spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const run = spawnSync('node', ['dist/fuzz/cli.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);

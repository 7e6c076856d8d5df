// npm run bench [-- NAME ...] [--quick]: builds, then runs the benchmark driver from dist/.
import { spawnSync } from 'node:child_process';

const build = spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const run = spawnSync('node', ['--expose-gc', 'dist/bench/main.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);

// Bundles the sandboxed preload (electron/preload.ts and what it imports from shared/) into one
// CommonJS file, dist/electron/preload.cjs: a sandboxed preload may require only `electron`.
// Rolldown comes with Vite 8; no esbuild needed.
import { build } from 'rolldown';

await build({
  input: 'electron/preload.ts',
  platform: 'node',
  external: ['electron'],
  output: { file: 'dist/electron/preload.cjs', format: 'cjs', sourcemap: true },
  logLevel: 'warn',
});

// Bundles the sandboxed preload (electron/preload.ts and what it imports) into one CommonJS file,
// dist/electron/preload.cjs: a sandboxed preload may require only `electron`.
// The preload needs only the contract's method names, not its zod schemas: the names are read from
// shared/gate-api.ts at build time and stand in for that module in the bundle, so the preload stays a
// few kilobytes instead of carrying all of zod. Rolldown comes with Vite 8; no esbuild needed.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'node_modules', '.cache', 'gatehouse');
mkdirSync(cache, { recursive: true });

// The contract, compiled on its own (zod stays external and resolves from node_modules), to read names.
const contractFile = join(cache, 'gate-api.mjs');
await build({
  input: join(root, 'shared', 'gate-api.ts'),
  platform: 'node',
  external: [/^zod/],
  output: { file: contractFile, format: 'esm' },
  logLevel: 'warn',
});
const { GATE_METHODS } = await import(`${pathToFileURL(contractFile).href}?at=${Date.now()}`);
if (!Array.isArray(GATE_METHODS) || GATE_METHODS.length === 0)
  throw new Error('no GATE_METHODS in the contract');

const METHOD_NAMES = '\0gate-method-names';
await build({
  input: join(root, 'electron', 'preload.ts'),
  platform: 'node',
  external: ['electron'],
  plugins: [
    {
      name: 'gate-method-names',
      resolveId: (source) => (/\/shared\/gate-api(\.js)?$/.test(source) ? METHOD_NAMES : null),
      load: (id) =>
        id === METHOD_NAMES ? `export const GATE_METHODS = ${JSON.stringify(GATE_METHODS)};\n` : null,
    },
  ],
  output: { file: join(root, 'dist', 'electron', 'preload.cjs'), format: 'cjs', sourcemap: true },
  logLevel: 'warn',
});

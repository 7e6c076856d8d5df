// Lint, including the layering rules of DESIGN.md: shared imports nothing from node/electron/DOM
// land, the renderer only shared, the gate engine and relay never electron.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'crypto',
  'child_process',
  'worker_threads',
  'stream',
  'events',
  'url',
  'util',
];
// `paths` name whole modules (so `electron` means the package, not the electron/gate folder);
// `patterns` are gitignore-style globs over import paths.
const restrict = ({ modules = [], patterns = [] }, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: modules.map((name) => ({ name, message })),
      patterns: patterns.length ? [{ group: patterns, message }] : [],
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'renderer/dist/**',
      'bench/results.json',
      'release/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      {
        modules: [...nodeBuiltins, 'electron', 'react', 'ws', 'better-sqlite3'],
        patterns: ['node:*', '**/relay/**', '**/electron/**', '**/renderer/**', '**/sim/**'],
      },
      'shared/ is pure: no node, electron, DOM or other layers',
    ),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: restrict(
      {
        modules: [...nodeBuiltins, 'electron', 'ws', 'better-sqlite3'],
        patterns: ['node:*', '**/relay/**', '**/electron/**', '**/sim/**'],
      },
      'the renderer talks only to the GateApi from shared/',
    ),
  },
  {
    files: ['relay/**/*.ts', 'electron/gate/**/*.ts', 'sim/**/*.ts', 'bench/**/*.ts', 'fuzz/**/*.ts'],
    rules: restrict(
      { modules: ['electron'], patterns: ['**/renderer/**'] },
      'only electron/*.ts shell files import electron',
    ),
  },
  {
    files: ['relay/**/*.ts'],
    rules: restrict(
      { modules: ['electron'], patterns: ['**/electron/**', '**/renderer/**', '**/sim/**'] },
      'relay imports only shared/',
    ),
  },
  {
    // CLI entry points and tests talk to the user on the console by design.
    files: [
      '**/cli.ts',
      '**/cli/**/*.ts',
      'test/**/*.ts',
      '**/*.test.ts',
      'bench/**/*.ts',
      'scripts/**',
      'bin/**',
      'sim/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);

// What `npm ci` installs for running the relay and the headless gate (the production dependencies
// and everything they pull in, per package-lock.json) supports Node 20, so `npm ci` prints no engine
// warning for them; packages only the renderer uses are development dependencies, bundled by Vite.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../relay/support.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const { satisfies } = require('semver') as {
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
};
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
};

describe('dependencies and engines', () => {
  it('engines says Node ≥ 20, and every run-time package (transitively) accepts Node 20', () => {
    expect(packageJson.engines.node).toBe('>=20');
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev !== true)
      .filter(([, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range !== undefined && !satisfies('20.0.0', range, { includePrerelease: true });
      })
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'}`);
    expect(refusing).toEqual([]);
  });

  it('renderer-only packages are development dependencies; the engine’s are run-time ones', () => {
    for (const name of ['react', 'react-dom', '@zxing/library']) {
      expect(packageJson.devDependencies[name], name).toBeDefined();
      expect(packageJson.dependencies[name], name).toBeUndefined();
    }
    for (const name of ['better-sqlite3', 'serialport', 'ws', 'zod', 'pino-roll']) {
      expect(packageJson.dependencies[name], name).toBeDefined();
    }
  });
});

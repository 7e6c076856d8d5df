/**
 * Which build of better-sqlite3's native binding opens the databases. Under Node: the one in
 * node_modules (the default). Under Electron the engine host names the Electron-ABI copy built by
 * `npm run native` (build/native/, or resources/native/ in the packaged app) in
 * GATEHOUSE_SQLITE_BINDING, so node_modules keeps the Node build that tests, the relay and the
 * headless gate load. A binding that cannot be loaded is a clear error naming the file and the fix.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';

/** The environment variable the Electron shell sets for its engine process (and the demo's relay). */
export const SQLITE_BINDING_ENV = 'GATEHOUSE_SQLITE_BINDING';

export class NativeBindingError extends Error {}

const loaded = new Set<string>();
const load = createRequire(import.meta.url);

function explain(path: string, problem: string): NativeBindingError {
  return new NativeBindingError(
    `SQLite native binding ${path} cannot be loaded (${problem}); build it for this runtime with ` +
      '`npm run native` (scripts/native-binding.mjs), or unset ' +
      `${SQLITE_BINDING_ENV} to use the Node build in node_modules`,
  );
}

/**
 * Loads the binding at `path` (once per process; Node's module cache then hands better-sqlite3 the
 * same addon) and returns its absolute path; throws NativeBindingError when it cannot be loaded.
 */
export function loadBinding(path: string): string {
  const absolute = resolve(path);
  if (loaded.has(absolute)) return absolute;
  if (!absolute.endsWith('.node')) throw explain(absolute, 'a native binding file ends in .node');
  if (!existsSync(absolute)) throw explain(absolute, 'no such file');
  let addon: unknown;
  try {
    addon = load(absolute);
  } catch (error) {
    // e.g. "was compiled against a different Node.js version using NODE_MODULE_VERSION 150".
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw explain(absolute, first);
  }
  if (typeof addon !== 'object' || addon === null || !('Database' in addon)) {
    throw explain(absolute, 'it is not a better-sqlite3 binding');
  }
  loaded.add(absolute);
  return absolute;
}

/**
 * better-sqlite3 options for this process: `binding` (or GATEHOUSE_SQLITE_BINDING) when named,
 * otherwise nothing, and better-sqlite3 finds its own build in node_modules.
 */
export function sqliteOptions(binding = process.env[SQLITE_BINDING_ENV]): Database.Options {
  return binding ? { nativeBinding: loadBinding(binding) } : {};
}

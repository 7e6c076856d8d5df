// better-sqlite3's native binding, chosen per runtime (electron/gate/store/native-binding.ts) and built
// for Electron beside the Node one (scripts/native-binding.mjs). Under Node, with real files: a binding
// named by path is the one the process really maps; a missing or broken one is a clear error naming
// the file and the fix; the build step never touches node_modules and, offline, stops with one line.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GateStore } from '../../electron/gate/store/index.js';
import { NativeBindingError } from '../../electron/gate/store/native-binding.js';
import { REPO_ROOT, makeTempDir, type TempDir } from '../relay/support.js';

const NODE_BUILD = join(
  REPO_ROOT,
  'node_modules',
  'better-sqlite3',
  'build',
  'Release',
  'better_sqlite3.node',
);
const temps: TempDir[] = [];
afterEach(() => temps.splice(0).forEach((temp) => temp.remove()));
function temp(): TempDir {
  const made = makeTempDir('gatehouse-binding-');
  temps.push(made);
  return made;
}
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Opens a gate store in a fresh Node process (compiled dist/) and reports which bindings it mapped. */
function openInChild(dataDir: string, env: NodeJS.ProcessEnv) {
  const store = join(REPO_ROOT, 'dist', 'electron', 'gate', 'store', 'index.js');
  const script = `
    const { readFileSync } = await import('node:fs');
    const { GateStore } = await import(${JSON.stringify(store)});
    const store = new GateStore(${JSON.stringify(join(dataDir, 'gate.db'))});
    const tickets = store.tickets.count();
    store.close();
    const mapped = [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
      .map((line) => line.split(/\\s+/).slice(5).join(' ')).filter((path) => path.endsWith('.node')))];
    console.log(JSON.stringify({ tickets, mapped }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim()) as { tickets: number; mapped: string[] };
}

describe('native binding choice (under Node)', () => {
  it('a binding named by path is the one really loaded; without one, node_modules’ build is', () => {
    const dir = temp();
    mkdirSync(dir.file('electron-abi'));
    const copy = dir.file('electron-abi/better_sqlite3.node');
    copyFileSync(NODE_BUILD, copy);

    const named = openInChild(dir.path, { GATEHOUSE_SQLITE_BINDING: copy });
    expect(named.tickets).toBe(0);
    expect(named.mapped).toContain(copy);
    expect(named.mapped).not.toContain(NODE_BUILD);

    const plain = openInChild(dir.path, { GATEHOUSE_SQLITE_BINDING: '' });
    expect(plain.mapped).toContain(NODE_BUILD);
    expect(plain.mapped).not.toContain(copy);
  });

  it('a missing binding is a clear error naming the file and the fix', () => {
    const dir = temp();
    const missing = dir.file('nowhere/better_sqlite3.node');
    const open = () => new GateStore(dir.file('gate.db'), missing);
    expect(open).toThrow(NativeBindingError);
    expect(open).toThrow(`SQLite native binding ${missing} cannot be loaded (no such file)`);
    expect(open).toThrow(/npm run native/);
    expect(existsSync(dir.file('gate.db'))).toBe(false);
  });

  it('a file that is no loadable binding is refused with the loader’s reason', () => {
    const dir = temp();
    const fake = dir.file('better_sqlite3.node');
    writeFileSync(fake, 'not a shared object');
    expect(() => new GateStore(dir.file('gate.db'), fake)).toThrow(
      new RegExp(`binding ${fake} cannot be loaded \\(.*(ELF|invalid|too short).*\\); build it`),
    );
  });
});

describe('npm run native (scripts/native-binding.mjs)', () => {
  // An unreachable mirror and an empty HOME (no cached prebuilds, no cached Electron headers) make
  // "offline" certain on any machine.
  const runOffline = (out: string, home: string) =>
    spawnSync(
      process.execPath,
      [
        'scripts/native-binding.mjs',
        '--out',
        out,
        '--prebuild-host',
        'http://mirror.invalid',
        '--headers-url',
        'http://mirror.invalid/headers',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, HOME: home, USERPROFILE: home } },
    );

  it('offline: stops with one line saying what is missing and how to get it; node_modules untouched', () => {
    const dir = temp();
    const before = sha256(NODE_BUILD);
    const result = runOffline(dir.file('out'), dir.path);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^native: cannot get better-sqlite3 [\d.]+ for Electron [\d.]+ \(ABI \d+, /);
    expect(lines[0]).toContain('no prebuilt binary (cannot download it from mirror.invalid)');
    expect(lines[0]).toContain("cannot download Electron's headers from mirror.invalid");
    expect(lines[0]).toContain(`into ${dir.file('out')}/`);
    expect(sha256(NODE_BUILD)).toBe(before);
  });

  it('a Node build put where the Electron one belongs is recognised and removed', () => {
    const dir = temp();
    mkdirSync(dir.file('out'));
    copyFileSync(NODE_BUILD, dir.file('out/better_sqlite3.node'));
    const result = runOffline(dir.file('out'), dir.path);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /removed .*better_sqlite3\.node is a Node [\d.]+ build \(ABI \d+\), not Electron's/,
    );
    expect(existsSync(dir.file('out/better_sqlite3.node'))).toBe(false);
  });
});

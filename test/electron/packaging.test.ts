// The packaging config (electron-builder.yml), checked without downloading Electron: it is valid for
// the installed electron-builder; its fuses, run through electron-builder's own fuse mapping and
// @electron/fuses onto a FAKE Electron binary (a buffer holding the fuse wire), come out as intended;
// native modules are never rebuilt in node_modules and the Electron-ABI binding ships unpacked.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir } from '../relay/support.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const { load } = require('js-yaml') as { load(text: string): unknown };
const config = load(readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const temp = makeTempDir('gatehouse-fuses-');
afterAll(() => temp.remove());

interface Fuses {
  FuseVersion: { V1: string };
  FuseV1Options: Record<string, number>;
  flipFuses(path: string, config: unknown): Promise<number>;
  getCurrentFuseWire(path: string): Promise<Record<number, number>>;
}
const fuses = require('@electron/fuses') as Fuses;
const { SENTINEL, FuseState: state } = require('@electron/fuses/dist/constants.js') as {
  SENTINEL: string;
  FuseState: Record<string, number>;
};

/** A stand-in for the Electron binary: bytes around the V1 fuse wire, every fuse at Electron's default. */
function fakeElectronBinary(): string {
  const defaults = '10110001'; // RunAsNode on, cookies plain, NODE_OPTIONS on, --inspect on, …, file:// extras on
  const wire = Buffer.concat([
    Buffer.from('\x7fELF padding'),
    Buffer.from(SENTINEL),
    Buffer.from([1, defaults.length]),
    Buffer.from(defaults),
    Buffer.from('more padding'),
  ]);
  const path = temp.file('electron');
  writeFileSync(path, wire);
  return path;
}

describe('electron-builder.yml (no Electron download)', () => {
  it('is valid for the installed electron-builder', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined })).resolves.toBe(
      undefined,
    );
  });

  it('sets the fuses: no RunAsNode, NODE_OPTIONS or --inspect; app only from an integrity-checked asar', async () => {
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<unknown> } };
    };
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    const binary = fakeElectronBinary();
    await fuses.flipFuses(binary, fuseConfig);
    const wire = await fuses.getCurrentFuseWire(binary);
    const option = fuses.FuseV1Options;
    const read = (name: string) => wire[option[name] ?? -1];
    expect(read('RunAsNode')).toBe(state.DISABLE);
    expect(read('EnableNodeOptionsEnvironmentVariable')).toBe(state.DISABLE);
    expect(read('EnableNodeCliInspectArguments')).toBe(state.DISABLE);
    expect(read('OnlyLoadAppFromAsar')).toBe(state.ENABLE);
    expect(read('EnableEmbeddedAsarIntegrityValidation')).toBe(state.ENABLE);
    expect(read('GrantFileProtocolExtraPrivileges')).toBe(state.DISABLE);
  });

  it('never rebuilds node_modules; ships the Electron-ABI binding and serialport prebuilds unpacked', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.asar).toBe(true);
    expect(config.extraResources).toEqual([
      expect.objectContaining({ from: 'build/native/${platform}-${arch}', to: 'native' }),
    ]);
    expect(config.asarUnpack).toContain('**/node_modules/@serialport/**');
    const files = config.files as string[];
    for (const kept of ['dist/electron/**', 'dist/shared/**', 'dist/renderer/**'])
      expect(files).toContain(kept);
  });
});

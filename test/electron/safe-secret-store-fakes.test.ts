// The relay token store with a FAKE safeStorage (Electron's keyring API cannot run here) writing a
// real file in a temp dir: the file never holds the token in clear, is 0600, and a keyring that
// cannot decrypt any more yields "no token" rather than a crash.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeSecretStore, type SafeStorageLike } from '../../electron/safe-secret-store.js';

const directories: string[] = [];
afterEach(() =>
  directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })),
);

function fakeSafeStorage(isAvailable = true): SafeStorageLike {
  // Reversible but not clear text: enough to show the file holds what encryptString returned.
  const flip = (buffer: Buffer) => Buffer.from(buffer.map((byte) => byte ^ 0x5a));
  return {
    isEncryptionAvailable: () => isAvailable,
    encryptString: (text) => flip(Buffer.from(`v10${text}`)),
    decryptString: (data) => {
      const text = flip(data).toString();
      if (!text.startsWith('v10')) throw new Error('Error while decrypting the ciphertext');
      return text.slice(3);
    },
  };
}

function store(safeStorage = fakeSafeStorage()) {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-secret-'));
  directories.push(directory);
  const path = join(directory, 'relay-token.enc');
  return { secrets: new SafeSecretStore(safeStorage, path), path };
}

describe('SafeSecretStore (fake safeStorage, real file)', () => {
  it('stores the token encrypted in a 0600 file and reads it back', () => {
    const { secrets, path } = store();
    expect(secrets.get()).toBeNull();
    secrets.set('gate-token-secret-123');
    expect(secrets.get()).toBe('gate-token-secret-123');
    expect(readFileSync(path).toString()).not.toContain('gate-token-secret-123');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to store when no encryption is available, keeping the old token', () => {
    const working = store();
    working.secrets.set('old-token-1234');
    const broken = new SafeSecretStore(fakeSafeStorage(false), working.path);
    expect(() => broken.set('new-token-5678')).toThrow(/token: .*not saved/);
    expect(working.secrets.get()).toBe('old-token-1234');
  });

  it('says truthfully how the token is kept: the keychain, or only obfuscated without a keyring', () => {
    expect(store().secrets.storage()).toBe('keychain');
    const basic = { ...fakeSafeStorage(), getSelectedStorageBackend: () => 'basic_text' };
    expect(store(basic).secrets.storage()).toBe('obfuscated');
  });

  it('answers null (asks again) when the stored file cannot be decrypted', () => {
    const { secrets, path } = store();
    writeFileSync(path, 'garbage from another keyring');
    expect(secrets.get()).toBeNull();
  });
});

/**
 * The relay token, encrypted with Electron's safeStorage (the OS keyring: DPAPI on Windows,
 * libsecret/kwallet on Linux) in a 0600 file in the app's data folder. The token is write-only for
 * the UI: the engine reads it to connect, nothing sends it back.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createLogger } from '../shared/logger.js';
import type { TokenStorage } from '../shared/gate-api.js';
import type { SecretStore } from './gate/index.js';

const log = createLogger('shell.secrets');

/** The part of Electron's `safeStorage` this needs; tests hand in a fake. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class SafeSecretStore implements SecretStore {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly path: string,
  ) {}

  /** Encrypted by the OS keyring; only obfuscated when Electron found no keyring ("basic_text"). */
  storage(): TokenStorage {
    return this.safeStorage.getSelectedStorageBackend?.() === 'basic_text' ? 'obfuscated' : 'keychain';
  }

  get(): string | null {
    if (!existsSync(this.path)) return null;
    try {
      const token = this.safeStorage.decryptString(readFileSync(this.path));
      return token === '' ? null : token;
    } catch (error) {
      // A keyring reset makes the old file unreadable: the gate asks for the token again.
      log.error('the stored relay token cannot be decrypted; enter it again in Settings', {
        error: String(error),
      });
      return null;
    }
  }

  set(token: string): void {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new Error('token: this PC offers no encrypted storage (OS keyring); the token was not saved');
    }
    if (this.safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      log.warn(
        'no desktop keyring found: the token is only obfuscated on disk (file is readable by this user only)',
      );
    }
    // Write then rename, so a crash never leaves half a token; 0600 from the first byte.
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, this.safeStorage.encryptString(token), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

/**
 * Where the relay token lives. The engine only needs get/set; Electron passes a store backed by
 * safeStorage, headless gates use a file readable only by its owner in the data directory.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenStorage } from '../../shared/gate-api.js';

export const TOKEN_FILE = 'relay-token';

export interface SecretStore {
  get(): string | null;
  set(token: string): void;
  /** How the token is kept, so staff are told the truth (a plain 0600 file when absent). */
  storage?(): TokenStorage;
}

export class FileSecretStore implements SecretStore {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, TOKEN_FILE);
  }

  get(): string | null {
    if (!existsSync(this.path)) return null;
    const token = readFileSync(this.path, 'utf8').trim();
    return token === '' ? null : token;
  }

  storage(): TokenStorage {
    return 'file';
  }

  set(token: string): void {
    // Write then rename, so a crash never leaves half a token; 0600 from the first byte.
    const temporary = `${this.path}.tmp`;
    rmSync(temporary, { force: true });
    writeFileSync(temporary, token, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}

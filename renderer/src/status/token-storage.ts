/** Where this PC keeps the relay token, said truthfully for each mode (headless file, OS keychain). */
import type { TokenStorage } from '../../../shared/gate-api.js';

export function tokenStorageWords(storage: TokenStorage): string {
  switch (storage) {
    case 'file':
      return "kept in a file readable only by this PC's gate user";
    case 'keychain':
      return "encrypted with this PC's keychain (the operating system's keyring)";
    case 'obfuscated':
      return 'this PC has no keyring: kept obfuscated in a file only this user can read';
    default: {
      const impossible: never = storage;
      return String(impossible);
    }
  }
}

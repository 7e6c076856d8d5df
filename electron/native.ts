/**
 * Where the app finds better-sqlite3's Electron-ABI binding: resources/native/ in the packaged app
 * (electron-builder's extraResources), build/native/<platform>-<arch>/ when run from the repository
 * (`npm run native` puts it there). The engine process gets the path in GATEHOUSE_SQLITE_BINDING.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BINDING_FILE = 'better_sqlite3.node';

export interface BindingPlace {
  isPackaged: boolean;
  resourcesPath: string;
  appPath: string;
  platform: string;
  arch: string;
}

export function sqliteBindingPath(place: BindingPlace): string {
  return place.isPackaged
    ? join(place.resourcesPath, 'native', BINDING_FILE)
    : join(place.appPath, 'build', 'native', `${place.platform}-${place.arch}`, BINDING_FILE);
}

/** Null when the binding is there; else one line saying what is missing and how to get it. */
export function missingBinding(path: string, isPackaged: boolean): string | null {
  if (existsSync(path)) return null;
  return isPackaged
    ? `the app is incomplete: ${path} is missing; reinstall Gatehouse`
    : `${path} is missing: run \`npm run native\` (npm start does) to build better-sqlite3 for Electron`;
}

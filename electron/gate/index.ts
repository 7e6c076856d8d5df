/**
 * The gate engine's public entry: `startGate` opens the data directory, applies the given settings,
 * starts the turnstile and the sync client, and returns the API handler table plus live events.
 * Electron's shell and the headless CLI both start the engine through here.
 */
import { join } from 'node:path';
import {
  editableSettingsSchema,
  type EditableSettings,
  type GateEvent,
  type SettingsView,
} from '../../shared/gate-api.js';
import { issueSentence } from '../../shared/messages.js';
import { setLogSink, type LogSink } from '../../shared/logger.js';
import { createHandlers, type GateHandlers } from './api.js';
import { applySettings, validateTurnstile } from './configure.js';
import { Engine } from './engine.js';
import { ensurePrivateDatabase, ensurePrivateDirectory, ensurePrivateFile } from './files.js';
import { FileSecretStore, TOKEN_FILE, type SecretStore } from './secrets.js';
import { loadSettings, viewSettings } from './settings.js';
import { lockGateFolder } from './store/folder-lock.js';
import { GateStore } from './store/index.js';
import type { SyncTiming } from './sync/client.js';

export type { SecretStore } from './secrets.js';
export type { GateHandlers } from './api.js';
export { installCrashHandlers, CRASH_EXIT_CODE } from './crash.js';
export { openLogFile, type LogFile } from './log-file.js';
export { Backoff } from './sync/backoff.js';
export { SQLITE_BINDING_ENV } from './store/native-binding.js';

export interface GateOptions {
  dataDir: string;
  /**
   * Settings to apply (and save) before starting, e.g. from command-line flags; a function gets the
   * stored settings first (to change one field of a nested setting).
   */
  settings?: Partial<EditableSettings> | ((stored: SettingsView) => Partial<EditableSettings>);
  secrets?: SecretStore;
  /** Where log lines go (e.g. a file in Electron); the process-wide sink is replaced. */
  log?: LogSink;
  /** Clock, for tests of time-dependent rules. */
  now?: () => Date;
  /** Zone for times in door messages; the machine's own when absent. */
  timeZone?: string;
  /** Heartbeat and backoff timings of the sync client (tests shorten them). */
  syncTiming?: SyncTiming;
  /** better-sqlite3's native binding (the Electron-ABI copy); default GATEHOUSE_SQLITE_BINDING or node_modules'. */
  sqliteBinding?: string;
  /** Rotating log series (e.g. `<data>/logs/engine.log`) that "Export diagnostics" includes. */
  logFiles?: readonly string[];
}

export interface GateEngine {
  handlers: GateHandlers;
  onEvent(listener: (event: GateEvent) => void): () => void;
  stop(): Promise<void>;
}

export const DATABASE_FILE = 'gate.db';

export class SettingsError extends Error {}

function parseGiven(settings: unknown): Partial<EditableSettings> {
  const given = editableSettingsSchema.partial().safeParse(settings);
  if (!given.success) {
    const issue = given.error.issues[0];
    throw new SettingsError(issue ? issueSentence(issue) : 'The settings are not valid');
  }
  try {
    validateTurnstile(given.data);
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  return given.data;
}

export async function startGate(options: GateOptions): Promise<GateEngine> {
  if (options.log) setLogSink(options.log);
  if (typeof options.settings !== 'function') parseGiven(options.settings ?? {});
  ensurePrivateDirectory(options.dataDir);
  // One gate per data folder (see folder-lock.ts): held from here until stop, refused while held.
  const lock = lockGateFolder(options.dataDir, options.sqliteBinding);
  let store: GateStore;
  try {
    ensurePrivateDatabase(join(options.dataDir, DATABASE_FILE));
    store = new GateStore(join(options.dataDir, DATABASE_FILE), options.sqliteBinding);
  } catch (error) {
    lock.release();
    throw error;
  }
  const secrets = options.secrets ?? new FileSecretStore(options.dataDir);
  if (!options.secrets) ensurePrivateFile(join(options.dataDir, TOKEN_FILE), { isCreated: false });
  const engine = new Engine({
    store,
    settings: loadSettings(store.state),
    secrets,
    now: options.now ?? (() => new Date()),
    timeZone: options.timeZone,
    syncTiming: options.syncTiming,
    logFiles: options.logFiles ?? [],
  });
  try {
    const stored = viewSettings(engine.settings, secrets);
    const given = parseGiven(
      typeof options.settings === 'function' ? options.settings(stored) : (options.settings ?? {}),
    );
    if (Object.keys(given).length > 0) await applySettings(engine, given);
    await engine.start();
  } catch (error) {
    await engine.stop();
    lock.release();
    throw error;
  }
  return {
    handlers: createHandlers(engine),
    onEvent: (listener) => engine.onEvent(listener),
    stop: async () => {
      await engine.stop();
      lock.release();
    },
  };
}

/**
 * Gate settings: stored one key per row in the settings table as JSON, each parsed with its own
 * schema on load (a damaged value falls back to its default and is logged, never trusted).
 * The staff PIN is stored as a scrypt hash; the relay token lives in the SecretStore.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { editableSettingsSchema, type EditableSettings, type SettingsView } from '../../shared/gate-api.js';
import { DEFAULT_TURNSTILE_SETTINGS } from '../../shared/turnstile.js';
import { createLogger } from '../../shared/logger.js';
import { DEFAULT_DAY_STARTS } from './door-time.js';
import type { SecretStore } from './secrets.js';
import type { StateQueries } from './store/state.js';

const log = createLogger('gate.settings');

/** Tickets are admissible from 12 hours before an event starts until 6 hours after it ends. */
export const DEFAULT_DATE_WINDOW = { beforeHours: 12, afterHours: 6 } as const;

export type StoredSettings = Omit<EditableSettings, 'token' | 'pin'> & { pinHash: string | null };

const storedShape = editableSettingsSchema
  .omit({ token: true, pin: true })
  .extend({ pinHash: z.string().nullable() });
type StoredKey = keyof StoredSettings;

export function defaultSettings(): StoredSettings {
  return {
    relayUrl: null,
    relayUrls: [],
    gateName: hostname().slice(0, 100) || 'Gate',
    events: [],
    ticketTypes: [],
    mode: 'entry',
    reentry: 'never',
    sounds: true,
    capacity: null,
    dateWindow: DEFAULT_DATE_WINDOW,
    dayStarts: DEFAULT_DAY_STARTS,
    attention: [],
    pinHash: null,
    kiosk: false,
    openAtLogin: false,
    turnstile: DEFAULT_TURNSTILE_SETTINGS,
    hideNames: false,
    pinUnlockMinutes: 5,
  };
}

export function loadSettings(state: StateQueries): StoredSettings {
  const settings = defaultSettings();
  const stored = state.settings();
  for (const key of Object.keys(storedShape.shape) as StoredKey[]) {
    const raw = stored.get(key);
    if (raw === undefined) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      log.warn('setting is not JSON; using the default', { key });
      continue;
    }
    const parsed = storedShape.shape[key].safeParse(json);
    if (parsed.success) Object.assign(settings, { [key]: parsed.data });
    else log.warn('setting is invalid; using the default', { key, problem: parsed.error.issues[0]?.message });
  }
  return settings;
}

/** The relays to try, in order: `relayUrls`, or the single `relayUrl` of older settings. */
export function relayUrlsOf(settings: Pick<StoredSettings, 'relayUrl' | 'relayUrls'>): string[] {
  if (settings.relayUrls && settings.relayUrls.length > 0) return [...settings.relayUrls];
  return settings.relayUrl ? [settings.relayUrl] : [];
}

export function saveSettings(state: StateQueries, changes: Partial<StoredSettings>): void {
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) state.putSetting(key, JSON.stringify(value));
  }
}

export function viewSettings(
  settings: StoredSettings,
  secrets: Pick<SecretStore, 'get' | 'storage'>,
): SettingsView {
  const { pinHash, ...rest } = settings;
  return {
    ...rest,
    hasToken: secrets.get() !== null,
    hasPin: pinHash !== null,
    tokenStorage: secrets.storage?.() ?? 'file',
  };
}

/**
 * The settings form's draft (what the inputs hold, as text) and the changes it sends: only fields
 * that differ, the token only when typed, the PIN only when asked. Pure, tested without a browser.
 */
import type { EditableSettings, SettingsView } from '../../../shared/gate-api.js';

export interface Draft {
  relayUrl: string;
  token: string;
  gateName: string;
  events: string[];
  ticketTypes: string[];
  mode: EditableSettings['mode'];
  reentry: EditableSettings['reentry'];
  sounds: boolean;
  capacity: string;
  newPin: string;
  isPinRemoved: boolean;
  kiosk: boolean;
  openAtLogin: boolean;
  turnstileSpec: string;
  turnstileExitSpec: string;
  pulseMs: string;
  passageTimeoutMs: string;
}

export function draftOf(view: SettingsView): Draft {
  return {
    relayUrl: view.relayUrl ?? '',
    token: '',
    gateName: view.gateName,
    events: [...view.events],
    ticketTypes: [...view.ticketTypes],
    mode: view.mode,
    reentry: view.reentry,
    sounds: view.sounds,
    capacity: view.capacity === null ? '' : String(view.capacity),
    newPin: '',
    isPinRemoved: false,
    kiosk: view.kiosk,
    openAtLogin: view.openAtLogin,
    turnstileSpec: view.turnstile.spec,
    turnstileExitSpec: view.turnstile.exitSpec ?? '',
    pulseMs: String(view.turnstile.pulseMs),
    passageTimeoutMs: view.turnstile.passageTimeoutMs === null ? '' : String(view.turnstile.passageTimeoutMs),
  };
}

/** Text to number for the API; NaN goes through so the API names the field rather than us guessing. */
function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text.trim());
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

export function changesOf(draft: Draft, view: SettingsView): Partial<EditableSettings> {
  const changes: Partial<EditableSettings> = {};
  const relayUrl = draft.relayUrl.trim() === '' ? null : draft.relayUrl.trim();
  if (relayUrl !== view.relayUrl) changes.relayUrl = relayUrl;
  if (draft.token !== '') changes.token = draft.token;
  if (draft.gateName !== view.gateName) changes.gateName = draft.gateName;
  if (!sameList(draft.events, view.events)) changes.events = draft.events;
  if (!sameList(draft.ticketTypes, view.ticketTypes)) changes.ticketTypes = draft.ticketTypes;
  if (draft.mode !== view.mode) changes.mode = draft.mode;
  if (draft.reentry !== view.reentry) changes.reentry = draft.reentry;
  if (draft.sounds !== view.sounds) changes.sounds = draft.sounds;
  const capacity = numberOrNull(draft.capacity);
  if (capacity !== view.capacity) changes.capacity = capacity;
  if (draft.isPinRemoved) changes.pin = null;
  else if (draft.newPin !== '') changes.pin = draft.newPin;
  if (draft.kiosk !== view.kiosk) changes.kiosk = draft.kiosk;
  if (draft.openAtLogin !== view.openAtLogin) changes.openAtLogin = draft.openAtLogin;
  // Keep the fields this form does not edit (passage input, HTTP options, serial scanner).
  const turnstile = {
    ...view.turnstile,
    spec: draft.turnstileSpec.trim(),
    exitSpec: draft.turnstileExitSpec.trim() === '' ? null : draft.turnstileExitSpec.trim(),
    pulseMs: Number(draft.pulseMs.trim()),
    passageTimeoutMs: numberOrNull(draft.passageTimeoutMs),
  };
  const before = view.turnstile;
  if (
    turnstile.spec !== before.spec ||
    turnstile.exitSpec !== before.exitSpec ||
    turnstile.pulseMs !== before.pulseMs ||
    turnstile.passageTimeoutMs !== before.passageTimeoutMs
  ) {
    changes.turnstile = turnstile;
  }
  return changes;
}

/** Human names of the API's field paths, so an error says which field in the form's own words. */
export const FIELD_LABELS: Record<string, string> = {
  relayUrl: 'Relay URL',
  token: 'Gate token',
  gateName: 'Gate name',
  events: 'Events',
  ticketTypes: 'Ticket types',
  mode: 'Mode',
  reentry: 'Re-entry',
  sounds: 'Sounds',
  capacity: 'Capacity',
  pin: 'New PIN',
  kiosk: 'Kiosk',
  openAtLogin: 'Open at login',
  'turnstile.spec': 'Turnstile device',
  'turnstile.exitSpec': 'Exit turnstile device',
  'turnstile.pulseMs': 'Pulse length',
  'turnstile.passageTimeoutMs': 'Passage window',
};

/**
 * Splits a bad_request message ("changes.relayUrl: must be …") into the form field it names and the
 * complaint; `field` is null when the message names no field of the form.
 */
export function fieldOfError(message: string): { field: string | null; problem: string } {
  const match = /^([\w.]+): (.*)$/s.exec(message);
  if (!match) return { field: null, problem: message };
  const path = (match[1] ?? '').replace(/^changes\./, '');
  const field = Object.keys(FIELD_LABELS).find((key) => path === key || path.startsWith(`${key}.`)) ?? null;
  return { field, problem: match[2] ?? message };
}

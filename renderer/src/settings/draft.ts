/**
 * The settings form's draft (what the inputs hold, as text) and the changes it sends: only fields
 * that differ, the token only when typed, the PIN only when asked. Pure, tested without a browser.
 */
import type { EditableSettings, SettingsView } from '../../../shared/gate-api.js';
import { errorField, errorSentence, fieldName } from '../../../shared/messages.js';

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
  hideNames: boolean;
  pinUnlockMinutes: string;
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
    hideNames: view.hideNames,
    pinUnlockMinutes: String(view.pinUnlockMinutes),
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
  if (draft.hideNames !== view.hideNames) changes.hideNames = draft.hideNames;
  // Empty is not 0 ("ask every time"): it goes as NaN, so the gate names the field.
  const unlock = draft.pinUnlockMinutes.trim() === '' ? Number.NaN : Number(draft.pinUnlockMinutes.trim());
  if (unlock !== view.pinUnlockMinutes) changes.pinUnlockMinutes = unlock;
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

/** Human names of the API's field paths (shared with the CLI), so the form names fields in its own words. */
export const FIELD_LABELS: Record<string, string> = Object.fromEntries(
  [
    'relayUrl',
    'token',
    'gateName',
    'events',
    'ticketTypes',
    'mode',
    'reentry',
    'sounds',
    'capacity',
    'pin',
    'kiosk',
    'hideNames',
    'pinUnlockMinutes',
    'openAtLogin',
    'turnstile.spec',
    'turnstile.exitSpec',
    'turnstile.pulseMs',
    'turnstile.passageTimeoutMs',
  ].map((key) => [key, fieldName(`changes.${key}`)]),
);

/**
 * Splits an API complaint ("changes.turnstile.pulseMs: must be at least 50 ms") into the form field
 * it names and a sentence for a person ("Pulse must be at least 50 ms"); `field` is null when the
 * message names no field of the form.
 */
export function fieldOfError(message: string): { field: string | null; problem: string } {
  // Only `changes.…` names a field of this form; a bare `pin` is the PIN that unlocks it.
  const path = message.startsWith('changes.') ? errorField(message) : null;
  const field =
    path === null
      ? null
      : (Object.keys(FIELD_LABELS).find((key) => path === key || path.startsWith(`${key}.`)) ?? null);
  return { field, problem: errorSentence(message) };
}

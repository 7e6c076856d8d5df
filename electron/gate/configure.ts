/**
 * Changing settings on a running gate: validate, persist, then reconcile the running parts. A new
 * event selection resets the cursor (in the same transaction as the saved events) so the relay sends
 * a fresh snapshot; a new token, URL or name reconnects; a new turnstile spec swaps the driver.
 */
import type { EditableSettings, SettingsView } from '../../shared/gate-api.js';
import { parseTurnstileSpec } from '../../shared/turnstile.js';
import type { Engine } from './engine.js';
import { ApiFailure } from './errors.js';
import { hashPin } from './pin.js';
import { relayUrlsOf, saveSettings, viewSettings, type StoredSettings } from './settings.js';
import { createTurnstile } from './turnstile/index.js';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

export function validateTurnstile(changes: Partial<EditableSettings>): void {
  for (const [field, spec] of [
    ['spec', changes.turnstile?.spec],
    ['exitSpec', changes.turnstile?.exitSpec],
  ] as const) {
    if (spec === undefined || spec === null) continue;
    const parsed = parseTurnstileSpec(spec);
    if (!parsed.ok) throw new ApiFailure('bad_request', `changes.turnstile.${field}: ${parsed.error}`);
  }
}

export async function applySettings(
  engine: Engine,
  changes: Partial<EditableSettings>,
): Promise<SettingsView> {
  validateTurnstile(changes);
  const { token, pin, ...rest } = changes;
  const stored: Partial<StoredSettings> = { ...rest };
  // The settings screen edits one address: a new one there replaces a list given with --relay.
  if (rest.relayUrl !== undefined && rest.relayUrls === undefined)
    stored.relayUrls = rest.relayUrl === null ? [] : [rest.relayUrl];
  if (pin !== undefined) stored.pinHash = pin === null ? null : await hashPin(pin);
  const before = engine.settings;
  const after: StoredSettings = { ...before, ...stored };
  const isNewEvents = changes.events !== undefined && !sameList(before.events, after.events);
  const isNewConnection =
    isNewEvents ||
    token !== undefined ||
    after.relayUrl !== before.relayUrl ||
    !sameList(relayUrlsOf(after), relayUrlsOf(before)) ||
    after.gateName !== before.gateName;
  engine.store.transaction(() => {
    saveSettings(engine.store.state, stored);
    if (isNewEvents) engine.store.state.setCursor(0);
  });
  if (token !== undefined) engine.secrets.set(token);
  engine.settings = after;
  // In the same turn as the cursor reset: the old connection's queued frames are dropped with it, so
  // none of them can move the cursor before the new connection says hello.
  if (isNewConnection) engine.sync.restart();

  if (
    changes.turnstile !== undefined &&
    JSON.stringify(changes.turnstile) !== JSON.stringify(before.turnstile)
  ) {
    await engine.useTurnstile(createTurnstile(after.turnstile));
    await engine.useScanner(after.turnstile.scanner ?? null);
  }
  engine.changed();
  return viewSettings(after, engine.secrets);
}

import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../shared/gate-api.js';
import { changesOf, draftOf, fieldOfError } from './draft.js';

const VIEW: SettingsView = {
  relayUrl: 'wss://relay.example.com',
  gateName: 'Door 1',
  events: ['101'],
  ticketTypes: [],
  mode: 'entry',
  reentry: 'never',
  sounds: true,
  capacity: null,
  dateWindow: { beforeHours: 12, afterHours: 6 },
  dayStarts: '06:00',
  attention: [],
  kiosk: false,
  openAtLogin: false,
  turnstile: { spec: 'none', exitSpec: null, pulseMs: 500, passageTimeoutMs: null },
  hasToken: true,
  hasPin: false,
  tokenStorage: 'file',
  hideNames: false,
  pinUnlockMinutes: 5,
};

describe('settings draft', () => {
  it('an untouched form sends no changes, and never the token', () => {
    expect(changesOf(draftOf(VIEW), VIEW)).toEqual({});
  });

  it('sends only what changed, with numbers and nulls as the API expects', () => {
    const draft = {
      ...draftOf(VIEW),
      relayUrl: '',
      gateName: 'Door 2',
      capacity: '1200',
      token: 'new-token-123',
      pulseMs: '800',
    };
    expect(changesOf(draft, VIEW)).toEqual({
      relayUrl: null,
      gateName: 'Door 2',
      capacity: 1200,
      token: 'new-token-123',
      turnstile: { spec: 'none', exitSpec: null, pulseMs: 800, passageTimeoutMs: null },
    });
  });

  it('keeps turnstile fields the form does not show', () => {
    const view = { ...VIEW, turnstile: { ...VIEW.turnstile, passageInput: 2 } };
    const changes = changesOf({ ...draftOf(view), turnstileSpec: 'lcus:/dev/ttyUSB0:1' }, view);
    expect(changes.turnstile).toMatchObject({ spec: 'lcus:/dev/ttyUSB0:1', passageInput: 2 });
  });

  it('PIN: a new one is sent; removal sends null', () => {
    expect(changesOf({ ...draftOf(VIEW), newPin: '2468' }, VIEW)).toEqual({ pin: '2468' });
    expect(changesOf({ ...draftOf(VIEW), newPin: '2468', isPinRemoved: true }, VIEW)).toEqual({ pin: null });
  });

  it('maps the API complaint to the field it names, in words for a person', () => {
    expect(fieldOfError('changes.relayUrl: must be a ws://, wss://, http:// or https:// URL')).toEqual({
      field: 'relayUrl',
      problem: 'Relay URL must be a ws://, wss://, http:// or https:// URL',
    });
    expect(fieldOfError('changes.turnstile.pulseMs: must be at least 50 ms')).toEqual({
      field: 'turnstile.pulseMs',
      problem: 'Pulse must be at least 50 ms',
    });
    expect(fieldOfError('changes.events.3: must be at most 64 characters')).toMatchObject({
      field: 'events',
    });
    expect(fieldOfError('the relay said no')).toEqual({ field: null, problem: 'The relay said no' });
    expect(fieldOfError('pin: wrong staff PIN')).toEqual({ field: null, problem: 'Wrong staff PIN' });
  });
});

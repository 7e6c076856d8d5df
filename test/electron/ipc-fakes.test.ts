// IPC wiring with a FAKE ipcMain and a FAKE engine handler table (no Electron binary runs here):
// every handler refuses unknown senders, validates input against the contract before the engine
// sees it, passes valid input through, and turns a throw into an `internal` error.
import { describe, expect, it } from 'vitest';
import { GATE_METHODS, type GateMethod } from '../../shared/gate-api.js';
import { channelOf } from '../../electron/channels.js';
import { registerGateIpc, type HandlerTable, type InvokeEventLike } from '../../electron/ipc.js';
import { registerShellIpc } from '../../electron/shell-ipc.js';
import { isTrustedSender } from '../../electron/security.js';

const APP_URL = 'file:///opt/gatehouse/resources/app/dist/renderer/index.html';
const OUR_FRAME = { senderFrame: { url: APP_URL, parent: null } };

/** One valid input per method; the test fails if the contract grows a method without one here. */
const VALID: Record<GateMethod, unknown> = {
  scan: { barcode: 'ABC123' },
  status: {},
  stats: {},
  lookup: { query: 'smith' },
  ticket: { barcode: 'ABC123' },
  manualAdmit: { barcode: 'ABC123', note: 'lost phone' },
  annul: { scanId: '7b0c4c1e-3f7e-4a52-9a1f-2f5b8f0b7a11', note: 'wrong person' },
  activity: { limit: 10 },
  conflicts: {},
  events: {},
  findRelays: {},
  eventWindows: {},
  checkPin: { pin: '1234' },
  getSettings: {},
  updateSettings: { changes: { gateName: 'Door 2' } },
  turnstileTest: { direction: 'in' },
  admitOrder: { orderId: '610001' },
  reviewConflict: { conflictId: 'a+b', note: 'same person' },
  report: {},
  testRelay: { relayUrl: 'wss://relay.example.com', token: 'gate-token-123' },
  diagnostics: { pin: '1234' },
};

/** One invalid input per method (wrong type or missing required field). */
const INVALID: Record<GateMethod, unknown> = {
  scan: { barcode: 42 },
  status: 'nope',
  stats: [1],
  lookup: { query: 'ab' },
  ticket: {},
  manualAdmit: { barcode: 'ABC123' },
  annul: { scanId: 'not-a-uuid', note: 'x' },
  activity: { limit: 0 },
  conflicts: 7,
  events: 'x',
  findRelays: 'x',
  eventWindows: 'x',
  checkPin: {},
  getSettings: 5,
  updateSettings: { changes: { relayUrl: 'ftp://nope' } },
  turnstileTest: { direction: 'sideways' },
  admitOrder: { orderId: '' },
  reviewConflict: { conflictId: 'a+b', note: ' ' },
  report: { eventId: 7 },
  testRelay: { relayUrl: 'relay.example.com' },
  diagnostics: { pin: 1234 },
};

function setUp() {
  const handlers = new Map<string, (event: InvokeEventLike, input: unknown) => Promise<unknown>>();
  const fakeIpcMain = {
    handle: (channel: string, listener: (event: InvokeEventLike, input: unknown) => Promise<unknown>) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
  const calls: { method: string; input: unknown }[] = [];
  const table = Object.fromEntries(
    GATE_METHODS.map((method) => [
      method,
      async (input: unknown) => {
        calls.push({ method, input });
        if ((input as { barcode?: string }).barcode === 'THROW') throw new Error('boom');
        return { ok: true, value: method };
      },
    ]),
  ) as HandlerTable;
  const dispose = registerGateIpc({
    ipcMain: fakeIpcMain,
    handlers: table,
    isTrusted: (frame) => isTrustedSender(frame, APP_URL),
  });
  const invoke = (method: GateMethod, input: unknown, event: InvokeEventLike = OUR_FRAME) => {
    const handler = handlers.get(channelOf(method));
    if (!handler) throw new Error(`no handler for ${method}`);
    return handler(event, input);
  };
  return { handlers, calls, dispose, invoke, fakeIpcMain };
}

describe('IPC handlers (fake ipcMain, fake engine)', () => {
  it('registers exactly one channel per contract method and removes them all on dispose', () => {
    const { handlers, dispose } = setUp();
    expect([...handlers.keys()].sort()).toEqual(GATE_METHODS.map(channelOf).sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it.each(GATE_METHODS)(
    '%s: refuses invalid input with bad_request naming the field; the engine never sees it',
    async (method) => {
      const { calls, invoke } = setUp();
      const answer = (await invoke(method, INVALID[method])) as {
        ok: boolean;
        error?: { code: string; message: string };
      };
      expect(answer.ok).toBe(false);
      expect(answer.error?.code).toBe('bad_request');
      expect(answer.error?.message).toMatch(/^[\w.()]+: /);
      expect(calls).toEqual([]);
    },
  );

  it.each(GATE_METHODS)('%s: passes valid input through to the engine', async (method) => {
    const { calls, invoke } = setUp();
    expect(await invoke(method, VALID[method])).toEqual({ ok: true, value: method });
    expect(calls.map((call) => call.method)).toEqual([method]);
  });

  it('refuses senders that are not our top frame at the app URL', async () => {
    const { calls, invoke } = setUp();
    const strangers: InvokeEventLike[] = [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: APP_URL, parent: { url: 'https://evil.example/' } } },
      { senderFrame: { url: 'file:///tmp/other.html', parent: null } },
      { senderFrame: null },
    ];
    for (const event of strangers) {
      const answer = (await invoke('status', {}, event)) as { ok: boolean; error?: { code: string } };
      expect(answer).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(calls).toEqual([]);
    expect(
      await invoke('status', {}, { senderFrame: { url: `${APP_URL}#/settings`, parent: null } }),
    ).toEqual({ ok: true, value: 'status' });
  });

  it('turns an engine exception into an internal error instead of a rejected promise', async () => {
    const { invoke } = setUp();
    expect(await invoke('scan', { barcode: 'THROW' })).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('shell channels refuse unknown senders and say when there is no demo', async () => {
    const handlers = new Map<string, (event: InvokeEventLike, input?: unknown) => Promise<unknown>>();
    const fakeIpcMain = {
      handle: (channel: string, listener: (event: InvokeEventLike, input: unknown) => Promise<unknown>) => {
        handlers.set(channel, listener);
      },
      removeHandler: (channel: string) => handlers.delete(channel),
    };
    registerShellIpc({ ipcMain: fakeIpcMain, isTrusted: (frame) => isTrustedSender(frame, APP_URL) });
    expect(await handlers.get('shell:hasDemo')?.(OUR_FRAME)).toBe(false);
    expect(await handlers.get('shell:startDemo')?.(OUR_FRAME)).toEqual({
      ok: false,
      message: 'this build has no demo',
    });
    expect(
      await handlers.get('shell:startDemo')?.({
        senderFrame: { url: 'https://evil.example/', parent: null },
      }),
    ).toMatchObject({ ok: false, message: /sender/ });
  });
});

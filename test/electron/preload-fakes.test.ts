// The built preload bundle (dist/electron/preload.cjs), loaded with a FAKE contextBridge and a FAKE
// ipcRenderer (no Electron binary runs here): it must expose exactly one named function per
// contract method, each invoking its own channel, plus an event subscription, and nothing generic.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATE_METHODS } from '../../shared/gate-api.js';
import { EVENT_CHANNEL, SHELL_CHANNELS, channelOf } from '../../electron/channels.js';

interface Exposed {
  api: Record<string, (input: unknown) => Promise<unknown>>;
  onEvent(listener: (event: unknown) => void): () => void;
  shell: Record<string, () => Promise<unknown>>;
}

function loadPreload() {
  const invoked: { channel: string; input: unknown }[] = [];
  const listeners = new Map<string, ((event: unknown, frame: unknown) => void)[]>();
  const exposed = new Map<string, unknown>();
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: async (channel: string, input: unknown) => {
        invoked.push({ channel, input });
        return { ok: true, value: channel };
      },
      on: (channel: string, listener: (event: unknown, frame: unknown) => void) =>
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
      removeListener: (channel: string, listener: (event: unknown, frame: unknown) => void) =>
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((item) => item !== listener),
        ),
    },
  };
  const requested: string[] = [];
  const fakeRequire = (name: string) => {
    requested.push(name);
    if (name === 'electron') return fakeElectron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const code = readFileSync('dist/electron/preload.cjs', 'utf8');
  const module = { exports: {} };
  new Function('require', 'module', 'exports', code)(fakeRequire, module, module.exports);
  return { exposed, invoked, listeners, requested };
}

describe('preload (built bundle) with fake contextBridge and ipcRenderer', () => {
  beforeAll(() => {
    const result = spawnSync('node', ['scripts/build-preload.mjs'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  it('is small and carries no zod: only the contract’s method names reach the bundle', () => {
    const code = readFileSync('dist/electron/preload.cjs', 'utf8');
    expect(code.length).toBeLessThan(8_000);
    expect(code).not.toMatch(/zod|ZodError|safeParse/i);
    for (const method of GATE_METHODS) expect(code).toContain(`"${method}"`);
  });

  it('exposes only window.gatehouse, requiring nothing but electron', () => {
    const { exposed, requested } = loadPreload();
    expect([...exposed.keys()]).toEqual(['gatehouse']);
    expect(requested).toEqual(['electron']);
    expect(Object.keys(exposed.get('gatehouse') as object).sort()).toEqual(['api', 'onEvent', 'shell']);
  });

  it('exposes exactly one function per contract method, each on its own channel', async () => {
    const { exposed, invoked } = loadPreload();
    const bridge = exposed.get('gatehouse') as Exposed;
    expect(Object.keys(bridge.api).sort()).toEqual([...GATE_METHODS].sort());
    for (const method of GATE_METHODS) {
      const answer = await bridge.api[method]?.({ probe: method });
      expect(answer).toEqual({ ok: true, value: channelOf(method) });
    }
    expect(invoked.map((call) => call.channel)).toEqual(GATE_METHODS.map(channelOf));
    expect(invoked.every((call) => (call.input as { probe: string }).probe !== undefined)).toBe(true);
    expect(Object.keys(bridge.shell).sort()).toEqual(Object.keys(SHELL_CHANNELS).sort());
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/invoke|send/);
  });

  it('forwards event frames without the IPC event, and unsubscribes', () => {
    const { exposed, listeners } = loadPreload();
    const bridge = exposed.get('gatehouse') as Exposed;
    const received: unknown[] = [];
    const stop = bridge.onEvent((frame) => received.push(frame));
    const senderEvent = { sender: 'secret ipc internals' };
    listeners.get(EVENT_CHANNEL)?.forEach((listener) => listener(senderEvent, { type: 'status' }));
    expect(received).toEqual([{ type: 'status' }]);
    stop();
    expect(listeners.get(EVENT_CHANNEL)).toEqual([]);
    expect(() => bridge.onEvent('not a function' as unknown as () => void)).toThrow(/function/);
  });
});

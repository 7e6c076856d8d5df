// Engine-process supervision (electron/engine-supervisor.ts) with a FAKE utilityProcess built on
// child_process.fork (no Electron binary runs here), running the REAL engine host (dist/electron/
// engine-host.js) with a real gate engine on a temp folder: calls are brokered, events forwarded,
// the token goes back to main to be stored; a crash answers calls `unavailable` with the reason and
// is restarted with a growing backoff; data survives; stop is clean and final.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GateEvent } from '../../shared/gate-api.js';
import type { StartMessage, ToEngine } from '../../electron/engine-messages.js';
import {
  EngineSupervisor,
  type EngineState,
  type UtilityProcessLike,
} from '../../electron/engine-supervisor.js';
import { REPO_ROOT, makeTempDir, waitFor, type TempDir } from '../relay/support.js';

const HOST = join(REPO_ROOT, 'dist', 'electron', 'engine-host.js');

interface Harness {
  supervisor: EngineSupervisor;
  children: ChildProcess[];
  states: EngineState[];
  events: GateEvent[];
  stored: string[];
  temp: TempDir;
}

const running: Harness[] = [];
afterEach(async () => {
  for (const harness of running.splice(0)) {
    await harness.supervisor.stop();
    harness.children.forEach((child) => child.kill('SIGKILL'));
    harness.temp.remove();
  }
});

/** utilityProcess.fork's shape, on child_process.fork: postMessage/message/exit/kill. */
function forkUtilityProcess(children: ChildProcess[]): UtilityProcessLike {
  const child = fork(HOST, [], {
    env: { ...process.env, GATEHOUSE_SQLITE_BINDING: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.resume();
  children.push(child);
  return {
    postMessage: (message: ToEngine) => void child.send(message),
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'message') child.on('message', listener as (message: unknown) => void);
      // Electron reports a code; a signal death reads as a failure code too.
      else child.on('exit', (code) => (listener as (code: number) => void)(code ?? 1));
      return this;
    },
    kill: () => child.kill('SIGTERM'),
  } as UtilityProcessLike;
}

function harness(dataDir?: (temp: TempDir) => string): Harness {
  const temp = makeTempDir('gatehouse-supervisor-');
  const children: ChildProcess[] = [];
  const states: EngineState[] = [];
  const events: GateEvent[] = [];
  const stored: string[] = [];
  const supervisor = new EngineSupervisor({
    fork: () => forkUtilityProcess(children),
    startMessage: (): StartMessage => ({
      type: 'start',
      dataDir: dataDir ? dataDir(temp) : temp.file('gate'),
      userData: temp.path,
      logFile: temp.file('logs/engine.log'),
      diagnosticLogs: [temp.file('logs/engine.log')],
      token: stored.at(-1) ?? null,
      canStoreToken: true,
    }),
    onEvent: (event) => events.push(event),
    onState: (state) => states.push(state),
    storeToken: (token) => stored.push(token),
    backoffBaseMs: 200,
    backoffCapMs: 5_000,
  });
  const made = { supervisor, children, states, events, stored, temp };
  running.push(made);
  return made;
}

const current = (made: Harness) => made.children.at(-1) as ChildProcess;

describe('engine supervision (fake utilityProcess on child_process.fork, real engine host)', () => {
  it('brokers calls and events, stores the token in main, restarts after a crash with growing backoff', async () => {
    const made = harness();
    const { supervisor } = made;
    await supervisor.start();
    expect(supervisor.state().state).toBe('running');
    expect(await supervisor.call('status', {})).toMatchObject({ ok: true, value: { connection: 'offline' } });

    const scanned = await supervisor.call('scan', { barcode: 'BEFORE-THE-CRASH' });
    expect(scanned).toMatchObject({ ok: true, value: { result: 'deny' } });
    await waitFor(() => made.events.some((event) => event.type === 'decision'), {
      message: 'decision event',
    });
    expect(
      await supervisor.call('updateSettings', { changes: { token: 'gate-token-abcdef' } }),
    ).toMatchObject({
      ok: true,
      value: { hasToken: true },
    });
    expect(made.stored).toEqual(['gate-token-abcdef']);

    // Crash 1: killed outright.
    const first = current(made);
    first.kill('SIGKILL');
    await waitFor(() => supervisor.state().state === 'restarting', { message: 'restarting' });
    const down = await supervisor.call('status', {});
    expect(down).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!down.ok && down.error.message).toMatch(/restarting \(it stopped with exit code/);
    await supervisor.whenReady();
    expect(made.children).toHaveLength(2);

    // The scan recorded before the crash is still there; the token came back from main's store.
    const activity = await supervisor.call('activity', {});
    expect(JSON.stringify(activity)).toContain('BEFORE-THE-CRASH');
    expect(await supervisor.call('getSettings', {})).toMatchObject({ ok: true, value: { hasToken: true } });

    // Crash 2 soon after: the wait before the restart grows.
    current(made).kill('SIGKILL');
    await waitFor(() => supervisor.state().restarts === 2, { message: 'second restart scheduled' });
    const delays = made.states
      .filter((state) => state.state === 'restarting')
      .map((state) => state.retryInMs ?? 0);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0] ?? 0);
    await supervisor.whenReady();
    expect(await supervisor.call('status', {})).toMatchObject({ ok: true });
  });

  it('a call in flight when the engine dies is answered unavailable, not left hanging', async () => {
    const made = harness();
    await made.supervisor.start();
    const child = current(made);
    child.kill('SIGSTOP'); // frozen: it cannot answer
    const answer = made.supervisor.call('stats', {});
    child.kill('SIGKILL');
    expect(await answer).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('stopped before answering') },
    });
  });

  it('an engine that cannot start says why; calls carry the reason while it retries', async () => {
    // The data folder is a file: the engine cannot open its database there.
    const made = harness((temp) => {
      const path = temp.file('not-a-folder');
      writeFileSync(path, 'x');
      return path;
    });
    const ready = made.supervisor.start();
    await waitFor(() => made.supervisor.state().state === 'restarting', { message: 'restarting' });
    const answer = await made.supervisor.call('status', {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!answer.ok && answer.error.message).toMatch(/not-a-folder|EEXIST|ENOTDIR/);
    void ready;
  });

  it('stop closes the engine cleanly and nothing restarts it', async () => {
    const made = harness();
    await made.supervisor.start();
    const child = current(made);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await made.supervisor.stop();
    expect(await exited).not.toBeUndefined();
    expect(made.supervisor.state().state).toBe('stopped');
    expect(made.children).toHaveLength(1);
    expect(await made.supervisor.call('status', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });
});

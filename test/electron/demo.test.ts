// The app's "Start the demo" (electron/demo.ts) with real parts: a real gate engine on a temp dir and
// the real demo relay + simulator (sim/demo) in this process. The engine ends up online on the demo
// event with a token it never shows, and a second launch on the same folder resumes the demo.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoControl } from '../../electron/demo.js';
import type { GateEngine } from '../../electron/gate/index.js';
import { REPO_ROOT, makeTempDir, waitFor, type TempDir } from '../relay/support.js';

// The compiled modules, as Electron runs them (dist/, from `npm run build`): the relay's store
// starts a worker thread from its compiled file.
const load = <T>(path: string) => import(pathToFileURL(join(REPO_ROOT, 'dist', path)).href) as Promise<T>;
const { createDemoControl } = await load<typeof import('../../electron/demo.js')>('electron/demo.js');
const { startGate } = await load<typeof import('../../electron/gate/index.js')>('electron/gate/index.js');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function launch(temp: TempDir): Promise<{ engine: GateEngine; demo: DemoControl }> {
  const engine = await startGate({ dataDir: temp.file('gate') });
  const demo = createDemoControl(temp.path, engine);
  cleanups.push(
    () => engine.stop(),
    () => demo.stop(),
  );
  return { engine, demo };
}

async function statusOf(engine: GateEngine) {
  const answer = await engine.handlers.status({});
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

describe('demo from the app shell (real engine, real demo relay)', () => {
  it('starts a local relay and points the engine at it; the next launch resumes it', async () => {
    const temp = makeTempDir('gatehouse-shell-demo-');
    cleanups.push(() => temp.remove());
    const first = await launch(temp);
    await first.demo.resume();
    // Nothing to resume on a fresh folder.
    expect(await first.engine.handlers.getSettings({})).toMatchObject({
      ok: true,
      value: { relayUrl: null },
    });
    await first.demo.start();
    await waitFor(
      async () => {
        const status = await statusOf(first.engine);
        return status.connection === 'online' && status.tickets > 0;
      },
      { message: 'engine online with demo tickets', timeoutMs: 20_000 },
    );
    const settings = await first.engine.handlers.getSettings({});
    expect(settings).toMatchObject({ ok: true, value: { hasToken: true, gateName: 'Demo Gate' } });

    await first.demo.stop();
    await first.engine.stop();
    const second = await launch(temp);
    await second.demo.resume();
    await waitFor(async () => (await statusOf(second.engine)).connection === 'online', {
      message: 'resumed demo online',
      timeoutMs: 20_000,
    });
  });
});

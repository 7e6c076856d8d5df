// startDemo in-process without its own gate, the way the Electron shell uses it: the shell points its
// own engine at relayUrl with gateToken for eventId. A real gate engine (real SQLite, real websocket)
// stands in for the shell's here and must answer the listed barcodes as the demo promises.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { GateEngine } from '../../electron/gate/index.js';
import type * as DemoModule from '../../sim/demo.js';
import type * as GateModule from '../../electron/gate/index.js';
import type * as WaitModule from '../../sim/wait.js';
import { makeTempDir, REPO_ROOT, type TempDir } from '../relay/support.js';

// The compiled modules, as the Electron main process loads them (the relay's store runs a worker
// thread from its compiled file, which a TypeScript source import cannot start).
const compiled = <T>(path: string) => import(pathToFileURL(join(REPO_ROOT, 'dist', path)).href) as Promise<T>;
const { startDemo } = await compiled<typeof DemoModule>('sim/demo.js');
const { startGate } = await compiled<typeof GateModule>('electron/gate/index.js');
const { waitForGate } = await compiled<typeof WaitModule>('sim/wait.js');
type RunningDemo = DemoModule.RunningDemo;

let demo: RunningDemo | null = null;
let gate: GateEngine | null = null;
let temp: TempDir | null = null;

afterEach(async () => {
  await gate?.stop();
  await demo?.stop();
  temp?.remove();
  gate = demo = temp = null;
});

describe('startDemo', () => {
  it('hands an outside gate engine a relay, token and event whose barcodes behave as listed', async () => {
    temp = makeTempDir('gatehouse-demo-service-');
    demo = await startDemo({ dataDir: temp.file('demo'), withGate: false, rate: 50 });
    expect(demo.gateUrl).toBeUndefined();
    const { barcodes } = demo;
    gate = await startGate({
      dataDir: temp.file('shell-gate'),
      settings: {
        relayUrl: demo.relayUrl,
        token: demo.gateToken,
        gateName: 'Shell Gate',
        events: [demo.eventId],
      },
    });
    const engine = gate;
    await waitForGate(
      engine,
      30_000,
      async () => (await engine.handlers.ticket({ barcode: barcodes.refunded })).ok,
    );
    const scan = async (barcode: string) => {
      const answer = await engine.handlers.scan({ barcode });
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value;
    };
    expect(await scan(barcodes.valid)).toMatchObject({ result: 'admit' });
    expect(await scan(barcodes.refunded)).toMatchObject({ result: 'deny', reason: 'not_valid' });
    expect(await scan(barcodes.unknown)).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    expect(new Set(Object.values(barcodes)).size).toBe(5);
  });

  it('refuses to serve its PIN-less gate beyond loopback', async () => {
    temp = makeTempDir('gatehouse-demo-service-');
    await expect(startDemo({ dataDir: temp.file('demo'), listen: '0.0.0.0:0' })).rejects.toThrow(/loopback/);
  });
});

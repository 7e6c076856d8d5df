/**
 * The demo inside the app: a local relay with showcase tickets and a simulated feed (sim/demo),
 * with this app's own engine pointed at it. A marker file remembers that this PC runs the demo, so
 * the next launch starts it again (the relay's port changes, so the gate's relay URL is renewed).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../shared/logger.js';
import type { GateEngine } from './gate/index.js';

const log = createLogger('shell.demo');

export interface DemoControl {
  start(): Promise<void>;
  /** Restarts the demo when the last run used it. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export function createDemoControl(userData: string, engine: GateEngine): DemoControl {
  const dataDir = join(userData, 'demo');
  const marker = join(dataDir, 'in-use');
  let running: { stop(): Promise<void> } | null = null;

  const start = async () => {
    if (running) return;
    // Loaded on demand: a gate that never runs the demo never loads the relay or the simulator.
    const { startDemo } = await import('../sim/demo.js');
    mkdirSync(dataDir, { recursive: true });
    const demo = await startDemo({ dataDir, withGate: false });
    running = demo;
    const answer = await engine.handlers.updateSettings({
      changes: {
        relayUrl: demo.relayUrl,
        token: demo.gateToken,
        events: [demo.eventId],
        gateName: 'Demo Gate',
      },
    });
    if (!answer.ok) {
      await stop();
      throw new Error(answer.error.message);
    }
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    log.info('demo started', { relayUrl: demo.relayUrl });
  };

  const stop = async () => {
    const demo = running;
    running = null;
    await demo?.stop();
  };

  return {
    start,
    stop,
    async resume() {
      if (existsSync(marker)) await start();
    },
  };
}

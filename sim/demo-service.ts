/**
 * The one-command demo as a service: a relay on an embedded SQLite file, the showcase deliveries,
 * a gate engine selected for the demo event (optionally served headless over HTTP with the UI),
 * and the simulator trickling sales, refunds and reissues. Everything runs in this process, so the
 * Electron shell can start the demo in its main process too (with `withGate: false`, pointing its
 * own engine at `relayUrl` with `gateToken`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createLogger } from '../shared/logger.js';
import { addGate, startRelay } from '../relay/index.js';
import { startGate, type GateEngine } from '../electron/gate/index.js';
import { GateServer } from '../electron/gate/server/index.js';
import { isLoopback, parseListen } from '../electron/gate/cli.js';
import { demoContent, DEMO_EVENT_ID, type DemoBarcodes } from './showcase.js';
import { sendDeliveries, type SendReport } from './sender.js';
import { waitForGate } from './wait.js';

const log = createLogger('sim.demo');
export const DEMO_GATE_NAME = 'Demo Gate';

export interface DemoOptions {
  dataDir: string;
  /** Start a gate engine for the demo event (default true). */
  withGate?: boolean;
  /** Serve that gate's API and UI at HOST:PORT (default 127.0.0.1:0); ignored without a gate. */
  listen?: string;
  /** Trickle deliveries per second (default 1). */
  rate?: number;
  /** Where the built renderer lives (default: dist/renderer beside this module's build). */
  staticDir?: string;
}

export interface RunningDemo {
  relayUrl: string;
  gateToken: string;
  eventId: string;
  gateUrl?: string;
  barcodes: DemoBarcodes;
  /** Settles when the trickle has sent everything (or was stopped). */
  trickle: Promise<SendReport>;
  stop(): Promise<void>;
}

const credentialsSchema = z.object({ secret: z.string().min(16), gateToken: z.string().min(8) });

/** Secret and gate token survive a restart on the same data folder, so the gate keeps working. */
async function credentials(dataDir: string, dbPath: string): Promise<z.infer<typeof credentialsSchema>> {
  const file = join(dataDir, 'demo.json');
  if (existsSync(file)) {
    const parsed = credentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    throw new Error(
      `${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}; delete the demo folder to start afresh`,
    );
  }
  const created = {
    secret: randomBytes(24).toString('base64url'),
    gateToken: await addGate(dbPath, DEMO_GATE_NAME),
  };
  writeFileSync(file, `${JSON.stringify(created)}\n`, { mode: 0o600 });
  return created;
}

function defaultStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Built: dist/sim/ → dist/renderer. From sources (tests): sim/ → dist/renderer.
  const built = join(here, '..', 'renderer');
  return existsSync(join(built, 'index.html')) && here.includes(`${join('dist', 'sim')}`)
    ? built
    : join(here, '..', 'dist', 'renderer');
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const listen = parseListen(options.listen ?? '127.0.0.1:0');
  if (typeof listen === 'string') throw new Error(listen);
  // The demo gate has no staff PIN, so its API must not be reachable from the network.
  if (!isLoopback(listen.host)) {
    throw new Error(`listen: the demo serves only on loopback (127.0.0.1, ::1), got ${listen.host}`);
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const dbPath = join(options.dataDir, 'relay.db');
  const { secret, gateToken } = await credentials(options.dataDir, dbPath);
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stack.splice(0).reverse()) {
      await step().catch((error: unknown) =>
        log.warn('demo part did not stop cleanly', { error: (error as Error).message }),
      );
    }
  };
  try {
    const relay = await startRelay({ dbPath, webhookSecret: secret, host: '127.0.0.1', port: 0 });
    stack.push(() => relay.stop());
    const content = demoContent(new Date());
    const send = { relayUrl: relay.url, secret, seed: 'demo' };
    const first = await sendDeliveries(
      [...content.showcase.deliveries, ...content.otherEvent.deliveries],
      send,
    );
    if (first.accepted !== first.sent || first.sent === 0)
      throw new Error(`relay refused the showcase: ${first.problems.join('; ')}`);
    const eventId = String(DEMO_EVENT_ID);
    let gateUrl: string | undefined;
    if (options.withGate ?? true) {
      const gate: GateEngine = await startGate({
        dataDir: join(options.dataDir, 'gate'),
        settings: { relayUrl: relay.url, token: gateToken, gateName: DEMO_GATE_NAME, events: [eventId] },
      });
      stack.push(() => gate.stop());
      const server = new GateServer({
        engine: gate,
        host: listen.host,
        port: listen.port,
        staticDir: options.staticDir ?? defaultStaticDir(),
      });
      const address = await server.start();
      stack.push(() => server.stop());
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      gateUrl = `http://${host}:${address.port}`;
      // Ready means the gate already knows the showcase, so the listed barcodes answer as promised.
      const { barcodes } = content;
      await waitForGate(gate, 20_000, async () => {
        const answers = await Promise.all(
          [barcodes.valid, barcodes.refunded].map((barcode) => gate.handlers.ticket({ barcode })),
        );
        return answers.every((answer) => answer.ok);
      });
    }
    const controller = new AbortController();
    const trickle = sendDeliveries(content.trickle.deliveries, {
      ...send,
      rate: options.rate ?? 1,
      signal: controller.signal,
    });
    stack.push(async () => {
      controller.abort();
      await trickle;
    });
    return { relayUrl: relay.url, gateToken, eventId, gateUrl, barcodes: content.barcodes, trickle, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The engine process: the gate engine (and the demo, when used) in Electron's `utilityProcess`, so
 * that storing a large ticket list never stalls the window and a crash of the engine leaves the
 * window standing (main restarts it, see engine-supervisor.ts). Talks to main only through the
 * messages of engine-messages.ts, over `process.parentPort` (Electron) or the IPC channel of
 * `child_process.fork` (the tests' stand-in for utilityProcess). Never imports `electron`.
 */
import { createLogger, consoleLogSink, setLogSink, teeLogSinks } from '../shared/logger.js';
import { isGateMethod, type ApiResult } from '../shared/gate-api.js';
import { createDemoControl, type DemoControl } from './demo.js';
import {
  fromEngineSchema,
  toEngineSchema,
  type DemoResult,
  type FromEngine,
  type StartMessage,
} from './engine-messages.js';
import {
  installCrashHandlers,
  openLogFile,
  startGate,
  type GateEngine,
  type SecretStore,
} from './gate/index.js';

const log = createLogger('shell.engine');

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The link to main: Electron's parentPort, or a forked child's IPC channel. */
function connect(): { post(message: FromEngine): void; onMessage(listener: (data: unknown) => void): void } {
  const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (port) {
    return {
      post: (message) => port.postMessage(fromEngineSchema.parse(message)),
      onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    };
  }
  if (!process.send) throw new Error('engine-host must run as a utility process or a forked child');
  // A forked child whose parent is gone has nobody to answer: it ends (Electron does this itself).
  process.on('disconnect', () => process.exit(0));
  return {
    post: (message) => process.send?.(fromEngineSchema.parse(message)),
    onMessage: (listener) => process.on('message', listener),
  };
}

/** The token lives in main's safeStorage; this process keeps the decrypted copy it was given. */
class RelayedSecretStore implements SecretStore {
  constructor(
    private token: string | null,
    private readonly canStore: boolean,
    private readonly store: (token: string) => void,
  ) {}
  get(): string | null {
    return this.token;
  }
  set(token: string): void {
    if (!this.canStore)
      throw new Error('token: this PC offers no encrypted storage (OS keyring); the token was not saved');
    this.token = token;
    this.store(token);
  }
}

const INTERNAL: ApiResult<never> = {
  ok: false,
  error: { code: 'internal', message: 'the gate failed to answer; see its log' },
};

async function main(): Promise<void> {
  const parent = connect();
  let engine: GateEngine | null = null;
  let demo: DemoControl | null = null;
  let isStarting = false;

  const start = async (message: StartMessage) => {
    if (isStarting) return;
    isStarting = true;
    if (message.logFile) {
      const file = await openLogFile(message.logFile);
      setLogSink(teeLogSinks(consoleLogSink, file.sink));
    }
    installCrashHandlers('gate engine process');
    const secrets = new RelayedSecretStore(message.token, message.canStoreToken, (token) =>
      parent.post({ type: 'token', token }),
    );
    try {
      engine = await startGate({
        dataDir: message.dataDir,
        secrets,
        logFiles: message.diagnosticLogs,
      });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      log.error('the gate engine failed to start', { error: text });
      // Main ends this process on `failed` (exiting here could drop the message on its way).
      parent.post({ type: 'failed', message: text });
      return;
    }
    const running = engine;
    running.onEvent((event) => parent.post({ type: 'event', event }));
    demo = createDemoControl(message.userData, running);
    await demo
      .resume()
      .catch((error: unknown) => log.error('the demo did not restart', { error: String(error) }));
    parent.post({ type: 'ready' });
  };

  const call = async (id: number, method: string, input: unknown) => {
    let result: ApiResult<unknown> = INTERNAL;
    if (!engine)
      result = { ok: false, error: { code: 'unavailable', message: 'the gate engine is starting' } };
    else if (!isGateMethod(method))
      result = { ok: false, error: { code: 'bad_request', message: `method: no ${method}` } };
    else {
      try {
        result = await engine.handlers[method](input);
      } catch (error) {
        log.error('handler threw', { method, error: String(error) });
      }
    }
    parent.post({ type: 'result', id, result });
  };

  const startDemo = async (id: number) => {
    let result: DemoResult = { ok: true };
    try {
      if (!demo) throw new Error('the gate engine is starting');
      await demo.start();
    } catch (error) {
      log.error('demo failed to start', { error: String(error) });
      result = { ok: false, message: `the demo did not start: ${String(error)}` };
    }
    parent.post({ type: 'result', id, result });
  };

  const stop = async () => {
    await demo
      ?.stop()
      .catch((error: unknown) => log.error('demo did not stop cleanly', { error: String(error) }));
    await engine?.stop();
    log.info('gate engine stopped');
    // Main ends this process on `stopped`: nothing is left to write.
    parent.post({ type: 'stopped' });
  };

  parent.onMessage((data) => {
    const parsed = toEngineSchema.safeParse(data);
    if (!parsed.success) {
      log.warn('ignoring a message from main that does not parse', {
        issue: parsed.error.issues[0]?.message,
      });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'start':
        void start(message);
        return;
      case 'call':
        void call(message.id, message.method, message.input);
        return;
      case 'demo':
        void startDemo(message.id);
        return;
      case 'stop':
        void stop();
        return;
      default: {
        const impossible: never = message;
        throw new Error(`unknown message ${JSON.stringify(impossible)}`);
      }
    }
  });
}

main().catch((error: unknown) => {
  log.error('the engine process failed', {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
});

/**
 * `gatehouse gate …`: a headless gate. Starts the engine on a data directory, serves the API and the
 * UI over HTTP, and prints `listening on http://HOST:PORT` when ready. Flags are saved as settings
 * in the data directory, so a restart with only `--data` and `--listen` resumes as before.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EditableSettings, SettingsView } from '../../shared/gate-api.js';
import { formatHelp, parseCommandLine, type CommandSpec } from '../../shared/cli.js';
import { parseLogLevel, setLogLevel, setLogSink } from '../../shared/logger.js';
import { parseScannerSpec, parseTurnstileSpec } from '../../shared/turnstile.js';
import type { CallContext } from './api.js';
import { installCrashHandlers } from './crash.js';
import { DOOR_FLAGS, doorFlagProblem, doorSettingsFromFlags } from './door-flags.js';
import { SettingsError, startGate } from './index.js';
import { main as reportMain } from './cli/report.js';
import { openLogFile, type LogFile } from './log-file.js';
import { resolveSecret } from './secret-flags.js';
import { GateServer, PIN_HEADER, type AccessCheck } from './server/index.js';
import { DEFAULT_SYNC_TIMING } from './sync/client.js';

export const GATE_COMMAND: CommandSpec = {
  usage: 'gatehouse gate',
  summary: 'Run a headless gate: the engine, its API (POST /api/<method>) and the UI over HTTP.',
  flags: [
    {
      name: 'data',
      type: 'string',
      value: 'DIR',
      description: 'Data directory (database, settings, token)',
      isRequired: true,
    },
    {
      name: 'listen',
      type: 'string',
      value: 'HOST:PORT',
      description: 'Address to serve on; port 0 picks one (default 127.0.0.1:0)',
    },
    {
      name: 'relay',
      type: 'string',
      value: 'URL',
      description:
        'Relay base URL (http(s):// or ws(s)://); repeat for replicas: the gate sticks to one and fails over to the next',
      isRepeatable: true,
    },
    {
      name: 'token-file',
      type: 'string',
      value: 'F',
      description: 'File holding the gate token from `gatehouse relay add-gate` (or GATEHOUSE_TOKEN)',
    },
    {
      name: 'token',
      type: 'string',
      value: 'T',
      description: 'The gate token itself (visible to other local users: prefer --token-file)',
    },
    { name: 'name', type: 'string', value: 'NAME', description: 'Gate name shown to staff and other gates' },
    {
      name: 'event',
      type: 'string',
      value: 'ID',
      description: 'Event this gate admits for',
      isRepeatable: true,
    },
    { name: 'mode', type: 'string', value: 'entry|exit', description: 'What a scan means at this gate' },
    {
      name: 'reentry',
      type: 'string',
      value: 'never|after_exit',
      description: 'Whether a ticket that went out may come back in',
    },
    {
      name: 'ticket-type',
      type: 'string',
      value: 'X',
      description: 'Ticket type id or name admitted (default all)',
      isRepeatable: true,
    },
    {
      name: 'pin-file',
      type: 'string',
      value: 'F',
      description: 'File holding the staff PIN (4–12 digits; or GATEHOUSE_PIN); required beyond loopback',
    },
    {
      name: 'pin',
      type: 'string',
      value: 'PIN',
      description: 'The staff PIN itself (visible to other local users: prefer --pin-file)',
    },
    {
      name: 'public-host',
      type: 'string',
      value: 'NAME',
      description: 'Another host name this gate is reached by (besides its address and localhost)',
      isRepeatable: true,
    },
    {
      name: 'turnstile',
      type: 'string',
      value: 'SPEC',
      description: 'Turnstile driver, e.g. none, lcus:/dev/ttyUSB0:1, shelly1:http://…',
    },
    { name: 'pulse-ms', type: 'number', value: 'N', description: 'Turnstile relay pulse in milliseconds' },
    {
      name: 'scanner',
      type: 'string',
      value: 'SPEC',
      description: 'Serial barcode scanner: PATH[:BAUD[:any|cr|lf|crlf]] or none',
    },
    {
      name: 'hide-names',
      type: 'boolean',
      description: 'Neither show nor send holder/buyer names and emails to the UI; no lookup by name',
    },
    {
      name: 'reconnect-max-ms',
      type: 'number',
      value: 'N',
      description: 'Longest wait between attempts to reach the relay (default 5000; 100–600000)',
    },
    {
      name: 'log-level',
      type: 'string',
      value: 'LEVEL',
      description: 'debug, info, warn, error or silent (default info)',
    },
    {
      name: 'log-file',
      type: 'string',
      value: 'F',
      description: 'Log to rotating files F.1, F.2, … (F = gate.log: gate.1.log, …) instead of stderr',
    },
    ...DOOR_FLAGS,
  ],
  notes: [
    'Non-loopback --listen needs a PIN; API requests then carry it in the X-Gatehouse-Pin header.',
    '`gatehouse gate report --data DIR` prints the night report (see `gatehouse gate report --help`).',
    'The API answers only its own origin: requests for another Host (DNS rebinding) or from another',
    "site's page (Origin) are refused with 403; POST bodies must be application/json.",
  ],
};

type Flags = Record<string, unknown>;

export function parseListen(text: string): { host: string; port: number } | string {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || !Number.isInteger(port) || port > 65_535)
    return `--listen must be HOST:PORT, got "${text}"`;
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** Flags → settings changes; `stored` supplies the turnstile fields not given. Errors are for exit 2. */
export function settingsFromFlags(flags: Flags, stored: SettingsView): Partial<EditableSettings> {
  const changes: Partial<EditableSettings> = {};
  const relays = stringList(flags.relay);
  if (relays && relays.length > 0) {
    changes.relayUrl = relays[0] ?? null;
    changes.relayUrls = relays;
  }
  if (typeof flags.token === 'string') changes.token = flags.token;
  if (typeof flags.name === 'string') changes.gateName = flags.name;
  if (flags.event !== undefined) changes.events = stringList(flags.event);
  if (flags['ticket-type'] !== undefined) changes.ticketTypes = stringList(flags['ticket-type']);
  if (flags.mode !== undefined) changes.mode = flags.mode as EditableSettings['mode'];
  if (flags.reentry !== undefined) changes.reentry = flags.reentry as EditableSettings['reentry'];
  if (typeof flags.pin === 'string') changes.pin = flags.pin;
  if (typeof flags['hide-names'] === 'boolean') changes.hideNames = flags['hide-names'];
  const scanner = typeof flags.scanner === 'string' ? parseScannerSpec(flags.scanner) : null;
  if (flags.turnstile !== undefined || flags['pulse-ms'] !== undefined || scanner?.ok) {
    changes.turnstile = {
      ...stored.turnstile,
      ...(typeof flags.turnstile === 'string' ? { spec: flags.turnstile } : {}),
      ...(typeof flags['pulse-ms'] === 'number' ? { pulseMs: flags['pulse-ms'] } : {}),
      ...(scanner?.ok ? { scanner: scanner.scanner } : {}),
    };
  }
  return { ...changes, ...doorSettingsFromFlags(flags) };
}

function checkFlags(flags: Flags): string | null {
  if (flags.mode !== undefined && flags.mode !== 'entry' && flags.mode !== 'exit')
    return `--mode must be entry or exit, got "${String(flags.mode)}"`;
  if (flags.reentry !== undefined && flags.reentry !== 'never' && flags.reentry !== 'after_exit') {
    return `--reentry must be never or after_exit, got "${String(flags.reentry)}"`;
  }
  if (typeof flags.turnstile === 'string') {
    const parsed = parseTurnstileSpec(flags.turnstile);
    if (!parsed.ok) return `--turnstile: ${parsed.error}`;
  }
  if (typeof flags.scanner === 'string') {
    const parsed = parseScannerSpec(flags.scanner);
    if (!parsed.ok) return `--scanner: ${parsed.error}`;
  }
  const reconnect = flags['reconnect-max-ms'];
  if (
    reconnect !== undefined &&
    !(Number.isInteger(reconnect) && Number(reconnect) >= 100 && Number(reconnect) <= 600_000)
  )
    return `--reconnect-max-ms must be a whole number of milliseconds from 100 to 600000, got "${String(reconnect)}"`;
  if (flags['log-level'] !== undefined && parseLogLevel(String(flags['log-level'])) === null) {
    return `--log-level must be debug, info, warn, error or silent, got "${String(flags['log-level'])}"`;
  }
  return doorFlagProblem(flags);
}

export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let directory = from;
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory)
    directory = dirname(directory);
  return directory;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'report') return reportMain(argv.slice(1));
  const outcome = parseCommandLine(GATE_COMMAND, argv);
  if (outcome.kind === 'help') {
    console.log(formatHelp(GATE_COMMAND));
    return 0;
  }
  if (outcome.kind === 'error') {
    console.error(`gatehouse gate: ${outcome.message}`);
    return 2;
  }
  const flags = outcome.args.flags;
  const listen = parseListen(typeof flags.listen === 'string' ? flags.listen : '127.0.0.1:0');
  const problem = typeof listen === 'string' ? listen : checkFlags(flags);
  if (problem !== null || typeof listen === 'string') {
    console.error(`gatehouse gate: ${problem ?? ''}`);
    return 2;
  }
  const level = parseLogLevel(typeof flags['log-level'] === 'string' ? flags['log-level'] : undefined);
  if (level) setLogLevel(level);
  // Secrets from files or the environment become the flags' values; argv ones are warned about.
  for (const source of [
    { flag: 'token', env: 'GATEHOUSE_TOKEN' },
    { flag: 'pin', env: 'GATEHOUSE_PIN' },
  ]) {
    const secret = resolveSecret(flags, source);
    if (!secret.ok) {
      console.error(`gatehouse gate: ${secret.error}`);
      return 2;
    }
    for (const warning of secret.warnings) console.error(`gatehouse gate: warning: ${warning}`);
    if (secret.value !== undefined) flags[source.flag] = secret.value;
  }
  let logFile: LogFile | null = null;
  if (typeof flags['log-file'] === 'string') {
    try {
      logFile = await openLogFile(flags['log-file']);
    } catch (error) {
      console.error(`gatehouse gate: --log-file: ${(error as Error).message}`);
      return 2;
    }
    setLogSink(logFile.sink);
  }
  installCrashHandlers('headless gate');

  let engine;
  try {
    engine = await startGate({
      dataDir: String(flags.data),
      settings: (stored) => settingsFromFlags(flags, stored),
      logFiles: typeof flags['log-file'] === 'string' ? [flags['log-file']] : [],
      ...(typeof flags['reconnect-max-ms'] === 'number'
        ? {
            syncTiming: {
              ...DEFAULT_SYNC_TIMING,
              backoffBaseMs: Math.min(DEFAULT_SYNC_TIMING.backoffBaseMs, flags['reconnect-max-ms']),
              backoffCapMs: flags['reconnect-max-ms'],
            },
          }
        : {}),
    });
  } catch (error) {
    console.error(`gatehouse gate: ${(error as Error).message}`);
    return error instanceof SettingsError ? 2 : 1;
  }
  const settings = await engine.handlers.getSettings({});
  const isGuarded = !isLoopback(listen.host);
  if (isGuarded && !(settings.ok && settings.value.hasPin)) {
    await engine.stop();
    console.error(`gatehouse gate: listening on ${listen.host} (not loopback) requires --pin`);
    return 2;
  }
  const handlers = engine.handlers;
  const server = new GateServer({
    engine,
    host: listen.host,
    port: listen.port,
    staticDir: join(packageRoot(), 'dist', 'renderer'),
    publicHosts: stringList(flags['public-host']) ?? [],
    ...(isGuarded
      ? {
          checkPin: async (pin: string, context: CallContext): Promise<AccessCheck> => {
            const result = await handlers.checkPin({ pin }, context);
            if (result.ok && result.value.isValid) return { ok: true };
            if (!result.ok) return { ok: false, error: result.error };
            return { ok: false, error: { code: 'unauthorized', message: `${PIN_HEADER}: wrong staff PIN` } };
          },
        }
      : {}),
  });
  // Signal handlers first: whoever reads "listening on" may send SIGTERM at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  try {
    const address = await server.start();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    console.log(
      `gate ${settings.ok ? settings.value.gateName : ''} listening on http://${host}:${address.port}`,
    );
  } catch (error) {
    await engine.stop();
    console.error(
      `gatehouse gate: cannot listen on ${listen.host}:${listen.port}: ${(error as Error).message}`,
    );
    return 1;
  }
  await stopped;
  await server.stop();
  await engine.stop();
  await logFile?.close();
  return 0;
}

/** `gatehouse relay serve`: run the relay until SIGTERM/SIGINT, then drain and exit 0. */
import { parseLogLevel, setLogLevel } from '../../shared/logger.js';
import { MOSHTIX_GRAPHQL_ENDPOINT } from '../../shared/moshtix.js';
import { startRelay } from '../index.js';
import { MoshtixGraphqlClient } from '../moshtix/graphql.js';
import type { MoshtixCredentials } from '../moshtix/link.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_RETENTION,
} from '../server.js';
import { parseOtherEventsWindow, WINDOW_FLAG } from '../hub/other-events-window.js';
import type { ParsedArgs } from '../../shared/cli.js';
import {
  DB_FLAG,
  integerFlag,
  requireSecret,
  requireString,
  stringFlag,
  UsageError,
  type Subcommand,
} from './command.js';
import { moshtixTokenOf, TOKEN_ENV, TOKEN_FILE_FLAG } from './moshtix-token.js';

/** Moshtix API credentials from --moshtix-token-file or MOSHTIX_TOKEN; none given, none used. */
function moshtixCredentials(args: ParsedArgs): MoshtixCredentials | undefined {
  const token = moshtixTokenOf(args);
  const clientId = integerFlag(args, 'moshtix-client', 1);
  const url = stringFlag(args, 'moshtix-url');
  if (url !== undefined) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--moshtix-url is not a URL: ${url}`);
    }
  }
  if (token === undefined) {
    if (clientId !== undefined || url !== undefined)
      throw new UsageError(
        `--moshtix-client and --moshtix-url need a token: --${TOKEN_FILE_FLAG.name} or ${TOKEN_ENV}`,
      );
    return undefined;
  }
  return { client: new MoshtixGraphqlClient({ endpoint: url ?? MOSHTIX_GRAPHQL_ENDPOINT }), token, clientId };
}

const UPSTREAM_TOKEN_ENV = 'GATEHOUSE_UPSTREAM_TOKEN';

/** The venue relay's upstream (--upstream URL, its token, the events to follow), or none. */
function upstreamOf(args: ParsedArgs): { url: string; token: string; events: string[] } | undefined {
  const url = stringFlag(args, 'upstream');
  const events = args.flags['upstream-event'];
  const eventList = Array.isArray(events) ? events.map(String) : [];
  if (url === undefined) {
    if (
      eventList.length > 0 ||
      stringFlag(args, 'upstream-token-file') !== undefined ||
      stringFlag(args, 'upstream-token') !== undefined
    )
      throw new UsageError(
        '--upstream-token, --upstream-token-file and --upstream-event need --upstream URL',
      );
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--upstream is not a URL: ${url}`);
  }
  if (!/^(https?|wss?):$/.test(parsed.protocol))
    throw new UsageError(`--upstream must be an http(s) or ws(s) URL, got ${url}`);
  const token = requireSecret(args, 'upstream-token', UPSTREAM_TOKEN_ENV);
  return { url, token, events: eventList };
}

export const serve: Subcommand = {
  spec: {
    usage: 'gatehouse relay serve',
    summary: 'Accept Moshtix webhooks on POST /webhooks/moshtix and stream the log to gates on /gate.',
    flags: [
      DB_FLAG,
      {
        name: 'port',
        type: 'number',
        value: 'N',
        description: 'Port to listen on (0 picks a free one)',
        isRequired: true,
      },
      {
        name: 'host',
        type: 'string',
        value: 'H',
        description: 'Address to bind (default 127.0.0.1; 0.0.0.0 for all)',
      },
      {
        name: 'webhook-secret-file',
        type: 'string',
        value: 'F',
        description:
          'File holding the secret Moshtix sends in X-Gatehouse-Secret (or GATEHOUSE_WEBHOOK_SECRET)',
      },
      {
        name: 'webhook-secret',
        type: 'string',
        value: 'S',
        description: 'The webhook secret itself (visible to other local users: prefer the file or variable)',
      },
      {
        name: 'max-connections',
        type: 'number',
        value: 'N',
        description: `Open connections at most (default ${DEFAULT_MAX_CONNECTIONS})`,
      },
      {
        name: 'max-connections-per-address',
        type: 'number',
        value: 'N',
        description: `Open connections at most from one client address (default ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}; behind a proxy, that is the proxy)`,
      },
      {
        name: 'retention',
        type: 'number',
        value: 'N',
        description: `Log entries kept for gate catch-up (default ${DEFAULT_RETENTION})`,
      },
      {
        name: WINDOW_FLAG,
        type: 'string',
        value: 'BEFORE:AFTER',
        description:
          'Gates get keyed hashes of the tickets of other events dated from BEFORE days ago to AFTER days ahead, to name them (default 2:14)',
      },
      TOKEN_FILE_FLAG,
      {
        name: 'moshtix-client',
        type: 'number',
        value: 'ID',
        description: 'Moshtix client account id, to check the webhook subscription (with a token)',
      },
      {
        name: 'moshtix-url',
        type: 'string',
        value: 'URL',
        description: `Moshtix GraphQL endpoint (default ${MOSHTIX_GRAPHQL_ENDPOINT})`,
      },
      {
        name: 'upstream',
        type: 'string',
        value: 'URL',
        description:
          "Run as a venue relay: mirror this internet relay and forward this relay's gates' scans to it (no webhooks here)",
      },
      {
        name: 'upstream-token-file',
        type: 'string',
        value: 'F',
        description: `File holding the venue token (relay add-gate NAME --venue on the upstream relay), or ${UPSTREAM_TOKEN_ENV}`,
      },
      {
        name: 'upstream-token',
        type: 'string',
        value: 'T',
        description: 'The venue token itself (visible to other local users: prefer the file or variable)',
      },
      {
        name: 'upstream-event',
        type: 'string',
        value: 'ID',
        description:
          'An event to follow upstream (repeatable; default: every event the upstream relay knows)',
        isRepeatable: true,
      },
      {
        name: 'advertise',
        type: 'boolean',
        description:
          'Announce this relay on the LAN by mDNS as _gatehouse._tcp (for a venue relay; bind --host 0.0.0.0)',
      },
      {
        name: 'advertise-name',
        type: 'string',
        value: 'NAME',
        description: 'The name it is announced under (default "Gatehouse relay on HOSTNAME")',
      },
      {
        name: 'log-level',
        type: 'string',
        value: 'LEVEL',
        description: 'debug, info, warn, error or silent (default info; logs go to stderr)',
      },
    ],
    notes: [
      'Prints "listening on http://HOST:PORT" on stdout when ready. SIGTERM finishes in-flight deliveries and exits 0.',
      `With a Moshtix token (--${TOKEN_FILE_FLAG.name} or ${TOKEN_ENV}), ties between equal snapshots are resolved by`,
      'asking Moshtix for the order, and with --moshtix-client the ORDER_SAVED subscription is checked at start and',
      'every 10 minutes (GET /healthz: subscription enabled, disabled or unknown).',
      'Creates the --db file (0600) and its folder (0700) if missing. A failure to start prints one line and exits 1.',
      `With --upstream URL (a venue relay) no webhook secret is needed and POST /webhooks/moshtix answers 404;`,
      'GET /healthz adds upstream: {state, cursor, lag, pendingUploads}.',
    ],
  },
  async run(args) {
    const dbPath = requireString(args, 'db');
    const upstream = upstreamOf(args);
    // A venue relay takes no webhooks, so it needs no webhook secret.
    const secret = upstream ? '' : requireSecret(args, 'webhook-secret', 'GATEHOUSE_WEBHOOK_SECRET');
    const port = integerFlag(args, 'port', 0) ?? 0;
    if (port > 65535) throw new UsageError('--port must be at most 65535');
    const levelText = stringFlag(args, 'log-level');
    if (levelText !== undefined) {
      const level = parseLogLevel(levelText);
      if (!level)
        throw new UsageError(`--log-level must be debug, info, warn, error or silent, got "${levelText}"`);
      setLogLevel(level);
    }
    const windowText = stringFlag(args, WINDOW_FLAG);
    const otherEventsWindow = windowText === undefined ? undefined : parseOtherEventsWindow(windowText);
    if (typeof otherEventsWindow === 'string') throw new UsageError(otherEventsWindow);
    const isAdvertised = args.flags.advertise === true;
    if (!isAdvertised && stringFlag(args, 'advertise-name') !== undefined)
      throw new UsageError('--advertise-name needs --advertise');
    const host = stringFlag(args, 'host') ?? '127.0.0.1';
    if (isAdvertised && /^(127\.|::1$|localhost$)/.test(host))
      console.error(`warning: --advertise with --host ${host}: other PCs on the LAN cannot connect to it`);
    const moshtix = moshtixCredentials(args);
    if (upstream && moshtix)
      throw new UsageError(
        'a venue relay (--upstream) does not talk to Moshtix: give the token to the upstream relay',
      );
    const relay = await startRelay({
      dbPath,
      webhookSecret: secret,
      port,
      host,
      retention: integerFlag(args, 'retention', 1),
      otherEventsWindow,
      moshtix,
      maxConnections: integerFlag(args, 'max-connections', 1),
      maxConnectionsPerAddress: integerFlag(args, 'max-connections-per-address', 1),
      upstream,
      advertise: isAdvertised ? { name: stringFlag(args, 'advertise-name') } : undefined,
    });
    // The signal handlers go in before "listening" is printed: a supervisor (or a test) may send
    // SIGTERM the moment it reads that line, and a SIGTERM with no handler kills without draining.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    console.log(`gatehouse relay listening on ${relay.url}`);
    await stopped;
    await relay.stop();
    console.log('gatehouse relay stopped');
    return 0;
  },
};

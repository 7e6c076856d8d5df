/**
 * `gatehouse demo` (and `npm run demo`): starts a local relay, a simulated Moshtix feed and a gate
 * for the demo event, prints the URL to open and barcodes to try, and stops everything on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHelp, parseCommandLine, type CommandSpec } from '../shared/cli.js';
import { setLogLevel } from '../shared/logger.js';
import { parseRate } from './options.js';
import { startDemo } from './demo-service.js';
import { parseListen } from '../electron/gate/cli.js';

export { startDemo, type DemoOptions, type RunningDemo } from './demo-service.js';
export type { DemoBarcodes } from './showcase.js';

export const DEMO_COMMAND: CommandSpec = {
  usage: 'gatehouse demo',
  summary: 'Start a local relay, a simulated Moshtix feed and a gate for the demo event, all in one process.',
  flags: [
    {
      name: 'data',
      type: 'string',
      value: 'DIR',
      description: 'Keep the demo in DIR (default: a fresh temporary folder, removed on exit)',
    },
    {
      name: 'listen',
      type: 'string',
      value: 'HOST:PORT',
      description: 'Where the gate UI and API listen (default 127.0.0.1:0)',
    },
    {
      name: 'rate',
      type: 'string',
      value: 'R/s',
      description: 'Simulated deliveries per second (default 1)',
    },
    { name: 'verbose', type: 'boolean', description: 'Show the relay and gate logs' },
  ],
  notes: ['Stop with Ctrl-C.'],
};

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(DEMO_COMMAND, argv);
  if (parsed.kind === 'help') {
    console.log(formatHelp(DEMO_COMMAND));
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`gatehouse demo: ${parsed.message}`);
    return 2;
  }
  const flags = parsed.args.flags;
  const listen = (flags.listen as string | undefined) ?? '127.0.0.1:0';
  const listenProblem = parseListen(listen);
  if (typeof listenProblem === 'string') {
    console.error(`gatehouse demo: ${listenProblem}`);
    return 2;
  }
  const rate = flags.rate === undefined ? 1 : parseRate(String(flags.rate));
  if (rate === null) {
    console.error(`gatehouse demo: --rate must be deliveries per second, got "${String(flags.rate)}"`);
    return 2;
  }
  if (!flags.verbose) setLogLevel('warn');
  const given = flags.data as string | undefined;
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
  let isStopping = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = () => {
    isStopping = true;
    wake();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const demo = await startDemo({ dataDir, listen, rate });
    const { barcodes } = demo;
    console.log(
      [
        `Gatehouse demo — event ${demo.eventId} (Gatehouse Demo Night), data in ${dataDir}`,
        `relay:   ${demo.relayUrl}`,
        `gate UI: listening on ${demo.gateUrl ?? '(none)'}  ← open this in a browser`,
        '',
        'Barcodes to try:',
        `  valid              ${barcodes.valid}   admitted once, then "already admitted"`,
        `  refunded           ${barcodes.refunded}   denied: no longer valid`,
        `  reissued (old)     ${barcodes.reissued}   denied: replaced by a new barcode`,
        `  another event's    ${barcodes.otherEvent}   denied: not in this gate's list (another event)`,
        `  unknown            ${barcodes.unknown}   denied: unknown`,
        '',
        `The simulator keeps selling, refunding and reissuing at ${rate}/s. Ctrl-C stops everything.`,
      ].join('\n'),
    );
    if (!isStopping) await stopped;
    console.log('stopping …');
    await demo.stop();
    console.log('stopped');
    return 0;
  } catch (error) {
    console.error(`gatehouse demo: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (given === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

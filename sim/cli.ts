/**
 * `gatehouse sim …`: plays a simulated Moshtix night against a relay, or (`gatehouse sim api`)
 * serves the mock Moshtix GraphQL API over simulated orders.
 */
import { writeFileSync } from 'node:fs';
import { formatHelp, parseCommandLine, type CommandSpec } from '../shared/cli.js';
import { planNight, tonightStart } from './plan.js';
import { sendDeliveries } from './sender.js';
import { parseProbability, parseRate } from './options.js';

export const SIM_COMMAND: CommandSpec = {
  usage: 'gatehouse sim',
  summary: 'Simulate Moshtix: POST a seeded night of ORDER_SAVED/EVENT_SAVED webhooks to a relay.',
  flags: [
    {
      name: 'relay',
      type: 'string',
      value: 'URL',
      description: 'Relay base URL, e.g. http://127.0.0.1:8080',
      isRequired: true,
    },
    {
      name: 'secret',
      type: 'string',
      value: 'S',
      description: 'Webhook secret (default: env GATEHOUSE_WEBHOOK_SECRET)',
    },
    {
      name: 'event',
      type: 'number',
      value: 'ID',
      description: 'Moshtix event id (default: derived from the seed)',
    },
    {
      name: 'start',
      type: 'string',
      value: 'ISO',
      description: 'When the show starts, e.g. 2026-12-31T20:00:00+11:00 (default: a few hours from now)',
    },
    { name: 'orders', type: 'number', value: 'N', description: 'Orders to sell (default 100)' },
    {
      name: 'rate',
      type: 'string',
      value: 'R/s',
      description: 'Deliveries per second (default: as fast as the relay answers)',
    },
    {
      name: 'seed',
      type: 'string',
      value: 'K',
      description: 'Seed: the same seed plays the same night (default 1)',
    },
    {
      name: 'refunds',
      type: 'string',
      value: 'P',
      description: 'Share of orders refunded, 0.05 or 5% (default 5%)',
    },
    {
      name: 'reissues',
      type: 'string',
      value: 'P',
      description: 'Share of orders with a ticket reissued (default 3%)',
    },
    {
      name: 'cancellations',
      type: 'string',
      value: 'P',
      description: 'Share of orders cancelled (default 1%)',
    },
    {
      name: 'duplicates',
      type: 'string',
      value: 'P',
      description: 'Share of deliveries sent twice (default 10%)',
    },
    {
      name: 'reorder',
      type: 'string',
      value: 'P',
      description: 'Share of deliveries held back past newer ones (default 10%)',
    },
    {
      name: 'concurrency',
      type: 'number',
      value: 'N',
      description: 'Deliveries in flight at once (default 1)',
    },
    {
      name: 'oracle',
      type: 'string',
      value: 'FILE',
      description: 'Write the final truth {"event","barcodes":{barcode: admissible}}',
    },
  ],
  notes: ['Subcommand: `gatehouse sim api --port N` serves a mock Moshtix GraphQL API (see --help there).'],
};

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'api') {
    const api = await import('./cli-api.js');
    return api.main(argv.slice(1));
  }
  const parsed = parseCommandLine(SIM_COMMAND, argv);
  if (parsed.kind === 'help') {
    console.log(formatHelp(SIM_COMMAND));
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`gatehouse sim: ${parsed.message}`);
    return 2;
  }
  const flags = parsed.args.flags;
  const secret = (flags.secret as string | undefined) ?? process.env.GATEHOUSE_WEBHOOK_SECRET;
  const settings = readSettings(flags, secret);
  if ('error' in settings) {
    console.error(`gatehouse sim: ${settings.error}`);
    return 2;
  }
  const plan = planNight(settings.night);
  const { stats } = plan;
  console.log(
    `event ${plan.event.id}: ${stats.orders} orders, ${stats.refunds} refunds, ${stats.reissues} reissues, ` +
      `${stats.cancellations} cancellations → ${stats.deliveries} deliveries (${stats.duplicates} duplicates, ` +
      `${stats.reordered} held back, ${stats.stale} stale)`,
  );
  console.log(`the show starts ${plan.event.startDate} and ends ${plan.event.endDate}`);
  if (settings.oraclePath) writeFileSync(settings.oraclePath, `${JSON.stringify(plan.oracle, null, 2)}\n`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const report = await sendDeliveries(plan.deliveries, { ...settings.send, signal: controller.signal });
    console.log(
      `sent ${report.sent}/${plan.deliveries.length} in ${(report.elapsedMs / 1000).toFixed(1)} s: ${report.accepted} accepted, ` +
        `${report.quarantined} quarantined, ${report.rejected} rejected, ${report.failed} failed, ${report.retries} retries` +
        (report.isAborted ? ' (stopped)' : ''),
    );
    for (const problem of report.problems) console.error(`  ${problem}`);
    if (report.isAborted) return 130;
    return report.rejected + report.failed + report.quarantined === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

type Flags = Record<string, unknown>;

/** An ISO-8601 date with a time (a bare date or a loose phrase is refused), normalised to UTC. */
function parseStart(text: string): string | null {
  const isIsoShaped = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(
    text.trim(),
  );
  const time = Date.parse(text.trim());
  return isIsoShaped && !Number.isNaN(time) ? new Date(time).toISOString() : null;
}

function readSettings(flags: Flags, secret: string | undefined) {
  if (!secret) return { error: 'missing --secret (or env GATEHOUSE_WEBHOOK_SECRET)' };
  try {
    new URL(String(flags.relay));
  } catch {
    return { error: `--relay must be a URL, got "${String(flags.relay)}"` };
  }
  const orders = (flags.orders as number | undefined) ?? 100;
  if (!Number.isInteger(orders) || orders < 0)
    return { error: `--orders must be a whole number ≥ 0, got ${orders}` };
  const event = flags.event as number | undefined;
  if (event !== undefined && (!Number.isInteger(event) || event <= 0))
    return { error: `--event must be a positive whole number` };
  const concurrency = (flags.concurrency as number | undefined) ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    return { error: '--concurrency must be 1 to 256' };
  const probabilities: Record<string, number> = {};
  const defaults = { refunds: 0.05, reissues: 0.03, cancellations: 0.01, duplicates: 0.1, reorder: 0.1 };
  for (const [name, fallback] of Object.entries(defaults)) {
    const value = flags[name] === undefined ? fallback : parseProbability(String(flags[name]));
    if (value === null)
      return {
        error: `--${name} must be a share between 0 and 1 (or 0% to 100%), got "${String(flags[name])}"`,
      };
    probabilities[name] = value;
  }
  const rate = flags.rate === undefined ? 0 : parseRate(String(flags.rate));
  if (rate === null)
    return { error: `--rate must be deliveries per second, e.g. 20 or 20/s, got "${String(flags.rate)}"` };
  const seed = (flags.seed as string | undefined) ?? '1';
  const start = flags.start === undefined ? tonightStart(new Date()) : parseStart(String(flags.start));
  if (start === null)
    return {
      error: `--start must be an ISO date and time, e.g. 2026-12-31T20:00:00Z, got "${String(flags.start)}"`,
    };
  return {
    night: { seed, eventId: event, orders, startDate: start, ...probabilities },
    send: { relayUrl: String(flags.relay), secret, rate, concurrency, seed },
    oraclePath: flags.oracle as string | undefined,
  };
}

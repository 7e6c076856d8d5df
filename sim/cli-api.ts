/**
 * `gatehouse sim api`: serves the mock Moshtix GraphQL API (sim/moshtix-api.ts) over a seeded set
 * of simulated orders (each at its latest version), for rehearsing `relay subscribe` and
 * `relay backfill` without the real Moshtix.
 */
import { formatHelp, parseCommandLine, type CommandSpec } from '../shared/cli.js';
import { startMockMoshtixApi } from './moshtix-api.js';
import { orderData } from './moshtix-objects.js';
import { planNight } from './plan.js';

export const SIM_API_COMMAND: CommandSpec = {
  usage: 'gatehouse sim api',
  summary:
    'Serve a mock Moshtix GraphQL API (login, viewer { saveWebhook, getWebhooks, getOrders, getOrder }) over simulated orders.',
  flags: [
    {
      name: 'port',
      type: 'number',
      value: 'N',
      description: 'Port to listen on; 0 picks a free one (default 0)',
    },
    { name: 'host', type: 'string', value: 'H', description: 'Address to bind (default 127.0.0.1)' },
    {
      name: 'token',
      type: 'string',
      value: 'T',
      description: 'The token viewer(token:) accepts (default sim-token)',
    },
    { name: 'client', type: 'number', value: 'ID', description: 'Client account id (default 6080)' },
    {
      name: 'orders',
      type: 'number',
      value: 'N',
      description: 'Simulated orders served by getOrders (default 100)',
    },
    { name: 'seed', type: 'string', value: 'K', description: 'Seed of the simulated orders (default 1)' },
    {
      name: 'event',
      type: 'number',
      value: 'ID',
      description: 'Moshtix event id of the orders (default: derived from the seed)',
    },
  ],
  notes: ['Prints `listening on <GraphQL endpoint URL>` (…/v1/graphql). Stop with Ctrl-C.'],
};

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(SIM_API_COMMAND, argv);
  if (parsed.kind === 'help') {
    console.log(formatHelp(SIM_API_COMMAND));
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`gatehouse sim api: ${parsed.message}`);
    return 2;
  }
  const flags = parsed.args.flags;
  const port = (flags.port as number | undefined) ?? 0;
  const orders = (flags.orders as number | undefined) ?? 100;
  const clientId = (flags.client as number | undefined) ?? 6080;
  const eventId = flags.event as number | undefined;
  const problem = [
    !Number.isInteger(port) || port < 0 || port > 65_535 ? '--port must be 0 to 65535' : null,
    !Number.isInteger(orders) || orders < 0 ? '--orders must be a whole number ≥ 0' : null,
    !Number.isInteger(clientId) || clientId <= 0 ? '--client must be a positive whole number' : null,
    eventId !== undefined && (!Number.isInteger(eventId) || eventId <= 0)
      ? '--event must be a positive whole number'
      : null,
  ].find((text) => text !== null);
  if (problem) {
    console.error(`gatehouse sim api: ${problem}`);
    return 2;
  }
  const plan = planNight({
    seed: (flags.seed as string | undefined) ?? '1',
    eventId,
    orders,
    refunds: 0.05,
    reissues: 0.03,
    cancellations: 0.01,
  });
  const latest = [...plan.history.values()].flatMap((versions) => {
    const last = versions.at(-1);
    return last ? [orderData(plan.event, last)] : [];
  });
  const token = (flags.token as string | undefined) ?? 'sim-token';
  const api = await startMockMoshtixApi({
    port,
    host: (flags.host as string | undefined) ?? '127.0.0.1',
    token,
    clientId,
    orders: latest,
  });
  console.log(`listening on ${api.url}`);
  console.log(`client ${clientId}, token ${token}, ${latest.length} orders for event ${plan.event.id}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.stop();
  return 0;
}

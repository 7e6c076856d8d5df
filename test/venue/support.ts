/**
 * Helpers for venue relay tests: venue tokens, a venue relay process chained to an internet relay,
 * its /healthz upstream block, and scan records uploaded over the protocol.
 */
import { z } from 'zod';
import type { ScanRecord } from '../../shared/scans.js';
import {
  createRelayDatabase,
  getJson,
  runGatehouse,
  startRelayProcess,
  waitFor,
  GateTestClient,
  type RelayProcess,
} from '../relay/support.js';

export const EVENT = '132218';

/** `relay add-gate NAME --venue`: a venue relay's token for the (internet) relay at dbPath. */
export async function addVenueToken(dbPath: string, name: string): Promise<string> {
  await createRelayDatabase(dbPath);
  const result = await runGatehouse(['relay', 'add-gate', name, '--venue', '--db', dbPath]);
  if (result.code !== 0) throw new Error(`add-gate --venue failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').pop() ?? '';
}

/** `relay serve --upstream URL` with the venue token from GATEHOUSE_UPSTREAM_TOKEN (no argv secret). */
export function startVenueRelay(options: {
  dbPath: string;
  upstreamUrl: string;
  token: string;
  port?: number;
  extraArgs?: string[];
}): Promise<RelayProcess> {
  return startRelayProcess({
    dbPath: options.dbPath,
    port: options.port,
    extraArgs: ['--upstream', options.upstreamUrl, ...(options.extraArgs ?? [])],
    env: { GATEHOUSE_UPSTREAM_TOKEN: options.token },
  });
}

const upstreamHealthSchema = z.object({
  upstream: z.object({
    state: z.enum(['connecting', 'online', 'offline', 'rejected']),
    cursor: z.number(),
    lag: z.number(),
    pendingUploads: z.number(),
    refusedUploads: z.number(),
    lastError: z.string().nullable(),
  }),
});
export type UpstreamHealth = z.infer<typeof upstreamHealthSchema>['upstream'];

export async function upstreamHealth(relay: RelayProcess): Promise<UpstreamHealth> {
  return upstreamHealthSchema.parse(await getJson(`${relay.url}/healthz`)).upstream;
}

const appliedSchema = z.object({ logHead: z.number(), pendingDeliveries: z.number() });

/**
 * The relay's log head once every webhook it has answered is applied. A webhook answer
 * (`{status: accepted, delivery}`) comes before the apply and carries no seq: a head read right
 * after posting can miss the posted deliveries' entries.
 */
export async function appliedHead(relay: RelayProcess): Promise<number> {
  const health = await waitFor(
    async () => {
      const now = appliedSchema.parse(await getJson(`${relay.url}/healthz`));
      return now.pendingDeliveries === 0 ? now : null;
    },
    { message: `every accepted delivery applied at ${relay.url}` },
  );
  return health.logHead;
}

/** Sends a scan and resolves with the relay's answer to it: 'acked', or the refusal in words. */
export async function upload(gate: GateTestClient, scan: ScanRecord): Promise<'acked' | string> {
  gate.send({ type: 'scan', scan });
  return gate.waitUntil(() => {
    for (const frame of gate.frames) {
      if (frame.type === 'scan-ack' && frame.id === scan.id) return 'acked';
      if (frame.type === 'error' && frame.scanId === scan.id) return `${frame.code}: ${frame.message}`;
    }
    return undefined;
  }, `the relay's answer to scan ${scan.id}`);
}

/** How many scan entries with each id a client received (a doubled scan shows as 2). */
export function scanEntryCounts(client: GateTestClient): Map<string, number> {
  const counts = new Map<string, number>();
  for (const frame of client.frames) {
    if (frame.type !== 'entries') continue;
    for (const entry of frame.entries)
      if (entry.kind === 'scan') counts.set(entry.scan.id, (counts.get(entry.scan.id) ?? 0) + 1);
  }
  return counts;
}

export { scanOf } from '../relay/support.js';

/** A protocol client following EVENT, welcomed; kept in `clients` for the test's cleanup. */
export async function welcomedClient(
  clients: GateTestClient[],
  url: string,
  token: string,
): Promise<GateTestClient> {
  const client = await GateTestClient.connect(url, token, { events: [EVENT] });
  clients.push(client);
  await client.waitWelcomed();
  return client;
}

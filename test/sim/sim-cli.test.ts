// The simulator's command line, compiled, as an operator runs it: `gatehouse sim` against a real
// local HTTP server (standing in for a relay: the night test uses a real one) writing the oracle, its
// flag errors, and `gatehouse sim api` serving simulated orders through the mock GraphQL API.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDelivery } from '../../shared/moshtix.js';
import { GATEHOUSE_BIN, makeTempDir, REPO_ROOT, runGatehouse, type TempDir } from '../relay/support.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temp(): TempDir {
  const dir = makeTempDir('gatehouse-sim-cli-');
  cleanups.push(() => dir.remove());
  return dir;
}

async function receiver(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'accepted', seq: bodies.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('gatehouse sim', () => {
  it('plays a seeded night, reports it, and writes an oracle covering every delivered barcode', async () => {
    const relay = await receiver();
    const oracle = temp().file('oracle.json');
    const args = [
      'sim',
      '--relay',
      relay.url,
      '--secret',
      's',
      '--orders',
      '40',
      '--seed',
      '7',
      '--event',
      '5150',
      '--start',
      '2026-12-31T20:00:00+11:00',
      '--oracle',
      oracle,
    ];
    const result = await runGatehouse(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/event 5150: 40 orders/);
    expect(result.stdout).toMatch(/0 rejected, 0 failed/);
    const truth = JSON.parse(readFileSync(oracle, 'utf8')) as {
      event: string;
      barcodes: Record<string, boolean>;
    };
    expect(truth.event).toBe('5150');
    const delivered = new Set<string>();
    for (const body of relay.bodies) {
      const parsed = parseDelivery(body);
      if (!('error' in parsed) && parsed.kind === 'order')
        for (const ticket of parsed.order.tickets.items) delivered.add(ticket.barcode);
    }
    expect(new Set(Object.keys(truth.barcodes))).toEqual(delivered);

    const again = await receiver();
    await runGatehouse([
      'sim',
      '--relay',
      again.url,
      '--secret',
      's',
      '--orders',
      '40',
      '--seed',
      '7',
      '--event',
      '5150',
      '--start',
      '2026-12-31T09:00:00.000Z',
    ]);
    // The same seed (and start) plays the same night.
    expect(again.bodies).toEqual(relay.bodies);
    expect(result.stdout).toContain(
      'the show starts 2026-12-31T09:00:00.000Z and ends 2026-12-31T14:00:00.000Z',
    );
  });

  it('dates the simulated show a few hours from now unless --start says otherwise', async () => {
    const relay = await receiver();
    const before = Date.now();
    const result = await runGatehouse(['sim', '--relay', relay.url, '--secret', 's', '--orders', '3']);
    expect(result.code, result.stderr).toBe(0);
    const starts = relay.bodies.flatMap((body) => {
      const parsed = parseDelivery(body);
      if ('error' in parsed) return [];
      const event =
        parsed.kind === 'order' ? parsed.order.event : parsed.kind === 'event' ? parsed.event : null;
      return event?.startDate ? [Date.parse(event.startDate)] : [];
    });
    expect(starts.length).toBe(relay.bodies.length);
    for (const start of starts) {
      expect(start - before).toBeGreaterThanOrEqual(2 * 3_600_000);
      expect(start - before).toBeLessThanOrEqual(3 * 3_600_000 + 60_000);
    }
  });

  it.each([
    [['--relay', 'http://127.0.0.1:1'], 'missing --secret'],
    [['--relay', 'http://127.0.0.1:1', '--secret', 's', '--refunds', '150%'], '--refunds must be a share'],
    [['--relay', 'not a url', '--secret', 's'], '--relay must be a URL'],
    [
      ['--relay', 'http://127.0.0.1:1', '--secret', 's', '--orders', '2.5'],
      '--orders must be a whole number',
    ],
    [
      ['--relay', 'http://127.0.0.1:1', '--secret', 's', '--start', 'tonight'],
      '--start must be an ISO date and time, e.g. 2026-12-31T20:00:00Z, got "tonight"',
    ],
    [
      ['--relay', 'http://127.0.0.1:1', '--secret', 's', '--start', '2026-12-31'],
      '--start must be an ISO date',
    ],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await runGatehouse(['sim', ...args], { env: { GATEHOUSE_WEBHOOK_SECRET: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('reports a relay that refuses the secret and exits 1', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'bad secret' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await runGatehouse(['sim', '--relay', url, '--secret', 'wrong', '--orders', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 401: bad secret');
  });
});

describe('gatehouse sim api', () => {
  it('serves simulated orders page by page, answers a bad token in errors[], and stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [GATEHOUSE_BIN, 'sim', 'api', '--port', '0', '--orders', '25', '--token', 'tok'],
      { cwd: REPO_ROOT },
    );
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const url = /listening on (\S+)/.exec(text)?.[1];
        if (url) resolve(url);
      });
      void exited.then((code) => reject(new Error(`sim api exited ${code}`)));
    });
    const ask = async (token: string, pageIndex: number) => {
      const query = `query { viewer(token: "${token}") { getOrders(pageIndex: ${pageIndex}, pageSize: 10) { items { id tickets { items { barcode valid } } } pageInfo { hasNextPage } totalCount } } }`;
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        data: {
          viewer: {
            getOrders: { items: { id: number }[]; pageInfo: { hasNextPage: boolean }; totalCount: number };
          } | null;
        };
        errors?: { message: string }[];
      };
    };
    const last = await ask('tok', 2);
    expect(last.data.viewer?.getOrders).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: false } });
    expect(last.data.viewer?.getOrders.items).toHaveLength(5);
    const denied = await ask('wrong', 0);
    expect(denied.data.viewer).toBeNull();
    expect(denied.errors?.[0]?.message).toMatch(/token/i);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

// The sender against a real local HTTP server standing in for the relay (the relay's own answers are
// covered by the night test): secret header, order, retry on 5xx/408/429/timeouts, no retry on 4xx.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { planNight } from '../../sim/plan.js';
import { sendDeliveries, webhookUrl } from '../../sim/sender.js';
import { parseProbability, parseRate } from '../../sim/options.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
const servers: Server[] = [];

async function receiver(
  handler: Handler,
): Promise<{ url: string; bodies: string[]; secrets: (string | undefined)[] }> {
  const bodies: string[] = [];
  const secrets: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(body);
      secrets.push(request.headers['x-gatehouse-secret'] as string | undefined);
      handler(request, body, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, secrets };
}

const accept: Handler = (_request, _body, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'accepted', seq: 1 }));
};

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const plan = planNight({ seed: 'sender', orders: 20, refunds: 0.2, duplicates: 0.2, reorder: 0.2 });
const fast = { backoffBaseMs: 1, backoffCapMs: 5, seed: 'test' };

describe('sendDeliveries', () => {
  it('posts every delivery in plan order with the secret header to /webhooks/moshtix', async () => {
    const paths: string[] = [];
    const relay = await receiver((request, body, response) => {
      paths.push(request.url ?? '');
      accept(request, body, response);
    });
    const report = await sendDeliveries(plan.deliveries, { relayUrl: relay.url, secret: 's3cret', ...fast });
    expect(report).toMatchObject({
      sent: plan.deliveries.length,
      accepted: plan.deliveries.length,
      failed: 0,
      rejected: 0,
      retries: 0,
    });
    expect(relay.bodies).toEqual(plan.deliveries.map((delivery) => delivery.body));
    expect(new Set(relay.secrets)).toEqual(new Set(['s3cret']));
    expect(new Set(paths)).toEqual(new Set(['/webhooks/moshtix']));
  });

  it('retries 503, 408, 429 and a timeout until the relay accepts, then moves on', async () => {
    const failures = [503, 408, 429, 0];
    let hung: ServerResponse | null = null;
    const relay = await receiver((request, body, response) => {
      const next = failures.shift();
      if (next === undefined) return accept(request, body, response);
      if (next === 0) {
        hung = response; // never answered: the sender's timeout must fire
        return;
      }
      response.writeHead(next, next === 429 ? { 'retry-after': '0' } : {});
      response.end();
    });
    const outcomes: number[] = [];
    const report = await sendDeliveries(plan.deliveries.slice(0, 3), {
      relayUrl: relay.url,
      secret: 's',
      timeoutMs: 300,
      ...fast,
      onOutcome: (outcome) => outcomes.push(outcome.attempts),
    });
    expect(report).toMatchObject({ accepted: 3, failed: 0, retries: 4 });
    expect(outcomes).toEqual([5, 1, 1]);
    expect(relay.bodies.slice(0, 5).every((body) => body === plan.deliveries[0]?.body)).toBe(true);
    expect(hung).not.toBeNull();
  });

  it('does not retry a 401 and reports it; gives up after the attempt cap on endless 500s', async () => {
    const relay = await receiver((_request, _body, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'bad secret' }));
    });
    const rejected = await sendDeliveries(plan.deliveries.slice(0, 2), {
      relayUrl: relay.url,
      secret: 'wrong',
      ...fast,
    });
    expect(rejected).toMatchObject({ sent: 2, rejected: 2, retries: 0 });
    expect(rejected.problems[0]).toContain('HTTP 401: bad secret');
    expect(relay.bodies).toHaveLength(2);

    const broken = await receiver((_request, _body, response) => {
      response.writeHead(500);
      response.end();
    });
    const failed = await sendDeliveries(plan.deliveries.slice(0, 1), {
      relayUrl: broken.url,
      secret: 's',
      maxAttempts: 4,
      ...fast,
    });
    expect(failed).toMatchObject({ failed: 1, retries: 3 });
    expect(broken.bodies).toHaveLength(4);
  });

  it('counts a 202 as quarantined, not accepted', async () => {
    const relay = await receiver((_request, _body, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'quarantined', error: 'data.tickets: required' }));
    });
    const report = await sendDeliveries(plan.deliveries.slice(0, 1), {
      relayUrl: relay.url,
      secret: 's',
      ...fast,
    });
    expect(report).toMatchObject({ accepted: 0, quarantined: 1 });
  });

  it('stops promptly when aborted, reporting what was sent', async () => {
    const controller = new AbortController();
    let count = 0;
    const relay = await receiver((request, body, response) => {
      count += 1;
      if (count === 3) controller.abort();
      accept(request, body, response);
    });
    const report = await sendDeliveries(plan.deliveries, {
      relayUrl: relay.url,
      secret: 's',
      rate: 1000,
      signal: controller.signal,
      ...fast,
    });
    expect(report.isAborted).toBe(true);
    expect(report.sent).toBeLessThan(plan.deliveries.length);
  });
});

describe('flag values', () => {
  it('reads shares and rates the way an operator writes them', () => {
    expect(parseProbability('5%')).toBe(0.05);
    expect(parseProbability('0.1')).toBe(0.1);
    expect(parseProbability('150%')).toBeNull();
    expect(parseProbability('lots')).toBeNull();
    expect(parseRate('20/s')).toBe(20);
    expect(parseRate('0.5')).toBe(0.5);
    expect(parseRate('-1')).toBeNull();
    expect(webhookUrl('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9/webhooks/moshtix');
    expect(webhookUrl('http://127.0.0.1:9/custom/path')).toBe('http://127.0.0.1:9/custom/path');
  });
});

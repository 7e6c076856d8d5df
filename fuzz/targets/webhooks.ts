/**
 * Fuzzes a real relay's webhook route: ORDER_SAVED and EVENT_SAVED bodies shaped exactly as the
 * simulator renders Moshtix's (sim/moshtix-objects.ts), or generated from the Moshtix schemas, then
 * mutated; mostly with the right secret, sometimes with none, a wrong one, another content type or
 * method. Every body must be answered (200, 202, 4xx) — a 5xx, an unanswered request or a dead
 * relay is a finding — and the relay must stay healthy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { moshtixEventSchema, moshtixOrderSchema } from '../../shared/moshtix.js';
import { renderEventBody, renderOrderBody, type SimEvent, type SimOrder } from '../../sim/moshtix-objects.js';
import type { Random } from '../../sim/random.js';
import { generate, mutateText, mutateValue, type Json, type JsonSchema } from '../generate.js';
import { FUZZ_SECRET, startRelay, type Service } from '../processes.js';
import { within, type CaseInput, type FuzzTarget, type TargetSession } from '../run.js';
import { send, stall } from './gate-api.js';

const ORDER_SCHEMA = z.toJSONSchema(moshtixOrderSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as JsonSchema;
const EVENT_SCHEMA = z.toJSONSchema(moshtixEventSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as JsonSchema;
/** Longer than the relay's own request timeout (20 s), which answers a stalled body with 408. */
const DEADLINE_MS = 30_000;
const BARCODES = ['FUZZ-0001', 'FUZZ-0002', 'FUZZ-0003', 'FUZZ-0004', 'FUZZ-0005'];

function simEvent(random: Random): SimEvent {
  const id = random.pick([132218, 999, random.int(1, 2 ** 31)]);
  return {
    id,
    name: `Event ${id}`,
    startDate: '2026-11-27T20:00:00+11:00',
    endDate: '2026-11-28T02:00:00+11:00',
    venue: { id: 1, name: 'The Venue' },
    ticketTypes: [
      { id: 360875, name: 'General', price: 50 },
      { id: 360876, name: 'VIP', price: 120 },
    ],
  };
}

function simOrder(random: Random, event: SimEvent): SimOrder {
  const count = random.int(0, 4);
  return {
    id: random.int(1, 40),
    createdDate: new Date(random.int(1.7e12, 1.8e12)).toISOString(),
    channel: random.pick(['Online', 'Box Office', 'Whatever']),
    customer: {
      id: 1,
      email: 'fan@example.com',
      firstName: 'Ruby',
      lastName: 'Okafor',
      telephone: '0400000000',
    },
    tickets: Array.from({ length: count }, (_, index) => ({
      id: random.int(1, 10_000),
      barcode: random.pick(BARCODES),
      valid: random.chance(0.8),
      firstName: random.chance(0.8) ? 'Ruby' : null,
      lastName: 'Okafor',
      ticketType: event.ticketTypes[index % event.ticketTypes.length] ?? { id: 1, name: 'x', price: 0 },
    })),
    transactions: Array.from({ length: random.int(0, 3) }, () => ({
      id: random.int(1, 50),
      type: random.pick(['PURCHASE', 'REFUND', 'REISSUE', 'SOMETHING_NEW']),
      status: 'SUCCESS',
      ipAddress: '127.0.0.1',
    })),
  };
}

/** A webhook body: Moshtix-shaped (or schema-generated), then mutated when `isMutated`. */
export function webhookBody(random: Random, isMutated: boolean): string {
  let text: string;
  if (random.chance(0.8)) {
    const event = simEvent(random);
    text = random.chance(0.85) ? renderOrderBody(event, simOrder(random, event)) : renderEventBody(event);
  } else {
    const isOrder = random.chance(0.7);
    const data = generate(isOrder ? ORDER_SCHEMA : EVENT_SCHEMA, random, { pool: BARCODES });
    text = JSON.stringify({
      eventType: isOrder ? 'order-saved-prepare-full-message' : 'event-saved-prepare-full-message',
      contextId: random.int(1, 40),
      data,
    });
  }
  if (!isMutated) return text;
  if (random.chance(0.7)) text = JSON.stringify(mutateValue(JSON.parse(text) as Json, random)) ?? 'null';
  return random.chance(0.3) ? mutateText(text, random) : text;
}

export function generateWebhookCase(random: Random): CaseInput {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-gatehouse-secret': FUZZ_SECRET,
  };
  if (random.chance(0.05))
    headers['x-gatehouse-secret'] = random.pick(['', 'wrong', `${FUZZ_SECRET} `, FUZZ_SECRET.toUpperCase()]);
  if (random.chance(0.03)) delete headers['x-gatehouse-secret'];
  if (random.chance(0.05))
    headers['content-type'] = random.pick(['text/plain', 'application/x-www-form-urlencoded', '']);
  const method = random.chance(0.03) ? random.pick(['GET', 'PUT', 'DELETE']) : 'POST';
  const body = random.chance(0.01)
    ? 'x'.repeat(random.pick([1_048_577, 2_000_000]))
    : webhookBody(random, random.chance(0.8));
  return { kind: 'http', method, path: '/webhooks/moshtix', headers, body, ...stall(random, body) };
}

export function webhooksTarget(): FuzzTarget {
  return {
    name: 'webhooks',
    concurrency: 4,
    async start(): Promise<TargetSession> {
      const folder = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-webhooks-'));
      const dbPath = join(folder, 'relay.db');
      let relay: Service = await startRelay(dbPath);
      return {
        generate: (random) => generateWebhookCase(random),
        async run(input) {
          if (input.kind !== 'http') return null;
          const answer = await within(DEADLINE_MS, `${input.method} ${input.path}`, send(relay.port, input));
          if (!relay.isAlive())
            return `crash: the relay ${relay.exit() ?? 'died'}: ${relay.stderr().slice(-500)}`;
          if (typeof answer === 'string') return answer.startsWith('hang') ? answer : null;
          return answer >= 500 ? `5xx: HTTP ${answer}` : null;
        },
        async health() {
          if (!relay.isAlive()) return `the relay ${relay.exit() ?? 'died'}`;
          const answer = await within(
            DEADLINE_MS,
            'healthz',
            fetch(`${relay.url}/healthz`).then((response) => response.status),
          );
          return answer === 200 ? null : `/healthz answered ${String(answer)}`;
        },
        async restart() {
          await relay.stop();
          relay = await startRelay(dbPath);
        },
        async stop() {
          await relay.stop();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    },
  };
}

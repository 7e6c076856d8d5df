// The relay answers a webhook on readsAsOrder and parses the body through the schemas only at its
// apply: readsAsOrder must never vouch for a body that parseDelivery would not read as an order.
import { describe, expect, it } from 'vitest';
import { webhookBody } from '../../fuzz/targets/webhooks.js';
import { parseDelivery, readsAsOrder } from '../../shared/moshtix.js';
import { createRandom } from '../../sim/random.js';

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const readAsOrder = (text: string) => {
  const parsed = parseDelivery(text);
  return 'kind' in parsed && parsed.kind === 'order';
};

describe('readsAsOrder', () => {
  it('vouches only for bodies parseDelivery reads as orders (generated and mutated deliveries)', () => {
    const random = createRandom('reads-as-order');
    let vouched = 0;
    for (let index = 0; index < 10_000; index += 1) {
      const text = webhookBody(random, random.chance(0.7));
      if (!readsAsOrder(jsonOf(text))) continue;
      vouched += 1;
      expect(readAsOrder(text), text).toBe(true);
    }
    // Most unmutated Moshtix-shaped orders are vouched for: the check is worth having.
    expect(vouched).toBeGreaterThan(2_500);
  });

  it('leaves the edges to parseDelivery', () => {
    const order = (data: unknown, eventType: unknown = 'order-saved-prepare-full-message') =>
      ({ eventType, contextId: 1, data }) as const;
    const event = { id: 132218, name: 'Show' };
    const cases: unknown[] = [
      order({ id: 2 ** 53, event }),
      order({ id: 1.5, event }),
      order({ id: '  ', event }),
      order({ id: 1, event: { ...event, id: '' } }),
      order({ id: 1, event: [event] }),
      order({ id: 1 }),
      order([{ id: 1, event }]),
      order({ id: 1, event }, ''),
      order({ id: 1, event }, 7),
      order({ id: 1, event }, 'event-saved'),
      [order({ id: 1, event })],
      null,
    ];
    for (const value of cases) {
      const text = JSON.stringify(value);
      if (readsAsOrder(value)) expect(readAsOrder(text), text).toBe(true);
    }
    for (const value of cases.slice(1, 9)) expect(readsAsOrder(value)).toBe(false);
    expect(readsAsOrder(order({ id: ' 42 ', event: { id: 'E1' } }, 'ORDER_SAVED'))).toBe(true);
    expect(readAsOrder(JSON.stringify(order({ id: ' 42 ', event: { id: 'E1' } }, 'ORDER_SAVED')))).toBe(true);
  });
});

// The night generator: deterministic for a seed, rates as asked, every body in the seed's shape, and
// an oracle that agrees with an independent fold of the delivered bodies (latest version per order).
import { describe, expect, it } from 'vitest';
import { parseDelivery, WEBHOOK_BODY_TEMPLATE, type MoshtixOrder } from '../../shared/moshtix.js';
import { planNight, type Delivery, type NightOptions } from '../../sim/plan.js';

const NIGHT: NightOptions = {
  seed: 'night-1',
  orders: 2000,
  refunds: 0.05,
  reissues: 0.03,
  cancellations: 0.01,
  duplicates: 0.1,
  reorder: 0.1,
};

/** Oracle computed only from what goes over the wire, in whatever order it arrives. */
function foldDelivered(deliveries: readonly Delivery[]): Record<string, boolean> {
  const latest = new Map<string, { transactionId: number; order: MoshtixOrder }>();
  const seen = new Set<string>();
  for (const delivery of deliveries) {
    const parsed = parseDelivery(delivery.body);
    if ('error' in parsed) throw new Error(parsed.error);
    if (parsed.kind !== 'order') continue;
    const transactionId = Math.max(...(parsed.order.transactions?.items ?? []).map((item) => item.id));
    for (const ticket of parsed.order.tickets.items) seen.add(ticket.barcode);
    const known = latest.get(String(parsed.order.id));
    if (!known || transactionId >= known.transactionId)
      latest.set(String(parsed.order.id), { transactionId, order: parsed.order });
  }
  const truth: Record<string, boolean> = Object.fromEntries([...seen].map((barcode) => [barcode, false]));
  for (const { order } of latest.values())
    for (const ticket of order.tickets.items) truth[ticket.barcode] = ticket.valid;
  return truth;
}

describe('planNight', () => {
  const plan = planNight(NIGHT);

  it('plays the same night for the same seed, and another night for another seed', () => {
    const again = planNight(NIGHT);
    expect(again.deliveries.map((delivery) => delivery.body)).toEqual(
      plan.deliveries.map((delivery) => delivery.body),
    );
    expect(again.oracle).toEqual(plan.oracle);
    const other = planNight({ ...NIGHT, seed: 'night-2' });
    expect(other.deliveries[1]?.body).not.toEqual(plan.deliveries[1]?.body);
    expect(Object.keys(other.oracle.barcodes)).not.toEqual(Object.keys(plan.oracle.barcodes));
  });

  it('changes orders and deliveries at the asked rates', () => {
    const { stats } = plan;
    expect(stats.orders).toBe(2000);
    expect(stats.refunds / stats.orders).toBeGreaterThan(0.035);
    expect(stats.refunds / stats.orders).toBeLessThan(0.065);
    expect(stats.reissues / stats.orders).toBeGreaterThan(0.018);
    expect(stats.reissues / stats.orders).toBeLessThan(0.042);
    const originals = stats.versions + 1;
    expect(stats.duplicates / originals).toBeGreaterThan(0.08);
    expect(stats.duplicates / originals).toBeLessThan(0.12);
    expect(stats.reordered / originals).toBeGreaterThan(0.08);
    expect(stats.reordered / originals).toBeLessThan(0.12);
    expect(stats.deliveries).toBe(originals + stats.duplicates);
    expect(plan.deliveries.filter((delivery) => delivery.isDuplicate)).toHaveLength(stats.duplicates);
    // Held-back snapshots of changed orders arrive after their newer version: the hard case.
    expect(stats.stale).toBeGreaterThan(10);
  });

  it('renders every body from the subscription template in the seed shape', () => {
    const [first, ...rest] = plan.deliveries;
    expect(first?.kind).toBe('event');
    const [before = '', after = ''] = WEBHOOK_BODY_TEMPLATE.split('@data');
    for (const delivery of [first, ...rest.slice(0, 300)]) {
      if (!delivery) continue;
      const body = delivery.body;
      const eventType =
        delivery.kind === 'order' ? 'order-saved-prepare-full-message' : 'event-saved-prepare-full-message';
      const prefix = before
        .replace('@eventType', eventType)
        .replace('@contextId', String(delivery.contextId));
      expect(body.startsWith(prefix)).toBe(true);
      expect(body.endsWith(after)).toBe(true);
      const parsed = parseDelivery(body);
      expect('error' in parsed ? parsed.error : parsed.kind).toBe(delivery.kind);
      if ('error' in parsed || parsed.kind !== 'order') continue;
      expect(parsed.envelope.contextId).toBe(parsed.order.id);
      expect(Object.keys(parsed.order)).toEqual([
        'id',
        'createdDate',
        'channel',
        'refCode',
        'offerCode',
        'customer',
        'event',
        'tickets',
        'transactions',
      ]);
      const ids = (parsed.order.transactions?.items ?? []).map((item) => item.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(String(parsed.order.event.id)).toBe(plan.oracle.event);
    }
    const event = parseDelivery(first?.body ?? '');
    if ('error' in event || event.kind !== 'event') throw new Error('first delivery is not an event');
    expect(event.event.ticketTypes?.items?.length).toBeGreaterThan(0);
    expect(event.event.venue?.name).toBeTruthy();
  });

  it('has an oracle equal to an independent latest-version fold, whatever the arrival order', () => {
    const folded = foldDelivered(plan.deliveries);
    expect(plan.oracle.barcodes).toEqual(folded);
    expect(foldDelivered([...plan.deliveries].reverse())).toEqual(folded);
    const values = Object.values(plan.oracle.barcodes);
    expect(values.filter((value) => !value).length).toBeGreaterThan(100);
    expect(values.filter((value) => value).length).toBeGreaterThan(2000);
  });

  it('makes a reissued barcode inadmissible and its replacement admissible', () => {
    const reissued = [...plan.history.values()].find(
      (versions) =>
        versions.some((version) => version.transactions.at(-1)?.type === 'REISSUE') && versions.length === 2,
    );
    expect(reissued).toBeDefined();
    const [before, after] = reissued ?? [];
    const gone =
      before?.tickets.filter(
        (ticket) => !after?.tickets.some((other) => other.barcode === ticket.barcode && other.valid),
      ) ?? [];
    const added =
      after?.tickets.filter((ticket) => !before?.tickets.some((other) => other.barcode === ticket.barcode)) ??
      [];
    expect(gone).toHaveLength(1);
    expect(added).toHaveLength(1);
    expect(plan.oracle.barcodes[gone[0]?.barcode ?? '']).toBe(false);
    expect(plan.oracle.barcodes[added[0]?.barcode ?? '']).toBe(true);
  });

  it('follows a script for the first orders (the demo showcase)', () => {
    const scripted = planNight({
      seed: 's',
      orders: 3,
      script: [['sale'], ['sale', 'refund'], ['sale', 'reissue']],
    });
    const orders = [...scripted.history.values()];
    expect(orders.map((versions) => versions.map((version) => version.transactions.at(-1)?.type))).toEqual([
      ['PURCHASE'],
      ['PURCHASE', 'REFUND'],
      ['PURCHASE', 'REISSUE'],
    ]);
    expect(scripted.deliveries).toHaveLength(1 + 5);
  });

  it('refuses a nonsensical order count', () => {
    expect(() => planNight({ seed: 1, orders: -1 })).toThrow(/orders/);
  });
});

/**
 * How a night's order versions reach the relay (some held back past a newer version of their
 * order, some repeated), and the truth they must add up to whatever the arrival order.
 */
import type { SimEvent, SimOrder } from './moshtix-objects.js';
import type { Random } from './random.js';
import type { Delivery, NightOptions, NightStats, Oracle } from './plan.js';

/** How far (in deliveries) a duplicate or a held-back delivery may drift. */
const DRIFT = 25;

/** Holds some deliveries back past a newer version of their order, and repeats some. */
export function shuffleAndRepeat(
  random: Random,
  sequence: Delivery[],
  options: NightOptions,
  stats: NightStats,
): Delivery[] {
  const lastIndexOfOrder = new Map<number, number>();
  sequence.forEach(
    (delivery, index) => delivery.kind === 'order' && lastIndexOfOrder.set(delivery.contextId, index),
  );
  const keyed: { key: number; delivery: Delivery }[] = [];
  sequence.forEach((delivery, index) => {
    let key = index;
    // The event goes first so that gates can name it; its repeats may drift like any other.
    if (index > 0 && random.chance(options.reorder ?? 0)) {
      const last = lastIndexOfOrder.get(delivery.contextId) ?? index;
      key = Math.max(index, last) + random.int(1, DRIFT) + random.next() * 0.5;
      delivery = { ...delivery, isReordered: true };
      stats.reordered += 1;
    }
    keyed.push({ key, delivery });
    if (random.chance(options.duplicates ?? 0)) {
      keyed.push({
        key: key + random.int(0, DRIFT) + 0.6,
        delivery: { ...delivery, isDuplicate: true, isReordered: false },
      });
      stats.duplicates += 1;
    }
  });
  const deliveries = keyed.sort((a, b) => a.key - b.key).map((item) => item.delivery);
  const newest = new Map<number, number>();
  for (const delivery of deliveries) {
    if (delivery.kind !== 'order' || delivery.transactionId === null) continue;
    const seen = newest.get(delivery.contextId) ?? -1;
    if (delivery.transactionId < seen) stats.stale += 1;
    newest.set(delivery.contextId, Math.max(seen, delivery.transactionId));
  }
  stats.deliveries = deliveries.length;
  return deliveries;
}

/** Latest version per order decides; a barcode missing from it is not admissible. */
export function oracleOf(event: SimEvent, history: Map<number, SimOrder[]>): Oracle {
  const barcodes: Record<string, boolean> = {};
  for (const versions of history.values()) {
    for (const version of versions) for (const ticket of version.tickets) barcodes[ticket.barcode] = false;
    for (const ticket of versions.at(-1)?.tickets ?? []) barcodes[ticket.barcode] = ticket.valid;
  }
  return { event: String(event.id), barcodes };
}

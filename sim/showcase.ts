/**
 * The demo's Moshtix content: a showcase of orders whose fate is fixed (one valid, one refunded,
 * one reissued, one for another event) so the console can name barcodes to try, and a longer
 * seeded trickle of sales, refunds and reissues that keeps the demo alive.
 */
import { planNight, tonightStart, type NightPlan } from './plan.js';
import { createRandom } from './random.js';

export const DEMO_EVENT_ID = 424_242;
export const OTHER_EVENT_ID = 424_243;

export interface DemoBarcodes {
  valid: string;
  refunded: string;
  reissued: string;
  otherEvent: string;
  unknown: string;
}

export interface DemoContent {
  showcase: NightPlan;
  otherEvent: NightPlan;
  trickle: NightPlan;
  barcodes: DemoBarcodes;
}

export function demoContent(now: Date, trickleOrders = 2_000): DemoContent {
  // A few hours from now, whatever the hour: the demo's tickets are admissible under the date window.
  const startDate = tonightStart(now);
  const showcase = planNight({
    seed: 'demo-showcase',
    eventId: DEMO_EVENT_ID,
    eventName: 'Gatehouse Demo Night',
    startDate,
    orders: 3,
    script: [['sale'], ['sale', 'refund'], ['sale', 'reissue']],
    firstOrderId: 90_000_001,
  });
  const otherEvent = planNight({
    seed: 'demo-other',
    eventId: OTHER_EVENT_ID,
    eventName: 'Another Night (not this gate)',
    startDate,
    orders: 1,
    firstOrderId: 92_000_001,
  });
  const trickle = planNight({
    seed: 'demo-trickle',
    eventId: DEMO_EVENT_ID,
    eventName: 'Gatehouse Demo Night',
    startDate,
    orders: trickleOrders,
    refunds: 0.08,
    reissues: 0.05,
    cancellations: 0.01,
    duplicates: 0.05,
    reorder: 0.05,
    firstOrderId: 91_000_001,
  });
  // The trickle re-announces the event too, so drop its copy and keep the showcase's.
  trickle.deliveries = trickle.deliveries.filter((delivery) => delivery.kind === 'order');
  return { showcase, otherEvent, trickle, barcodes: pickBarcodes(showcase, otherEvent, trickle) };
}

function pickBarcodes(showcase: NightPlan, otherEvent: NightPlan, trickle: NightPlan): DemoBarcodes {
  const [sold, refunded, reissued] = [...showcase.history.values()];
  const valid = sold?.at(-1)?.tickets.find((ticket) => ticket.valid)?.barcode;
  const refundedBarcode = refunded?.at(-1)?.tickets.find((ticket) => !ticket.valid)?.barcode;
  const latest = reissued?.at(-1)?.tickets ?? [];
  const replaced = reissued?.[0]?.tickets.find(
    (ticket) => !latest.some((other) => other.barcode === ticket.barcode && other.valid),
  );
  const other = [...otherEvent.history.values()][0]?.at(-1)?.tickets[0]?.barcode;
  if (!valid || !refundedBarcode || !replaced || !other)
    throw new Error('demo showcase did not produce every kind of barcode');
  const known = new Set([showcase, otherEvent, trickle].flatMap((plan) => Object.keys(plan.oracle.barcodes)));
  const random = createRandom('demo-unknown');
  let unknown = random.hex(32);
  while (known.has(unknown)) unknown = random.hex(32);
  return { valid, refunded: refundedBarcode, reissued: replaced.barcode, otherEvent: other, unknown };
}

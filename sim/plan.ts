/**
 * The simulated night as a pure function of its options: `planNight` returns every delivery in the
 * order it will be sent (sales, refunds, reissues, cancellations, duplicates, out-of-order
 * redeliveries) and the oracle: the final truth every gate must end up agreeing with.
 * No clock, no network, no Math.random: the same options give the same night.
 */
import { createRandom, type Random } from './random.js';
import { renderEventBody, renderOrderBody, type SimEvent, type SimOrder } from './moshtix-objects.js';
import { applyChange, createIdSource, sell, type StepKind } from './stories.js';
import { oracleOf, shuffleAndRepeat } from './redelivery.js';

export interface NightOptions {
  seed: string | number;
  eventId?: number;
  eventName?: string;
  /**
   * ISO start of the show; the default is fixed so that plans stay reproducible. Commands that play a
   * night against gates pass `tonightStart(now)`, so the show is admissible under the date window.
   */
  startDate?: string;
  orders: number;
  /** Probabilities per order. */
  refunds?: number;
  reissues?: number;
  cancellations?: number;
  /** Probabilities per delivery. */
  duplicates?: number;
  reorder?: number;
  /** Stories forced on the first orders, e.g. `[['sale'], ['sale', 'refund']]` (demo showcases). */
  script?: readonly (readonly StepKind[])[];
  /** Id ranges, for several plans against one relay (defaults derive from the seed). */
  firstOrderId?: number;
}

export interface Delivery {
  kind: 'event' | 'order';
  contextId: number;
  /** Highest transaction id of the snapshot (orders only). */
  transactionId: number | null;
  body: string;
  isDuplicate: boolean;
  /** Held back and sent later than its turn (an out-of-order redelivery). */
  isReordered: boolean;
}

export interface Oracle {
  event: string;
  barcodes: Record<string, boolean>;
}

export interface NightStats {
  orders: number;
  versions: number;
  refunds: number;
  reissues: number;
  cancellations: number;
  duplicates: number;
  reordered: number;
  /** Deliveries older than a version of the same order already sent before them. */
  stale: number;
  deliveries: number;
}

export interface NightPlan {
  event: SimEvent;
  deliveries: Delivery[];
  /** Every version of every order, oldest first, by order id. */
  history: Map<number, SimOrder[]>;
  oracle: Oracle;
  stats: NightStats;
}

const DEFAULT_START = '2026-12-31T09:00:00.000Z';
const HOUR_MS = 3_600_000;

/** A show starting a few hours after `now`: the first full hour at least two hours ahead. */
export function tonightStart(now: Date): string {
  return new Date(Math.ceil((now.getTime() + 2 * HOUR_MS) / HOUR_MS) * HOUR_MS).toISOString();
}
/** Changes to an order happen within this many later sales. */
const CHANGE_SPREAD = 150;

function buildEvent(random: Random, options: NightOptions): SimEvent {
  const id = options.eventId ?? random.int(100_000, 999_999);
  const startDate = options.startDate ?? DEFAULT_START;
  const endDate = new Date(Date.parse(startDate) + 5 * HOUR_MS).toISOString();
  const typeBase = id * 10;
  return {
    id,
    name: options.eventName ?? `Simulated Night ${id}`,
    startDate,
    endDate,
    venue: { id: 5_000 + (id % 1_000), name: 'The Simulated Hall' },
    ticketTypes: [
      { id: typeBase + 1, name: 'General Admission', price: 45 },
      { id: typeBase + 2, name: 'VIP', price: 120 },
      { id: typeBase + 3, name: 'free', price: 0 },
    ],
  };
}

interface TimedStep {
  at: number;
  order: number;
  kind: StepKind;
}

function storyOf(random: Random, options: NightOptions, order: number): StepKind[] {
  const scripted = options.script?.[order];
  if (scripted) return [...scripted];
  const story: StepKind[] = ['sale'];
  // Drawn in a fixed sequence so each rate is independent of the others.
  const isRefunded = random.chance(options.refunds ?? 0);
  const isReissued = random.chance(options.reissues ?? 0);
  const isCancelled = random.chance(options.cancellations ?? 0);
  const changes: StepKind[] = [];
  if (isRefunded) changes.push('refund');
  if (isReissued) changes.push('reissue');
  if (random.chance(0.5)) changes.reverse();
  if (isCancelled) changes.push('cancel');
  return [...story, ...changes];
}

function timeline(random: Random, options: NightOptions): TimedStep[] {
  const steps: TimedStep[] = [];
  const scriptLength = options.script?.length ?? 0;
  for (let order = 0; order < options.orders; order += 1) {
    let at = order;
    const story = storyOf(random, options, order);
    for (const [index, kind] of story.entries()) {
      if (index > 0)
        at += order < scriptLength ? 0.001 : random.next() * Math.min(CHANGE_SPREAD, options.orders) + 0.001;
      steps.push({ at, order, kind });
    }
  }
  return steps.sort((a, b) => a.at - b.at || a.order - b.order);
}

export function planNight(options: NightOptions): NightPlan {
  if (!Number.isInteger(options.orders) || options.orders < 0)
    throw new Error('orders must be a whole number ≥ 0');
  const random = createRandom(options.seed);
  const event = buildEvent(random, options);
  const firstOrderId = options.firstOrderId ?? random.int(10_000_000, 80_000_000);
  const ids = createIdSource(
    random.fork('ids'),
    random.int(20_000_000, 80_000_000),
    random.int(10_000_000, 80_000_000),
  );
  const history = new Map<number, SimOrder[]>();
  const stats: NightStats = {
    orders: 0,
    versions: 0,
    refunds: 0,
    reissues: 0,
    cancellations: 0,
    duplicates: 0,
    reordered: 0,
    stale: 0,
    deliveries: 0,
  };
  const versions: Delivery[] = [];
  const onSale = Date.parse(event.startDate) - 14 * 24 * 3600_000;
  for (const step of timeline(random.fork('timeline'), options)) {
    const orderId = firstOrderId + step.order;
    const known = history.get(orderId);
    const current = known?.at(-1);
    let next: SimOrder | null;
    if (step.kind === 'sale' || !current) {
      const createdDate = new Date(onSale + step.order * 60_000).toISOString();
      next = current ? null : sell({ random, ids, event, orderId, createdDate });
    } else {
      next = applyChange(step.kind, current, { random, ids });
    }
    if (!next) continue;
    history.set(orderId, [...(known ?? []), next]);
    if (step.kind === 'sale') stats.orders += 1;
    else if (step.kind === 'refund') stats.refunds += 1;
    else if (step.kind === 'reissue') stats.reissues += 1;
    else stats.cancellations += 1;
    const transactionId = next.transactions.at(-1)?.id ?? 0;
    versions.push({
      kind: 'order',
      contextId: orderId,
      transactionId,
      body: renderOrderBody(event, next),
      isDuplicate: false,
      isReordered: false,
    });
  }
  stats.versions = versions.length;
  const eventDelivery: Delivery = {
    kind: 'event',
    contextId: event.id,
    transactionId: null,
    body: renderEventBody(event),
    isDuplicate: false,
    isReordered: false,
  };
  const deliveries = shuffleAndRepeat(random.fork('delivery'), [eventDelivery, ...versions], options, stats);
  return { event, deliveries, history, oracle: oracleOf(event, history), stats };
}

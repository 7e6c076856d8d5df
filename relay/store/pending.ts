/**
 * Accepted deliveries of the SQLite store, in two steps. `acceptDelivery` parses the body (an
 * unreadable one goes to quarantine, answered 202) and stores it in pending_deliveries under its
 * delivery id: the webhook is acknowledged once that commit is on disk. `applyPending` then applies
 * the oldest pending deliveries to tickets and the log, in a following transaction, and deletes them
 * in that same transaction: a delivery is applied exactly once, and whatever a crash left pending is
 * applied when the store opens again. A parse is kept for the apply only when that apply follows in
 * the same batch: in a burst, thousands of kept parse trees would outlive the young generation and
 * cost more in garbage collection than parsing the bodies again at their apply.
 */
import { parseDelivery, readsAsOrder, type ParsedDelivery } from '../../shared/moshtix.js';
import { applyDelivery } from './apply.js';
import type { LogAppender } from './log-appender.js';
import type { Queries } from './queries.js';
import type { AcceptResult, AppliedDelivery, DeliveryInput } from './types.js';
import { parseJsonOrUndefined } from '../../shared/json.js';

/** Bodies parsed at acceptance, kept for an apply in the same batch so they are parsed once. */
export class ParsedBodies {
  private readonly byId = new Map<number, { body: string; parsed: ParsedDelivery }>();

  keep(id: number, body: string, parsed: ParsedDelivery): void {
    this.byId.set(id, { body, parsed });
  }

  /** Forgets what the batch kept and did not apply (an apply that failed, a batch rolled back). */
  clear(): void {
    this.byId.clear();
  }

  /** The parse of `body` under `id`, if kept (an id reused after a rolled-back batch never matches). */
  take(id: number, body: string): ParsedDelivery | undefined {
    const kept = this.byId.get(id);
    this.byId.delete(id);
    return kept?.body === body ? kept.parsed : undefined;
  }
}

/**
 * Stores the delivery as pending (or quarantines it). With `parsedBodies` (its apply follows in this
 * batch) the body is parsed and the parse kept; without, an order in the usual shape is only checked
 * (readsAsOrder), and parsed once, at its apply.
 */
export function acceptDelivery(
  queries: Queries,
  log: LogAppender,
  input: DeliveryInput,
  parsedBodies: ParsedBodies | null,
): AcceptResult {
  if (!parsedBodies && readsAsOrder(parseJsonOrUndefined(input.body)))
    return storePending(queries, log, input);
  const parsed = parseDelivery(input.body);
  if ('error' in parsed) {
    const result = queries.quarantine.insert.run(input.receivedAt, input.origin, input.body, parsed.error);
    return { status: 'quarantined', quarantineId: Number(result.lastInsertRowid), error: parsed.error };
  }
  const accepted = storePending(queries, log, input);
  parsedBodies?.keep(accepted.deliveryId, input.body, parsed);
  return accepted;
}

function storePending(
  queries: Queries,
  log: LogAppender,
  input: DeliveryInput,
): { status: 'accepted'; deliveryId: number } {
  const deliveryId = log.nextDeliveryId();
  queries.pending.insert.run(deliveryId, input.receivedAt, input.origin, input.body);
  return { status: 'accepted', deliveryId };
}

export interface ApplyLimits {
  /** At most this many deliveries. */
  limit: number;
  /** Stop starting new ones after this long (ms), so a slice never holds the writer for long (one always goes). */
  budgetMs?: number;
}

/** Applies the oldest pending deliveries, in id order, inside the current transaction. */
export function applyPending(
  queries: Queries,
  log: LogAppender,
  parsedBodies: ParsedBodies | null,
  limits: ApplyLimits,
): AppliedDelivery[] {
  const started = performance.now();
  const applied: AppliedDelivery[] = [];
  for (const row of queries.pending.oldest.all(limits.limit)) {
    // At least one per call: a slow read of the rows (a busy machine) must not look like an empty
    // backlog to the caller, which stops scheduling applies when a call applies nothing.
    if (applied.length > 0 && limits.budgetMs !== undefined && performance.now() - started > limits.budgetMs)
      break;
    const input = { body: row.body, receivedAt: row.received_at, origin: row.origin };
    const result = applyDelivery(queries, log, input, {
      deliveryId: row.id,
      parsed: parsedBodies?.take(row.id, row.body),
    });
    queries.pending.remove.run(row.id);
    applied.push({ origin: row.origin, result });
  }
  return applied;
}

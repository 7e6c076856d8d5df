/**
 * The write steps of the PostgreSQL store, one per WriteOp, run inside a batch transaction that holds
 * the `log_head` lock. They mirror ../apply.ts step for step (same parse, same shared merges, same
 * outcomes); only the reads and writes differ. Log entries are collected by the appender and written
 * when the batch commits.
 */
import { createLogger } from '../../../shared/logger.js';
import { parseDelivery } from '../../../shared/moshtix.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { eventUpdateOf, mergeEvent, type EventUpdate } from '../../../shared/events.js';
import { normaliseOrder } from '../../../shared/tickets.js';
import { knownEventOf } from '../apply.js';
import type { WriteOp } from '../write-ops.js';
import type {
  DeliveryInput,
  DeliveryOutcome,
  ImportReport,
  IngestResult,
  ReprocessReport,
  ScanResult,
} from '../types.js';
import type { PgLogAppender } from './appender.js';
import { applyOrderSnapshot, applyTicketImport, loadFacts, type EventRow } from './apply-tickets.js';
import type { Tx } from './connection.js';

const log = createLogger('relay.store.pg');

/** Records what a delivery says about an event; `stored` is the events row when already read. */
async function recordEvent(
  tx: Tx,
  appender: PgLogAppender,
  update: EventUpdate,
  isFull: boolean,
  now: string,
  stored?: EventRow | null,
): Promise<void> {
  const existing =
    stored !== undefined
      ? stored
      : await tx.one<EventRow>('SELECT info, is_full FROM events WHERE event_id = $1', [update.id]);
  if (existing?.is_full === true && !isFull) return;
  const known = existing ? knownEventOf({ info: existing.info, is_full: existing.is_full ? 1 : 0 }) : null;
  const merged = mergeEvent(known, update, isFull);
  if (!merged) return;
  const entry = appender.append({ kind: 'event', event: merged.info }, merged.info.id, now);
  if (!entry) return;
  await tx.run(
    `INSERT INTO events (event_id, info, is_full, seq) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO UPDATE SET info = excluded.info, is_full = excluded.is_full, seq = excluded.seq`,
    [merged.info.id, JSON.stringify(merged.info), merged.isFull, entry.seq],
  );
}

async function quarantine(tx: Tx, input: DeliveryInput, error: string): Promise<number> {
  const row = await tx.one<{ id: number }>(
    'INSERT INTO quarantine (received_at, origin, body, error) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.receivedAt, input.origin, input.body, error],
  );
  return row?.id ?? 0;
}

export async function applyDelivery(
  tx: Tx,
  appender: PgLogAppender,
  input: DeliveryInput,
): Promise<IngestResult> {
  const parsed = parseDelivery(input.body);
  if ('error' in parsed) {
    const quarantineId = await quarantine(tx, input, parsed.error);
    return { status: 'quarantined', quarantineId, error: parsed.error };
  }
  const { envelope } = parsed;
  // The delivery id orders deliveries: it is the version's relay sequence number.
  const deliveryId = appender.nextDeliveryId();
  const before = appender.count;
  let outcome: DeliveryOutcome;
  let tiedOrders: string[] = [];
  let contextId = envelope.contextId;
  let orderVersion: { orderId: string; eventId: string; source: string; txId: number; seq: number } | null =
    null;
  if (parsed.kind === 'order') {
    const source = input.origin === 'api' ? 'api' : 'webhook';
    const snapshot = normaliseOrder(parsed.order, deliveryId, input.receivedAt, source);
    contextId ??= snapshot.orderId;
    const facts = await loadFacts(
      tx,
      snapshot.tickets.map((ticket) => ticket.barcode),
      snapshot.orderId,
      snapshot.event.id,
    );
    await recordEvent(tx, appender, snapshot.event, false, input.receivedAt, facts.event);
    const merge = await applyOrderSnapshot(tx, appender, snapshot, facts, input.receivedAt);
    outcome = merge.outcome;
    if (merge.isTie) tiedOrders = [snapshot.orderId];
    if (merge.orderVersion)
      orderVersion = { orderId: snapshot.orderId, eventId: snapshot.eventId, ...merge.orderVersion };
  } else {
    const update = eventUpdateOf(parsed.event, true);
    contextId ??= update.id;
    await recordEvent(tx, appender, update, true, input.receivedAt);
    outcome = appender.count > before ? 'applied' : 'duplicate';
  }
  const seq = appender.head();
  // The delivery and the order's new version in one statement: one round trip fewer per delivery.
  const version = orderVersion ?? null;
  await tx.run(
    `WITH order_written AS (
       INSERT INTO orders (order_id, event_id, source, tx_id, version_seq, updated_at)
       SELECT $9::text, $10::text, $11::text, $12::bigint, $13::bigint, $2::text WHERE $9::text IS NOT NULL
       ON CONFLICT (order_id) DO UPDATE SET event_id = excluded.event_id, source = excluded.source,
         tx_id = excluded.tx_id, version_seq = excluded.version_seq, updated_at = excluded.updated_at
     )
     INSERT INTO deliveries (id, received_at, origin, body, event_type, context_id, outcome, log_head)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      deliveryId,
      input.receivedAt,
      input.origin,
      input.body,
      envelope.eventType,
      String(contextId),
      outcome,
      seq,
      version ? version.orderId : null,
      version?.eventId ?? null,
      version?.source ?? null,
      version?.txId ?? null,
      version?.seq ?? null,
    ],
  );
  const skipped = parsed.kind === 'order' ? parsed.skipped : [];
  if (skipped.length > 0) {
    await tx.run(
      `INSERT INTO skipped_tickets (delivery_id, position, reason, ticket, recorded_at)
       SELECT $1::bigint, skipped.*, $5::text FROM unnest($2::integer[], $3::text[], $4::text[]) AS skipped`,
      [
        deliveryId,
        skipped.map((ticket) => ticket.index),
        skipped.map((ticket) => ticket.reason),
        skipped.map((ticket) => ticket.raw),
        input.receivedAt,
      ],
    );
    log.warn('tickets skipped: no usable barcode (kept with the delivery)', {
      deliveryId,
      contextId,
      skipped: skipped.map(({ index, reason }) => `#${index}: ${reason}`),
    });
  }
  return {
    status: 'accepted',
    deliveryId,
    seq,
    outcome,
    entries: appender.count - before,
    skippedTickets: skipped.length,
    tiedOrders,
  };
}

async function applyScan(
  tx: Tx,
  appender: PgLogAppender,
  scan: ScanRecord,
  now: string,
): Promise<ScanResult> {
  const existing = await tx.one<{ seq: number }>('SELECT seq FROM scans WHERE id = $1', [scan.id]);
  if (existing) return { seq: existing.seq, isNew: false };
  const entry = appender.append({ kind: 'scan', scan }, scan.eventId, now);
  if (!entry) throw new Error(`scan ${scan.id} refused by the wire schema`);
  await tx.run('INSERT INTO scans (id, seq, event_id, gate, record) VALUES ($1, $2, $3, $4, $5)', [
    scan.id,
    entry.seq,
    scan.eventId,
    scan.gate,
    JSON.stringify(scan),
  ]);
  return { seq: entry.seq, isNew: true };
}

async function applyImport(
  tx: Tx,
  appender: PgLogAppender,
  op: Extract<WriteOp, { kind: 'import' }>,
  now: string,
): Promise<ImportReport> {
  const isKnown = await tx.one('SELECT 1 FROM events WHERE event_id = $1', [op.eventId]);
  if (!isKnown) {
    const unnamed: EventUpdate = {
      id: op.eventId,
      name: null,
      startDate: null,
      endDate: null,
      venueName: null,
      ticketTypes: null,
      tags: null,
      isCancelled: null,
    };
    await recordEvent(tx, appender, unnamed, false, now);
  }
  const report = await applyTicketImport(tx, appender, {
    eventId: op.eventId,
    source: op.source,
    rows: op.rows,
    isAuthoritative: op.isAuthoritative,
    now,
  });
  return { ...report, seq: appender.head() };
}

async function reprocess(tx: Tx, appender: PgLogAppender, now: string): Promise<ReprocessReport> {
  const report: ReprocessReport = { accepted: 0, stillFailing: [] };
  const pending = await tx.rows<{ id: number; received_at: string; body: string }>(
    'SELECT id, received_at, body FROM quarantine WHERE reprocessed_at IS NULL ORDER BY id',
  );
  for (const row of pending) {
    const result = await applyDelivery(tx, appender, {
      body: row.body,
      receivedAt: row.received_at,
      origin: 'reprocess',
    });
    if (result.status === 'accepted') {
      await tx.run('UPDATE quarantine SET reprocessed_at = $1, delivery_id = $2 WHERE id = $3', [
        now,
        result.deliveryId,
        row.id,
      ]);
      report.accepted += 1;
    } else {
      // applyDelivery quarantined it again: keep one row per body, with the latest error.
      await tx.run('DELETE FROM quarantine WHERE id = $1', [result.quarantineId]);
      await tx.run('UPDATE quarantine SET error = $1 WHERE id = $2', [result.error, row.id]);
      report.stillFailing.push({ id: row.id, error: result.error });
    }
  }
  return report;
}

export async function executePgWrite(
  tx: Tx,
  appender: PgLogAppender,
  op: WriteOp,
  now: string,
): Promise<unknown> {
  switch (op.kind) {
    case 'delivery':
      return applyDelivery(tx, appender, op.input);
    case 'scan':
      return applyScan(tx, appender, op.scan, now);
    case 'import':
      return applyImport(tx, appender, op, now);
    case 'reprocess':
      return reprocess(tx, appender, now);
    case 'add-gate': {
      if (await tx.one('SELECT 1 FROM gates WHERE name = $1', [op.name]))
        throw new Error(`a gate named "${op.name}" already exists`);
      await tx.run('INSERT INTO gates (name, token_hash, created_at) VALUES ($1, $2, $3)', [
        op.name,
        op.tokenHash,
        now,
      ]);
      return undefined;
    }
    case 'revoke-gate':
      return (
        (await tx.run('UPDATE gates SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL', [
          now,
          op.name,
        ])) > 0
      );
    case 'prune':
      return tx.run('DELETE FROM log WHERE seq <= (SELECT seq FROM log_head WHERE id = 1) - $1', [
        Math.max(1, op.keep),
      ]);
    default: {
      const never: never = op;
      throw new Error(`unknown write ${JSON.stringify(never)}`);
    }
  }
}

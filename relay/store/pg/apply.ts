/**
 * The write steps of the PostgreSQL store, one per WriteOp, run inside a batch transaction that holds
 * the `log_head` lock. They mirror ../apply.ts step for step (same parse, same shared merges, same
 * outcomes); only the reads and writes differ. Log entries are collected by the appender and written
 * when the batch commits.
 */
import type { ScanRecord } from '../../../shared/scans.js';
import { eventUpdateOf, mergeEvent, type EventUpdate } from '../../../shared/events.js';
import { normaliseOrder } from '../../../shared/tickets.js';
import { knownEventOf, warnSkipped } from '../apply.js';
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
import { applyOrderSnapshot, applyTicketImport, type EventRow } from './apply-tickets.js';
import { DeliveryBatch } from './delivery-batch.js';
import type { Tx } from './connection.js';

/** Records what a delivery says about an event; `stored` is the events row when already read. */
async function recordEvent(
  tx: Tx,
  appender: PgLogAppender,
  update: EventUpdate,
  isFull: boolean,
  now: string,
  stored?: EventRow | null,
): Promise<EventRow | null> {
  const existing =
    stored !== undefined
      ? stored
      : await tx.one<EventRow>('SELECT info, is_full FROM events WHERE event_id = $1', [update.id]);
  if (existing?.is_full === true && !isFull) return null;
  const known = existing ? knownEventOf({ info: existing.info, is_full: existing.is_full ? 1 : 0 }) : null;
  const merged = mergeEvent(known, update, isFull);
  if (!merged) return null;
  const entry = appender.append({ kind: 'event', event: merged.info }, merged.info.id, now);
  if (!entry) return null;
  const row: EventRow = { info: JSON.stringify(merged.info), is_full: merged.isFull };
  await tx.run(
    `INSERT INTO events (event_id, info, is_full, seq) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO UPDATE SET info = excluded.info, is_full = excluded.is_full, seq = excluded.seq`,
    [merged.info.id, row.info, row.is_full, entry.seq],
  );
  return row;
}

async function quarantine(tx: Tx, input: DeliveryInput, error: string): Promise<number> {
  const row = await tx.one<{ id: number }>(
    'INSERT INTO quarantine (received_at, origin, body, error) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.receivedAt, input.origin, input.body, error],
  );
  return row?.id ?? 0;
}

/**
 * Applies one delivery within `batch`: reads come from the batch's cache, writes are collected and
 * made when the batch is flushed (quarantine and event rows are written at once).
 */
export async function applyDelivery(
  tx: Tx,
  appender: PgLogAppender,
  input: DeliveryInput,
  batch: DeliveryBatch,
): Promise<IngestResult> {
  const parsed = batch.parse(input);
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
  if (parsed.kind === 'order') {
    const source = input.origin === 'api' ? 'api' : 'webhook';
    const snapshot = normaliseOrder(parsed.order, deliveryId, input.receivedAt, source);
    contextId ??= snapshot.orderId;
    const facts = batch.factsFor(snapshot);
    const event = await recordEvent(tx, appender, snapshot.event, false, input.receivedAt, facts.event);
    if (event) batch.eventWritten(snapshot.event.id, event);
    const merge = applyOrderSnapshot(appender, snapshot, facts, batch.writes, input.receivedAt);
    outcome = merge.outcome;
    if (merge.isTie) tiedOrders = [snapshot.orderId];
    if (merge.orderVersion)
      batch.orderApplied(snapshot.orderId, snapshot.eventId, merge.orderVersion, input.receivedAt);
  } else {
    const update = eventUpdateOf(parsed.event, true);
    contextId ??= update.id;
    const event = await recordEvent(tx, appender, update, true, input.receivedAt);
    if (event) batch.eventWritten(update.id, event);
    outcome = appender.count > before ? 'applied' : 'duplicate';
  }
  const seq = appender.head();
  const skipped = parsed.kind === 'order' ? parsed.skipped : [];
  batch.delivered(
    {
      id: deliveryId,
      receivedAt: input.receivedAt,
      origin: input.origin,
      body: input.body,
      eventType: envelope.eventType,
      contextId: String(contextId),
      outcome,
      logHead: seq,
    },
    skipped.map((ticket) => ({
      deliveryId,
      position: ticket.index,
      reason: ticket.reason,
      ticket: ticket.raw,
      recordedAt: input.receivedAt,
    })),
  );
  warnSkipped(deliveryId, contextId, skipped);
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
    const input: DeliveryInput = { body: row.body, receivedAt: row.received_at, origin: 'reprocess' };
    const batch = await DeliveryBatch.load(tx, [input]);
    const result = await applyDelivery(tx, appender, input, batch);
    // Written now: the quarantine row refers to the delivery.
    await batch.flush(tx);
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

/**
 * Runs one write. Deliveries go into `batch` (flushed by the caller); `batch` is null for a delivery
 * outside a prepared batch, which is then read and written on its own.
 */
export async function executePgWrite(
  tx: Tx,
  appender: PgLogAppender,
  op: WriteOp,
  now: string,
  batch: DeliveryBatch | null,
): Promise<unknown> {
  switch (op.kind) {
    case 'delivery': {
      if (batch) return applyDelivery(tx, appender, op.input, batch);
      const single = await DeliveryBatch.load(tx, [op.input]);
      const result = await applyDelivery(tx, appender, op.input, single);
      await single.flush(tx);
      return result;
    }
    case 'scan':
      return applyScan(tx, appender, op.scan, now);
    case 'import':
      return applyImport(tx, appender, op, now);
    case 'reprocess':
      return reprocess(tx, appender, now);
    case 'add-gate': {
      if (await tx.one('SELECT 1 FROM gates WHERE name = $1', [op.name]))
        throw new Error(`a gate named "${op.name}" already exists`);
      await tx.run('INSERT INTO gates (name, token_hash, created_at, is_venue) VALUES ($1, $2, $3, $4)', [
        op.name,
        op.tokenHash,
        now,
        op.isVenue === true ? 1 : 0,
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
    case 'accept':
      // Nothing is ever pending here: acceptDelivery writes a 'delivery' and answers once it is applied.
      throw new Error('the PostgreSQL store applies a delivery in the transaction that accepts it');
    case 'upstream-batch':
    case 'forwarded':
    case 'refused-upstream':
      // Refused when the store is opened for a venue relay (store/open.ts): never reached.
      throw new Error('a venue relay keeps its own SQLite database, not PostgreSQL');
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

/**
 * Every write the relay store makes, as plain data, so it can run in this thread or be posted to the
 * writer worker. `executeWrite` runs one inside the current batch transaction. An accepted delivery
 * (`accept`) is only stored in pending_deliveries, by the writer (writer.ts, pending.ts); it is
 * applied in a following transaction, or at a trickle in a savepoint of the same one.
 */
import type { ScanRecord } from '../../shared/scans.js';
import { applyDelivery, applyImport, applyScan, type LogAppender } from './apply.js';
import { applyForwardedScan, applyUpstreamBatch } from './apply-upstream.js';
import { applyPending, type ParsedBodies } from './pending.js';
import type { Queries } from './queries.js';
import type { AppliedDelivery, DeliveryInput, ImportRow, ReprocessReport, UpstreamBatch } from './types.js';

export type WriteOp =
  | { kind: 'delivery'; input: DeliveryInput }
  /** `isForwarded`: a venue relay's own gate uploaded it; it goes into the upstream outbox too. */
  | { kind: 'scan'; scan: ScanRecord; isForwarded?: boolean }
  | {
      kind: 'import';
      eventId: string;
      source: string;
      rows: readonly ImportRow[];
      isAuthoritative: boolean;
    }
  | { kind: 'reprocess' }
  /** Store the delivery durably (or quarantine it) now; apply it in a following transaction. */
  | { kind: 'accept'; input: DeliveryInput }
  | { kind: 'add-gate'; name: string; tokenHash: string; isVenue?: boolean }
  | { kind: 'revoke-gate'; name: string }
  | { kind: 'prune'; keep: number }
  | { kind: 'upstream-batch'; batch: UpstreamBatch }
  | { kind: 'forwarded'; scanIds: readonly string[] }
  | { kind: 'refused-upstream'; scanId: string; refusal: string };

function reprocess(queries: Queries, log: LogAppender, now: string): ReprocessReport {
  const report: ReprocessReport = { accepted: 0, stillFailing: [] };
  for (const row of queries.quarantine.pending.all()) {
    const result = applyDelivery(queries, log, {
      body: row.body,
      receivedAt: row.received_at,
      origin: 'reprocess',
    });
    if (result.status === 'accepted') {
      queries.quarantine.resolve.run(now, result.deliveryId, row.id);
      report.accepted += 1;
    } else {
      // applyDelivery quarantined it again: keep one row per body, with the latest error.
      queries.quarantine.remove.run(result.quarantineId);
      queries.quarantine.fail.run(result.error, row.id);
      report.stillFailing.push({ id: row.id, error: result.error });
    }
  }
  return report;
}

/**
 * What a write needs besides the statements: where an acceptance keeps its parse (null: nowhere, its
 * apply parses again), and where applied deliveries go.
 */
export interface WriteContext {
  parsed: ParsedBodies | null;
  applied: AppliedDelivery[];
}

/** Every write but an acceptance, which the writer runs itself (writer.ts: it may apply it in the batch). */
export function executeWrite(
  queries: Queries,
  log: LogAppender,
  op: Exclude<WriteOp, { kind: 'accept' }>,
  now: string,
  context: WriteContext,
): unknown {
  switch (op.kind) {
    case 'delivery':
      // Older accepted deliveries go first, so deliveries are applied in the order they were accepted.
      for (;;) {
        const applied = applyPending(queries, log, context.parsed, { limit: 1_000 });
        for (const delivery of applied) context.applied.push(delivery);
        if (applied.length < 1_000) break;
      }
      return applyDelivery(queries, log, op.input);
    case 'scan':
      return op.isForwarded
        ? applyForwardedScan(queries, log, op.scan, now)
        : applyScan(queries, log, op.scan, now);
    case 'import':
      return applyImport(queries, log, op.eventId, op.source, op.rows, now, op.isAuthoritative);
    case 'reprocess':
      return reprocess(queries, log, now);
    case 'add-gate':
      if (queries.gates.exists.get(op.name)) throw new Error(`a gate named "${op.name}" already exists`);
      queries.gates.insert.run(op.name, op.tokenHash, now, op.isVenue ? 1 : 0);
      return undefined;
    case 'revoke-gate':
      return queries.gates.revoke.run(now, op.name).changes > 0;
    case 'prune':
      return queries.log.prune.run(Math.max(1, op.keep)).changes;
    case 'upstream-batch':
      return applyUpstreamBatch(queries, log, op.batch, now);
    case 'forwarded':
      for (const id of op.scanIds) queries.upstream.dequeue.run(id);
      return undefined;
    case 'refused-upstream':
      queries.upstream.refuse.run(op.refusal, op.scanId);
      return undefined;
    default: {
      const never: never = op;
      throw new Error(`unknown write ${JSON.stringify(never)}`);
    }
  }
}

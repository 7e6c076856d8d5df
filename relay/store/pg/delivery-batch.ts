/**
 * The deliveries of one write batch, applied against what they need read in one query and written in
 * a few statements when the batch ends: a batch's cost in round trips no longer grows with its size,
 * and the `log_head` lock (which serialises every replica's writes) is held that much shorter.
 *
 * The cache is exact for what the deliveries read: the tickets of their orders and barcodes, those
 * tickets' moves, their orders' versions and their events, loaded under the batch's lock, and kept
 * up to date by the deliveries' own writes in the order they are applied.
 */
import { parseDelivery, type ParsedDelivery, type ParseFailure } from '../../../shared/moshtix.js';
import {
  normaliseOrder,
  type OrderSnapshot,
  type TicketState,
  type Version,
} from '../../../shared/tickets.js';
import { orderVersionOf, readStoredState } from '../apply-tickets.js';
import type { DeliveryInput } from '../types.js';
import { TicketWrites, type EventRow, type TicketFacts } from './apply-tickets.js';
import type { Tx } from './connection.js';

export interface DeliveryRow {
  id: number;
  receivedAt: string;
  origin: string;
  body: string;
  eventType: string;
  contextId: string;
  outcome: string;
  logHead: number;
}

interface OrderRow {
  orderId: string;
  eventId: string;
  version: Version;
  updatedAt: string;
}

interface SkippedRow {
  deliveryId: number;
  position: number;
  reason: string;
  ticket: string;
  recordedAt: string;
}

export class DeliveryBatch {
  private readonly parsed = new Map<DeliveryInput, ParsedDelivery | ParseFailure>();
  private readonly states = new Map<string, TicketState>();
  private readonly moves = new Map<string, Set<string>>();
  private readonly orders = new Map<string, Version>();
  private readonly events = new Map<string, EventRow>();
  readonly writes: TicketWrites;
  private readonly orderRows = new Map<string, OrderRow>();
  private deliveries: DeliveryRow[] = [];
  private skipped: SkippedRow[] = [];

  private constructor() {
    this.writes = new TicketWrites({ states: this.states, moves: this.moves });
  }

  /** Parses the inputs and reads, in one query, everything their orders and events need. */
  static async load(tx: Tx, inputs: readonly DeliveryInput[]): Promise<DeliveryBatch> {
    const batch = new DeliveryBatch();
    const barcodes = new Set<string>();
    const orderIds = new Set<string>();
    const eventIds = new Set<string>();
    for (const input of inputs) {
      const parsed = parseDelivery(input.body);
      batch.parsed.set(input, parsed);
      if ('error' in parsed) continue;
      if (parsed.kind === 'order') {
        // Seq 0 and source do not matter here: only ids and barcodes are read.
        const snapshot = normaliseOrder(parsed.order, 0, input.receivedAt);
        orderIds.add(snapshot.orderId);
        eventIds.add(snapshot.event.id);
        for (const ticket of snapshot.tickets) barcodes.add(ticket.barcode);
      }
    }
    if (orderIds.size === 0) return batch;
    const row = await tx.one<{
      states: string[];
      moves: [string, string][];
      orders: { order_id: string; source: string; tx_id: number; version_seq: number }[];
      events: { event_id: string; info: string; is_full: boolean }[];
    }>(
      `SELECT
         (SELECT coalesce(array_agg(state), '{}') FROM tickets
           WHERE barcode = ANY($1::text[]) OR order_id = ANY($2::text[])) AS states,
         (SELECT coalesce(json_agg(json_build_array(barcode, event_id)), '[]'::json) FROM ticket_moves
           WHERE barcode = ANY($1::text[])
              OR barcode IN (SELECT barcode FROM tickets WHERE order_id = ANY($2::text[]))) AS moves,
         (SELECT coalesce(json_agg(json_build_object('order_id', order_id, 'source', source, 'tx_id', tx_id,
            'version_seq', version_seq)), '[]'::json) FROM orders WHERE order_id = ANY($2::text[])) AS orders,
         (SELECT coalesce(json_agg(json_build_object('event_id', event_id, 'info', info, 'is_full', is_full)),
            '[]'::json) FROM events WHERE event_id = ANY($3::text[])) AS events`,
      [[...barcodes], [...orderIds], [...eventIds]],
    );
    for (const text of row?.states ?? []) {
      const state = readStoredState(text, 'delivery batch');
      if (state) batch.states.set(state.barcode, state);
    }
    for (const [barcode, movedFrom] of row?.moves ?? []) {
      const events = batch.moves.get(barcode) ?? new Set<string>();
      events.add(movedFrom);
      batch.moves.set(barcode, events);
    }
    for (const order of row?.orders ?? []) batch.orders.set(order.order_id, orderVersionOf(order));
    for (const event of row?.events ?? [])
      batch.events.set(event.event_id, { info: event.info, is_full: event.is_full });
    return batch;
  }

  parse(input: DeliveryInput): ParsedDelivery | ParseFailure {
    return this.parsed.get(input) ?? parseDelivery(input.body);
  }

  /** The facts the merge of this snapshot reads: its order's tickets and its barcodes' states. */
  factsFor(snapshot: OrderSnapshot): TicketFacts {
    const inSnapshot = new Set(snapshot.tickets.map((ticket) => ticket.barcode));
    const states = new Map<string, TicketState>();
    for (const state of this.states.values()) {
      if (state.orderId === snapshot.orderId || inSnapshot.has(state.barcode))
        states.set(state.barcode, state);
    }
    return {
      states,
      moves: this.moves,
      order: this.orders.get(snapshot.orderId) ?? null,
      event: this.events.get(snapshot.event.id) ?? null,
    };
  }

  /** An event row this batch wrote (immediately: event changes are rare). */
  eventWritten(eventId: string, row: EventRow): void {
    this.events.set(eventId, row);
  }

  orderApplied(orderId: string, eventId: string, version: Version, updatedAt: string): void {
    this.orders.set(orderId, version);
    this.orderRows.set(orderId, { orderId, eventId, version, updatedAt });
  }

  delivered(row: DeliveryRow, skipped: readonly SkippedRow[]): void {
    this.deliveries.push(row);
    for (const ticket of skipped) this.skipped.push(ticket);
  }

  /** Writes what the batch's deliveries changed: tickets, orders, deliveries, skipped tickets. */
  async flush(tx: Tx): Promise<void> {
    await this.writes.flush(tx);
    const orders = [...this.orderRows.values()];
    if (orders.length > 0 || this.deliveries.length > 0) {
      const deliveries = this.deliveries;
      await tx.run(
        `WITH order_written AS (
           INSERT INTO orders (order_id, event_id, source, tx_id, version_seq, updated_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
           ON CONFLICT (order_id) DO UPDATE SET event_id = excluded.event_id, source = excluded.source,
             tx_id = excluded.tx_id, version_seq = excluded.version_seq, updated_at = excluded.updated_at
         )
         INSERT INTO deliveries (id, received_at, origin, body, event_type, context_id, outcome, log_head)
         SELECT * FROM unnest($7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
           $13::text[], $14::bigint[])`,
        [
          orders.map((order) => order.orderId),
          orders.map((order) => order.eventId),
          orders.map((order) => order.version.source),
          orders.map((order) => order.version.txId),
          orders.map((order) => order.version.seq),
          orders.map((order) => order.updatedAt),
          deliveries.map((row) => row.id),
          deliveries.map((row) => row.receivedAt),
          deliveries.map((row) => row.origin),
          deliveries.map((row) => row.body),
          deliveries.map((row) => row.eventType),
          deliveries.map((row) => row.contextId),
          deliveries.map((row) => row.outcome),
          deliveries.map((row) => row.logHead),
        ],
      );
    }
    if (this.skipped.length > 0) {
      const skipped = this.skipped;
      await tx.run(
        `INSERT INTO skipped_tickets (delivery_id, position, reason, ticket, recorded_at)
         SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[])`,
        [
          skipped.map((row) => row.deliveryId),
          skipped.map((row) => row.position),
          skipped.map((row) => row.reason),
          skipped.map((row) => row.ticket),
          skipped.map((row) => row.recordedAt),
        ],
      );
    }
    this.orderRows.clear();
    this.deliveries = [];
    this.skipped = [];
  }
}

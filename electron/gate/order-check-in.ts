/**
 * Whole-order check-in: a group at the door with one booking. Each ticket of the order is judged by
 * the same admission rules as a scan (a dry run, nothing recorded); those the gate would admit are
 * then scanned one by one, so each is its own admission (its own record, upload, turnstile opening),
 * and those it would not are listed with the reason, without recording a denial for them.
 */
import type { OrderAdmission } from '../../shared/gate-api.js';
import type { TicketState } from '../../shared/tickets.js';
import type { Engine } from './engine.js';
import { ApiFailure } from './errors.js';
import { decide, type Decision } from './rules.js';

/** What the gate would decide for this ticket now, recording nothing. */
export function judge(engine: Engine, ticket: TicketState): Decision {
  return decide({
    barcode: ticket.barcode,
    ticket,
    event: engine.store.tickets.event(ticket.eventId),
    history: engine.store.scans.history(ticket.barcode),
    settings: engine.settings,
    now: engine.now(),
  });
}

export function isAdmissible(engine: Engine, ticket: TicketState): boolean {
  return judge(engine, ticket).result === 'admit';
}

export function admitOrder(engine: Engine, orderId: string): OrderAdmission {
  const tickets = engine.store.tickets.ofOrder(orderId);
  if (tickets.length === 0) throw new ApiFailure('not_found', `orderId: no order ${orderId}`);
  const isHidden = engine.settings.hideNames;
  const outcome: OrderAdmission = { admitted: [], refused: [] };
  for (const ticket of tickets) {
    const line = {
      barcode: ticket.barcode,
      holderName: isHidden ? null : ticket.holderName,
      ticketType: ticket.ticketTypeName ?? ticket.ticketTypeId,
    };
    const dryRun = judge(engine, ticket);
    if (dryRun.result !== 'admit') {
      outcome.refused.push({ ...line, reason: dryRun.reason, message: dryRun.message });
      continue;
    }
    const scanned = engine.scan(ticket.barcode);
    if (scanned.result === 'admit') outcome.admitted.push({ ...line, scanId: scanned.scanId });
    else outcome.refused.push({ ...line, reason: scanned.reason, message: scanned.message });
  }
  return outcome;
}

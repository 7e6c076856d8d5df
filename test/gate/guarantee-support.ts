/**
 * Helpers for the admission-guarantee tests (issue 9): one real relay, a gate process that was
 * online all along ("live") and gate processes started afterwards ("fresh", synced by snapshot), and
 * raw Moshtix bodies with the odd fields real deliveries carry.
 */
import { expect } from 'vitest';
import {
  addGateToken,
  orderDelivery,
  postDelivery,
  waitFor,
  type OrderSpec,
  type PostResult,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

export const MAIN_EVENT = '132218';

export interface Stack {
  dir: TempDir;
  relay: RelayProcess;
}

let markers = 0;

/** Posts a body and expects the relay to accept it (200), returning the answer. */
export async function accept(stack: Stack, body: object): Promise<PostResult> {
  const answer = await postDelivery(stack.relay.url, body);
  expect({ status: answer.status, body: answer.json }).toMatchObject({
    status: 200,
    body: { status: 'accepted' },
  });
  return answer;
}

export async function acceptOrder(stack: Stack, spec: OrderSpec): Promise<PostResult> {
  return accept(stack, orderDelivery(spec));
}

/**
 * Waits until the gate has applied everything posted so far: the log is ordered, so once a marker
 * ticket posted now (for each of the gate's events) is at the gate, every earlier entry is too.
 */
export async function settle(stack: Stack, gate: GateProcess, events = [MAIN_EVENT]): Promise<void> {
  for (const event of events) {
    markers += 1;
    const barcode = `MARKER-${process.pid}-${markers}`;
    await acceptOrder(stack, {
      orderId: 900_000 + markers,
      eventId: Number(event),
      tickets: [{ barcode }],
      transactions: [{ id: 900_000 + markers }],
    });
    await waitFor(async () => (await ticketOf(gate, barcode)) !== null, {
      timeoutMs: 20_000,
      message: `marker ${barcode} at the gate`,
    });
  }
}

/** Starts a gate process for the events (with extra gate flags) and waits until it is online. */
export async function startGate(
  stack: Stack,
  name: string,
  events = [MAIN_EVENT],
  extra: string[] = [],
): Promise<GateProcess> {
  const token = await addGateToken(stack.dir.file('relay.db'), name);
  const gate = await startGateProcess(
    gateArgs(stack.dir.file(name.replace(/\W+/g, '-')), stack.relay.url, { name, token, events, extra }),
  );
  await waitFor(async () => (await gate.value('status')).connection === 'online', {
    timeoutMs: 20_000,
    message: `${name} online`,
  });
  return gate;
}

/** A gate started now: it learns everything so far from the relay's snapshot. */
export async function freshGate(
  stack: Stack,
  name: string,
  events = [MAIN_EVENT],
  extra: string[] = [],
): Promise<GateProcess> {
  const gate = await startGate(stack, name, events, extra);
  await settle(stack, gate, events);
  return gate;
}

/** What a door person relies on for one ticket: validity, why, and which event it is for. */
export async function doorView(
  gate: GateProcess,
  barcode: string,
): Promise<{ valid: boolean; cause: string; eventId: string } | null> {
  const ticket = await ticketOf(gate, barcode);
  return ticket ? { valid: ticket.valid, cause: ticket.cause, eventId: ticket.eventId } : null;
}

/** The ticket objects of an ORDER_SAVED body built by `orderDelivery`, for odd-field surgery. */
export function ticketsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  return ((body.data as { tickets: { items: Record<string, unknown>[] } }).tickets.items ?? []) as Record<
    string,
    unknown
  >[];
}

export function orderData(body: Record<string, unknown>): Record<string, unknown> {
  return body.data as Record<string, unknown>;
}

/** An EVENT_SAVED body as the subscription's template renders it. */
export function eventDelivery(event: Record<string, unknown> & { id: number }): Record<string, unknown> {
  return { eventType: 'event-saved', contextId: event.id, data: event };
}

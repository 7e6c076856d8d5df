/**
 * Issue 12 item 1: the other-events window moves with the clock, not only when an event is redated.
 * A real relay service on a real database (in this process, so its window can be looked at again
 * every 100 ms rather than every minute) and a real gate process: an event whose start comes within
 * the window while the gate is live gets named, and one that falls out of the window is forgotten
 * (its tickets say unknown again).
 * The clock is the real one: the events are dated a few seconds from the window's edges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayService } from '../../relay/server.js';
import { openSqliteStore } from '../../relay/store/sqlite.js';
import {
  addGateToken,
  DEFAULT_SECRET,
  makeTempDir,
  orderDelivery,
  postDelivery,
  waitFor,
  type TempDir,
} from '../relay/support.js';
import { eventDelivery, MAIN_EVENT } from './guarantee-support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** How far from the window's edges the events are dated: time enough to see them on either side. */
const MARGIN = 12_000;

let dir: TempDir;
let relay: RelayService;
let door: GateProcess;

async function accept(body: object): Promise<void> {
  const answer = await postDelivery(relay.url, body);
  expect(answer.status, answer.text).toBe(200);
}

async function scan(barcode: string): Promise<{ reason?: string; message?: string }> {
  return door.value('scan', { barcode });
}

beforeAll(async () => {
  dir = makeTempDir();
  relay = new RelayService({
    store: openSqliteStore(dir.file('relay.db')),
    webhookSecret: DEFAULT_SECRET,
    // Nothing back, a day ahead: an event is in the window from a day before it starts until it ends.
    otherEventsWindow: { beforeDays: 0, afterDays: 1 },
    windowCheckMs: 100,
  });
  await relay.start();
  const token = await addGateToken(dir.file('relay.db'), 'Window Gate');
  door = await startGateProcess(
    gateArgs(dir.file('gate'), relay.url, { name: 'Window Gate', token, events: [MAIN_EVENT] }),
  );
  await waitFor(async () => (await door.value('status')).connection === 'online', {
    timeoutMs: 20_000,
    message: 'gate online',
  });
}, 60_000);

afterAll(async () => {
  await door?.stop();
  await relay?.stop();
  dir?.remove();
});

describe('the other-events window as time passes', () => {
  it('names an event once its start comes within the window, and forgets one that ended', async () => {
    const now = Date.now();
    const entering = { id: 7401, name: 'Entering Show', start: now + DAY + MARGIN };
    const leaving = { id: 7402, name: 'Leaving Show', start: now - 3 * HOUR, end: now + MARGIN };
    await accept(
      eventDelivery({
        id: entering.id,
        name: entering.name,
        startDate: new Date(entering.start).toISOString(),
        endDate: new Date(entering.start + 4 * HOUR).toISOString(),
      }),
    );
    await accept(
      eventDelivery({
        id: leaving.id,
        name: leaving.name,
        startDate: new Date(leaving.start).toISOString(),
        endDate: new Date(leaving.end).toISOString(),
      }),
    );
    await accept(
      orderDelivery({ orderId: 8_675_401, eventId: entering.id, tickets: [{ barcode: 'ENTER-1' }] }),
    );
    await accept(
      orderDelivery({ orderId: 8_675_402, eventId: leaving.id, tickets: [{ barcode: 'LEAVE-1' }] }),
    );
    // A ticket of the gate's own event, posted last: once it is at the gate, so is all of the above.
    await accept(orderDelivery({ orderId: 8_675_403, tickets: [{ barcode: 'WINDOW-MARKER' }] }));
    await waitFor(async () => (await ticketOf(door, 'WINDOW-MARKER')) !== null, {
      timeoutMs: 20_000,
      message: 'marker at the gate',
    });

    expect(await scan('LEAVE-1')).toMatchObject({ reason: 'wrong_event' });
    expect(await scan('ENTER-1')).toMatchObject({ reason: 'unknown_barcode' });

    await waitFor(async () => (await scan('ENTER-1')).reason === 'wrong_event', {
      timeoutMs: MARGIN + 30_000,
      message: 'ENTER-1 named once its event is within a day',
    });
    expect((await scan('ENTER-1')).message).toMatch(/^Ticket is for Entering Show on /);
    await waitFor(async () => (await scan('LEAVE-1')).reason === 'unknown_barcode', {
      timeoutMs: MARGIN + 30_000,
      message: 'LEAVE-1 forgotten once its event ended',
    });
  }, 90_000);
});

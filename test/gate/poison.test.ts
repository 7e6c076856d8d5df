/**
 * Poison isolation at the gate, against a STAND-IN relay (it sends what the real relay must never
 * send: a log entry or snapshot ticket its own wire schema refuses, a frame that is not a frame).
 * One bad item never costs its neighbours; it is recorded (status.applyErrors, status.lastError); the
 * cursor never passes a good entry the gate has not applied. Also: the gate uploads its own scans in
 * the order it made them, so the relay's seqs keep that order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import type { GateStatus } from '../../shared/gate-api.js';
import type { RelayFrame } from '../../shared/protocol.js';
import { makeTempDir, waitFor } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';
import { startStandIn, welcomeFrame, type StandInScript } from './stand-in-relay.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standIn(script: StandInScript) {
  const relay = await startStandIn(script);
  cleanups.push(() => relay.close());
  return relay;
}

async function gate(relayUrl: string | null): Promise<GateEngine> {
  const dir = makeTempDir();
  const engine = await startGate({
    dataDir: dir.path,
    settings: { gateName: 'Gate P', events: ['E1'], relayUrl, token: 'stand-in-token' },
    syncTiming: {
      heartbeatIntervalMs: 1_000,
      heartbeatTimeoutMs: 10_000,
      backoffBaseMs: 20,
      backoffCapMs: 100,
      snapshotBatchTickets: 1,
    },
  });
  cleanups.push(
    () => dir.remove(),
    () => engine.stop(),
  );
  return engine;
}

async function status(engine: GateEngine): Promise<GateStatus> {
  const answer = await engine.handlers.status({});
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

async function reason(engine: GateEngine, barcode: string): Promise<string> {
  const answer = await engine.handlers.scan({ barcode });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value.reason;
}

const welcome = () => welcomeFrame('Gate P', 12, [eventInfo('E1')]);
/** A ticket entry the wire schema refuses: the blank barcode a relay once stored as "". */
const blankBarcode = (seq: number) => ({ seq, kind: 'ticket', ticket: { ...ticketState('x'), barcode: '' } });

describe('poison isolation at the gate (stand-in relay)', () => {
  it('applies the good entries of a frame that holds a bad one, records it, and acks past all', async () => {
    const relay = await standIn((connection, frame) => {
      if (frame.type !== 'hello') return;
      connection.send(welcome());
      const entries = [
        { seq: 8, kind: 'ticket', ticket: ticketState('GOOD-8') },
        blankBarcode(9),
        { seq: 10, kind: 'ticket', ticket: ticketState('GOOD-10') },
      ];
      connection.sendRaw(JSON.stringify({ type: 'entries', entries }));
    });
    const engine = await gate(relay.url);
    await waitFor(
      () => relay.connections[0]?.frames.some((frame) => frame.type === 'ack' && frame.cursor === 10),
      { message: 'the ack of cursor 10' },
    );
    expect(await status(engine)).toMatchObject({
      cursor: 10,
      tickets: 2,
      applyErrors: 1,
      connection: 'online',
      lastError: expect.stringMatching(/log entry 9: .*barcode/),
    });
    expect(await reason(engine, 'GOOD-8')).toBe('admitted');
    expect(await reason(engine, 'GOOD-10')).toBe('admitted');
    expect(relay.connections).toHaveLength(1);
  });

  it('stores the good tickets of a snapshot chunk that holds a bad one', async () => {
    const relay = await standIn((connection, frame) => {
      if (frame.type !== 'hello') return;
      connection.send(welcome());
      connection.send({ type: 'snapshot-begin', tickets: 3, scans: 0, cursor: 12 });
      const tickets = [ticketState('SNAP-1'), { ...ticketState('x'), barcode: '' }, ticketState('SNAP-3')];
      connection.sendRaw(
        JSON.stringify({ type: 'snapshot-chunk', events: [eventInfo('E1')], tickets, scans: [] }),
      );
      connection.send({ type: 'snapshot-end', cursor: 12 });
    });
    const engine = await gate(relay.url);
    await waitFor(
      () => relay.connections[0]?.frames.some((frame) => frame.type === 'ack' && frame.cursor === 12),
      { message: 'the ack of the snapshot' },
    );
    expect(await status(engine)).toMatchObject({
      cursor: 12,
      tickets: 2,
      applyErrors: 1,
      lastError: expect.stringMatching(/snapshot ticket 1: barcode/),
    });
    expect(await reason(engine, 'SNAP-1')).toBe('admitted');
    expect(await reason(engine, 'SNAP-3')).toBe('admitted');
  });

  it('never moves its cursor past a frame it could not read: it records it and asks again', async () => {
    let hellos = 0;
    const relay = await standIn((connection, frame) => {
      if (frame.type !== 'hello') return;
      connection.send(welcome());
      hellos += 1;
      // The same unreadable frame twice, as a relay would send it again after the reconnect.
      if (hellos <= 2) {
        // Not a list of entries: nothing in it can be told good or bad.
        connection.sendRaw('{"type":"entries","entries":{"seq":11}}');
        connection.send({
          type: 'entries',
          entries: [{ seq: 12, kind: 'ticket', ticket: ticketState('LATE') }],
        });
        return;
      }
      const entries: RelayFrame = {
        type: 'entries',
        entries: [
          { seq: 11, kind: 'ticket', ticket: ticketState('MIDDLE') },
          { seq: 12, kind: 'ticket', ticket: ticketState('LATE') },
        ],
      };
      connection.send(entries);
    });
    const engine = await gate(relay.url);
    const hello = await waitFor(() => relay.connections[2]?.frames[0], { message: 'the gate to dial again' });
    // It said hello again from where it was: the unread frame's entries are sent again.
    expect(hello).toMatchObject({ type: 'hello', cursor: 0 });
    expect(relay.connections[1]?.frames[0]).toMatchObject({ type: 'hello', cursor: 0 });
    await waitFor(async () => (await status(engine)).cursor === 12, { message: 'cursor 12' });
    expect(await reason(engine, 'MIDDLE')).toBe('admitted');
    // Recorded once, not once per retry.
    expect((await status(engine)).applyErrors).toBe(1);
  });

  it('uploads its own scans in the order it made them, a fresh one after the backlog', async () => {
    // The stand-in holds its acks until the test has made a fresh scan, then acks as scans come.
    const held: { id: string; seq: number }[] = [];
    let isHolding = true;
    let nextSeq = 100;
    const relay = await standIn((connection, frame) => {
      if (frame.type === 'hello') connection.send(welcome());
      if (frame.type !== 'scan') return;
      const ack = { id: frame.scan.id, seq: (nextSeq += 1) };
      if (isHolding) held.push(ack);
      else connection.send({ type: 'scan-ack', ...ack });
    });
    // Offline first: 502 decisions wait to be uploaded, more than one upload batch (500).
    const engine = await gate(null);
    const made: string[] = [];
    for (let index = 0; index < 502; index += 1) {
      const answer = await engine.handlers.scan({ barcode: `UNKNOWN-${index}` });
      if (answer.ok) made.push(answer.value.scanId);
    }
    const changed = await engine.handlers.updateSettings({ changes: { relayUrl: relay.url } });
    expect(changed.ok).toBe(true);
    await waitFor(() => held.length >= 500, { message: 'the first upload batch' });
    // A fresh decision while the first batch is in flight: it must not overtake the two still waiting.
    const fresh = await engine.handlers.scan({ barcode: 'UNKNOWN-FRESH' });
    if (fresh.ok) made.push(fresh.value.scanId);
    isHolding = false;
    for (const ack of held.splice(0)) relay.connections[0]?.send({ type: 'scan-ack', ...ack });
    await waitFor(async () => (await status(engine)).pendingScans === 0, { message: 'every scan acked' });
    const uploaded = relay.connections
      .flatMap((connection) => connection.frames)
      .flatMap((frame) => (frame.type === 'scan' ? [frame.scan.id] : []));
    expect(uploaded).toEqual(made);
  });
});

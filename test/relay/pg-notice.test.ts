// The log channel's notices between PostgreSQL replicas (relay/store/pg/log-notice.ts): a commit's
// entries travel in the NOTIFY payload when they fit, so another replica announces them without
// reading the log back. Two stores on one real throwaway PostgreSQL server stand for two replicas.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeLogNotice, encodeLogNotice, NOTICE_LIMIT_BYTES } from '../../relay/store/pg/log-notice.js';
import { openPgStore } from '../../relay/store/pg/store.js';
import { LOG_CHANNEL } from '../../relay/store/pg/writer.js';
import type { RelayStore, StoredEntry } from '../../relay/store/types.js';
import { ticketState } from '../gate/fixtures.js';
import { usePostgres } from './postgres.js';
import { smallOrder } from './small-order.js';
import { waitFor } from './support.js';

const order = (orderId: number, tickets = 1) =>
  smallOrder(orderId, { barcodes: Array.from({ length: tickets }, (_, index) => `B${orderId}-${index}`) });

const ticketEntry = (seq: number, barcode = `B${seq}`): StoredEntry => ({
  seq,
  kind: 'ticket',
  eventId: 'E1',
  json: JSON.stringify({ seq, kind: 'ticket', ticket: ticketState(barcode) }),
});

describe('log notices (pure)', () => {
  it('carry the entries when they fit, and only the head when they do not', () => {
    const small = [ticketEntry(4), ticketEntry(5)];
    expect(decodeLogNotice(encodeLogNotice(5, small))).toEqual({ head: 5, entries: small });
    const big = Array.from({ length: 40 }, (_, index) => ticketEntry(index + 1));
    const payload = encodeLogNotice(40, big);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(NOTICE_LIMIT_BYTES);
    expect(decodeLogNotice(payload)).toEqual({ head: 40, entries: [] });
  });

  it('believe only the head of a notice whose entries are out of order, short of the head, or not entries', () => {
    expect(decodeLogNotice(encodeLogNotice(6, [ticketEntry(4), ticketEntry(6)]))?.entries).toEqual([]);
    expect(decodeLogNotice(encodeLogNotice(9, [ticketEntry(4)]))).toEqual({ head: 9, entries: [] });
    const forged = { ...ticketEntry(7), json: JSON.stringify({ seq: 7, kind: 'ticket', evil: true }) };
    expect(decodeLogNotice(encodeLogNotice(7, [forged]))).toEqual({ head: 7, entries: [] });
    const otherSeq = { ...ticketEntry(8), json: ticketEntry(3).json };
    expect(decodeLogNotice(encodeLogNotice(8, [otherSeq]))).toEqual({ head: 8, entries: [] });
  });

  it('read a bare head (an earlier build) and refuse what is not a notice', () => {
    expect(decodeLogNotice('41')).toEqual({ head: 41, entries: [] });
    expect(decodeLogNotice('junk')).toBeNull();
    expect(decodeLogNotice('{"head": -1, "entries": []}')).toBeNull();
  });
});

describe('log notices between two replicas on a real PostgreSQL', () => {
  const postgres = usePostgres();
  const stores: RelayStore[] = [];
  afterAll(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('bring every entry to the other replica once, in order: small commits, a big one, and past forged notices', async () => {
    const url = await postgres.createDatabase();
    const first = await openPgStore(url, { poolSize: 4 });
    const second = await openPgStore(url, { poolSize: 4 });
    stores.push(first, second);
    const written: StoredEntry[] = [];
    const heard: StoredEntry[] = [];
    first.onEntries((entries) => written.push(...entries));
    second.onEntries((entries) => heard.push(...entries));
    const caughtUp = (what: string) =>
      waitFor(() => heard.length === written.length && heard.length > 0, { message: what });

    for (let orderId = 1; orderId <= 20; orderId += 1) await first.ingestDelivery(order(orderId));
    await caughtUp('20 small commits heard');
    // Too big for a notice (80 tickets): read back from the log.
    await first.ingestDelivery(order(21, 80));
    await caughtUp('a big commit heard');

    // Anyone who can NOTIFY on the database may send anything on the channel.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const next = written.length + 1;
      const forged = { ...ticketEntry(next, 'FORGED'), json: JSON.stringify({ seq: next, kind: 'x' }) };
      await client.query('SELECT pg_notify($1, $2)', [LOG_CHANNEL, encodeLogNotice(next, [forged])]);
      await client.query('SELECT pg_notify($1, $2)', [LOG_CHANNEL, 'junk']);
    } finally {
      await client.end();
    }
    await first.ingestDelivery(order(22));
    await caughtUp('the commit after the forged notices heard');

    expect(heard.map((entry) => entry.seq)).toEqual(written.map((entry) => entry.seq));
    expect(heard.map((entry) => entry.seq)).toEqual(heard.map((_, index) => index + 1));
    expect(heard.map((entry) => entry.json)).toEqual(written.map((entry) => entry.json));
    expect(heard.some((entry) => entry.json.includes('FORGED'))).toBe(false);
  });
});

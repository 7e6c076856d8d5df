/**
 * Named queries over the index of other events' tickets (a keyed hash and an event id per ticket,
 * nothing personal) and the relay's key to hash scanned barcodes with. Each row carries the seq that
 * last confirmed it, so a completed snapshot can drop what it no longer contains.
 */
import type Database from 'better-sqlite3';

export function createOtherEventQueries(db: Database.Database) {
  const statements = {
    key: db.prepare<[], { index_key: Buffer | null }>('SELECT index_key FROM sync_state WHERE id = 1'),
    setKey: db.prepare<[Buffer | null]>('UPDATE sync_state SET index_key = ? WHERE id = 1'),
    put: db.prepare<[Buffer, string, number]>(`
      INSERT INTO other_event_tickets (hash, event_id, seq) VALUES (?, ?, ?)
      ON CONFLICT (hash) DO UPDATE SET event_id = excluded.event_id, seq = excluded.seq`),
    remove: db.prepare<[Buffer]>('DELETE FROM other_event_tickets WHERE hash = ?'),
    eventOf: db.prepare<[Buffer], { event_id: string }>(
      'SELECT event_id FROM other_event_tickets WHERE hash = ?',
    ),
    count: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM other_event_tickets'),
    dropBefore: db.prepare<[number]>('DELETE FROM other_event_tickets WHERE seq < ?'),
    clear: db.prepare('DELETE FROM other_event_tickets'),
  };

  return {
    key(): Buffer | null {
      return statements.key.get()?.index_key ?? null;
    },
    setKey(key: Buffer | null): void {
      statements.setKey.run(key);
    },
    put(hash: Buffer, eventId: string, seq: number): void {
      statements.put.run(hash, eventId, seq);
    },
    remove(hash: Buffer): void {
      statements.remove.run(hash);
    },
    eventOf(hash: Buffer): string | null {
      return statements.eventOf.get(hash)?.event_id ?? null;
    },
    count(): number {
      return statements.count.get()?.count ?? 0;
    },
    /** Drops entries no snapshot or log entry since `seq` confirmed. */
    dropBefore(seq: number): void {
      statements.dropBefore.run(seq);
    },
    clear(): void {
      statements.clear.run();
    },
  };
}

export type OtherEventQueries = ReturnType<typeof createOtherEventQueries>;

/**
 * Named queries over the record of what the gate could not apply: a log entry or snapshot item its
 * schema refused or the store could not take. Recorded before the cursor moves past it, kept for
 * whoever investigates, counted in the gate status.
 */
import type Database from 'better-sqlite3';

/** At most this much of a refused item is kept: enough to recognise it, not a copy of a huge frame. */
const ITEM_CHARS = 4_000;

export interface ApplyError {
  /** The relay seq of the entry, when it could be read. */
  seq: number | null;
  /** What it was, for a person: "log entry 9", "snapshot ticket 1", "frame". */
  what: string;
  error: string;
  /** The item as received (JSON text), cut short when long. */
  item: string;
}

export function createApplyErrorQueries(db: Database.Database) {
  const statements = {
    insert: db.prepare<[number | null, string, string, string, string]>(
      'INSERT INTO apply_errors (seq, what, error, item, recorded_at) VALUES (?, ?, ?, ?, ?)',
    ),
    count: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM apply_errors'),
  };
  return {
    record(problem: ApplyError, at: string): void {
      statements.insert.run(problem.seq, problem.what, problem.error, problem.item.slice(0, ITEM_CHARS), at);
    },
    count(): number {
      return statements.count.get()?.count ?? 0;
    },
  };
}

export type ApplyErrorQueries = ReturnType<typeof createApplyErrorQueries>;

/**
 * The tickets table's secondary indexes (lookup by order, holder, customer, email, surname), which a
 * first snapshot into an empty table loads without: keeping six random-order b-trees up to date per
 * row is most of the cost of a bulk insert, while building each one afterwards is one sort. Their
 * definitions are read from a fresh in-memory database migrated by the same migrations, so a future
 * migration that adds or drops one is followed without a second list to keep in step.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export interface IndexDefinition {
  name: string;
  sql: string;
}

const SECONDARY = `SELECT name, sql FROM sqlite_master
  WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL ORDER BY name`;

let definitions: IndexDefinition[] | null = null;

/** As the migrations define them (computed once per process). */
export function ticketIndexDefinitions(options: Database.Options): IndexDefinition[] {
  if (definitions) return definitions;
  const scratch = new Database(':memory:', options);
  try {
    migrate(scratch);
    definitions = scratch.prepare<[], IndexDefinition>(SECONDARY).all();
  } finally {
    scratch.close();
  }
  return definitions;
}

export function presentTicketIndexes(db: Database.Database): Set<string> {
  return new Set(
    db
      .prepare<[], IndexDefinition>(SECONDARY)
      .all()
      .map((row) => row.name),
  );
}

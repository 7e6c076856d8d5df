/** Named queries over the key/value settings and the single-row sync state (the cursor). */
import type Database from 'better-sqlite3';

export function createStateQueries(db: Database.Database) {
  const statements = {
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    allSettings: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
    putSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    deleteSetting: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),
    sync: db.prepare<[], { cursor: number; last_sync_at: string | null }>(
      'SELECT cursor, last_sync_at FROM sync_state WHERE id = 1',
    ),
    setCursor: db.prepare<[number]>('UPDATE sync_state SET cursor = ? WHERE id = 1'),
    setLastSync: db.prepare<[string]>('UPDATE sync_state SET last_sync_at = ? WHERE id = 1'),
  };

  return {
    /** Raw JSON text of every setting; the settings module parses it with its schema. */
    settings(): Map<string, string> {
      return new Map(statements.allSettings.all().map((row) => [row.key, row.value]));
    },
    setting(key: string): string | null {
      return statements.getSetting.get(key)?.value ?? null;
    },
    putSetting(key: string, json: string): void {
      statements.putSetting.run(key, json);
    },
    deleteSetting(key: string): void {
      statements.deleteSetting.run(key);
    },
    cursor(): number {
      return statements.sync.get()?.cursor ?? 0;
    },
    lastSyncAt(): string | null {
      return statements.sync.get()?.last_sync_at ?? null;
    },
    setCursor(cursor: number): void {
      statements.setCursor.run(cursor);
    },
    setLastSync(at: string): void {
      statements.setLastSync.run(at);
    },
  };
}

export type StateQueries = ReturnType<typeof createStateQueries>;

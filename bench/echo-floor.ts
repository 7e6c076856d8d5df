/**
 * The round-trip floor for the scan figures of bench/snapshot.ts, as a process of its own
 * (`node dist/bench/echo-floor.js`): bare node:http that reads the request body and answers at once.
 * Asked by the same client right after each scan, while the same snapshot is being stored, it shows
 * what a round trip costs on this machine at that moment with no gate work in it at all.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"value":{}}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

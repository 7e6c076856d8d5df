/**
 * Worker thread for bench/relay-snapshots.ts: 30 (or more) gates on their own event loop, so taking
 * in 30 big snapshots never delays the bench's webhook posters. Each `round` message connects every
 * gate with cursor 0 at once and answers `done` when all of them have received snapshot-end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../shared/protocol.js';

const port = parentPort;
if (!port) throw new Error('snapshot-gates must run as a worker thread');
const { url, tokens, eventId } = workerData as { url: string; tokens: string[]; eventId: string };

function snapshotOnce(token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/gate`, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
    });
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: [eventId] }),
      ),
    );
    socket.on('message', (data: Buffer) => {
      // Only the frame type is looked at: a gate's own parsing is not what this bench measures.
      const head = data.subarray(0, 32).toString('utf8');
      if (head.startsWith('{"type":"snapshot-end"')) resolve(socket);
      else if (head.startsWith('{"type":"ping"'))
        socket.send(data.toString('utf8').replace('"ping"', '"pong"'));
    });
  });
}

port.on('message', (message: { type: 'round' } | { type: 'stop' }) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  const started = performance.now();
  void Promise.all(tokens.map(snapshotOnce)).then(
    (sockets) => {
      for (const socket of sockets) socket.terminate();
      port.postMessage({ type: 'done', ms: performance.now() - started });
    },
    (error: unknown) => port.postMessage({ type: 'failed', error: String(error) }),
  );
});

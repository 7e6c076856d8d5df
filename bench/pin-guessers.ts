/**
 * The PIN guessers of `bench pin`, as a process of their own (attackers are other clients):
 * `node pin-guessers.js PORT COUNT PIN` guesses wrong PINs from COUNT loopback addresses as fast as
 * the gate answers, prints "guessing" once started, and on "stop" (stdin) prints "guesses N" and exits.
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** One POST /api/<method>; resolves with the milliseconds it took. */
export function call(port: number, method: string, body: unknown, localAddress: string): Promise<number> {
  const text = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/${method}`,
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(performance.now() - started));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

async function guess(port: number, count: number, pin: string): Promise<void> {
  let isGuessing = true;
  let guesses = 0;
  process.stdin.on('data', () => (isGuessing = false));
  const clients = Array.from({ length: count }, async (_, client) => {
    for (let attempt = 0; isGuessing; attempt += 1) {
      const wrong = String(1000 + ((client * 7919 + attempt) % 9000));
      if (wrong === pin) continue;
      await call(port, 'checkPin', { pin: wrong }, `127.0.1.${client + 1}`);
      guesses += 1;
    }
  });
  process.stdout.write('guessing\n');
  await Promise.all(clients);
  process.stdout.write(`guesses ${guesses}\n`);
  process.exit(0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port, count, pin] = process.argv.slice(2);
  void guess(Number(port), Number(count), pin ?? '');
}

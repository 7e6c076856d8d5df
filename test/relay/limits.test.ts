// Resource limits of a real relay process (issue 10): a webhook body shorter than its declared length
// gets 408, a connection that never sends its headers is dropped, and connections are capped per
// client address and overall (`--max-connections`, `--max-connections-per-address`).
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, startRelayProcess, waitFor, type RelayProcess, type TempDir } from './support.js';

let dir: TempDir;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  dir.remove();
});

async function relay(extraArgs: string[] = []): Promise<RelayProcess> {
  const started = await startRelayProcess({ dbPath: dir.file('relay.db'), extraArgs });
  cleanups.push(() => started.stop());
  return started;
}

interface Held {
  socket: Socket;
  isClosed: () => boolean;
  received: () => string;
  closed: Promise<void>;
}

function hold(port: number, localAddress = '127.0.0.1'): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let isClosed = false;
    let received = '';
    const closed = new Promise<void>((done) =>
      socket.on('close', () => {
        isClosed = true;
        done();
      }),
    );
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({ socket, isClosed: () => isClosed, received: () => received, closed }),
    );
    socket.once('error', reject);
    cleanups.push(() => {
      socket.destroy();
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

describe('relay limits', () => {
  it('answers a webhook body shorter than its declared length with 408 and stores nothing', async () => {
    const r = await relay();
    const client = await hold(r.port);
    client.socket.write(
      `POST /webhooks/moshtix HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        'X-Gatehouse-Secret: test-webhook-secret\r\nContent-Length: 100\r\n\r\n{"eventTyp',
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await (await fetch(`${r.url}/healthz`)).json()).toMatchObject({ deliveries: 0 });
  });

  it('drops a connection that never sends its headers', async () => {
    const r = await relay();
    const idle = await hold(r.port);
    await waitFor(() => idle.isClosed(), { message: 'the idle connection dropped', timeoutMs: 30_000 });
  });

  it('caps connections per client address and overall', async () => {
    const r = await relay(['--max-connections', '12', '--max-connections-per-address', '5']);
    const held: Held[] = [];
    for (let index = 0; index < 5; index += 1) held.push(await hold(r.port, '127.0.0.2'));
    await (
      await hold(r.port, '127.0.0.2')
    ).closed;
    expect(held.some((connection) => connection.isClosed())).toBe(false);
    for (const host of ['127.0.0.3', '127.0.0.4'])
      for (let index = 0; held.length < 12 && index < 5; index += 1) held.push(await hold(r.port, host));
    await (
      await hold(r.port, '127.0.0.5')
    ).closed;
    for (const connection of held) connection.socket.destroy();
    await waitFor(() => healthy(r.url), { message: 'the relay serving again' });
  });

  it('refuses a --max-connections below 1', async () => {
    await expect(relay(['--max-connections', '0'])).rejects.toThrow(
      /--max-connections must be an integer ≥ 1/,
    );
  });
});

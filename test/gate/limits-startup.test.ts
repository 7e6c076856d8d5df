/**
 * Resource limits and start-up failures of the headless gate (issue 10): idle and half-sent
 * connections are dropped (408 for a body shorter than its declared length), connections are capped
 * per client address and overall, well below the 1,024-descriptor limit, and a gate that cannot start
 * says why in one line and exits non-zero by itself. Real gate processes, raw sockets.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_MAX_CONNECTIONS, GATE_MAX_CONNECTIONS_PER_ADDRESS } from '../../electron/gate/server/limits.js';
import { makeTempDir, runUntilExit, waitFor } from '../relay/support.js';
import { apiCall } from './raw-http.js';
import { startGateProcess, type GateProcess } from './support.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gate(): Promise<GateProcess> {
  const dir = makeTempDir();
  cleanups.push(() => dir.remove());
  const started = await startGateProcess(['--data', dir.path, '--listen', '127.0.0.1:0', '--name', 'Gate 1']);
  cleanups.push(() => started.stop());
  return started;
}

interface Held {
  socket: Socket;
  isClosed: () => boolean;
  received: () => string;
  closed: Promise<void>;
}

/** Opens a TCP connection (from `localAddress`) and sends nothing unless told: a half-open client. */
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

/** Whether the gate still answers a request from `localAddress`. */
async function answers(port: number, localAddress: string): Promise<boolean> {
  try {
    return (await apiCall(port, 'status', {}, {}, localAddress)).status === 200;
  } catch {
    return false;
  }
}

describe('headless gate limits', () => {
  it('answers a body shorter than its declared length with 408 and closes', async () => {
    const g = await gate();
    const client = await hold(g.port);
    client.socket.write(
      `POST /api/scan HTTP/1.1\r\nHost: 127.0.0.1:${g.port}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100\r\n\r\n{"barcode"',
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect((await g.value('status')).pendingScans).toBe(0);
  });

  it('drops a connection that never sends its headers', async () => {
    const g = await gate();
    const idle = await hold(g.port);
    await waitFor(() => idle.isClosed(), { message: 'the idle connection dropped', timeoutMs: 30_000 });
  });

  it('caps connections per client address and overall, and recovers when they close', async () => {
    expect(GATE_MAX_CONNECTIONS).toBeLessThanOrEqual(256);
    const g = await gate();
    const first: Held[] = [];
    for (let index = 0; index < GATE_MAX_CONNECTIONS_PER_ADDRESS; index += 1)
      first.push(await hold(g.port, '127.0.0.2'));
    const over = await hold(g.port, '127.0.0.2');
    await over.closed;
    expect(first.some((held) => held.isClosed())).toBe(false);
    // Another address is still served while this one is at its cap.
    expect(await answers(g.port, '127.0.0.3')).toBe(true);

    const all = [...first];
    for (let host = 4; all.length < GATE_MAX_CONNECTIONS; host += 1) {
      for (
        let index = 0;
        index < GATE_MAX_CONNECTIONS_PER_ADDRESS && all.length < GATE_MAX_CONNECTIONS;
        index += 1
      )
        all.push(await hold(g.port, `127.0.0.${host}`));
    }
    const beyond = await hold(g.port, '127.0.0.200');
    await beyond.closed;
    expect(await answers(g.port, '127.0.0.201')).toBe(false);

    for (const held of all) held.socket.destroy();
    await waitFor(() => answers(g.port, '127.0.0.2'), { message: 'the gate serving again' });
  });
});

describe('headless gate start-up failures', () => {
  async function busyPort(): Promise<number> {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

  it('on a busy port prints one line naming the cause and exits non-zero by itself', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const port = await busyPort();
    const result = await runUntilExit([
      'gate',
      '--data',
      dir.path,
      '--listen',
      `127.0.0.1:${port}`,
      '--relay',
      'http://127.0.0.1:9',
      '--token',
      'gh_0123456789abcdef',
    ]);
    expect(result.code).not.toBeNull();
    expect(result.code).not.toBe(0);
    const errors = lines(result.stderr).filter((line) => !/other local users can read/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*(in use|EADDRINUSE)`));
  });

  it('on a data folder it cannot create prints one line and exits non-zero by itself', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    writeFileSync(dir.file('plain-file'), 'not a folder');
    const result = await runUntilExit(['gate', '--data', dir.file('plain-file/gate')]);
    expect(result.code).not.toBeNull();
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('plain-file');
  });
});

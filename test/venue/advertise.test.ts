/**
 * `relay serve --advertise` on a LAN the test builds (issue 15, stretch): three network namespaces —
 * a venue box and a gate PC, each with a veth pair into a bridge in a third, the LAN. The venue relay
 * runs in the venue box's namespace; a browser in the gate PC's finds `_gatehouse._tcp` by mDNS and
 * reaches the relay at the announced address and port; a headless gate (`gatehouse gate`) in the gate
 * PC's namespace lists it through `POST /api/findRelays` with the URL to fill in. Needs `ip netns`
 * (root or CAP_SYS_ADMIN); where that fails the tests print why and skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult, MethodOutput } from '../../shared/gate-api.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { startGateProcess } from '../gate/support.js';
import { GATEHOUSE_BIN, makeTempDir, REPO_ROOT, type TempDir } from '../relay/support.js';

const suffix = String(process.pid % 100_000);
const LAN = `gh-lan-${suffix}`;
const VENUE = `gh-venue-${suffix}`;
const GATE = `gh-gate-${suffix}`;
const VENUE_ADDRESS = '10.77.0.1';

function ip(...args: string[]): string | null {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  return result.status === 0
    ? null
    : `ip ${args.join(' ')}: ${result.stderr.trim() || result.error?.message}`;
}

/** Builds the LAN; returns why it could not, or null. */
function buildLan(): string | null {
  const steps: string[][] = [
    ['netns', 'add', LAN],
    ['netns', 'add', VENUE],
    ['netns', 'add', GATE],
    ['-n', LAN, 'link', 'add', 'br0', 'type', 'bridge'],
    ['-n', LAN, 'link', 'set', 'br0', 'up'],
  ];
  for (const [namespace, address, peer] of [
    [VENUE, `${VENUE_ADDRESS}/24`, 'pv'],
    [GATE, '10.77.0.2/24', 'pg'],
  ] as const) {
    steps.push(
      ['-n', namespace, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peer, 'netns', LAN],
      ['-n', LAN, 'link', 'set', peer, 'master', 'br0'],
      ['-n', LAN, 'link', 'set', peer, 'up'],
      ['-n', namespace, 'addr', 'add', address, 'dev', 'eth0'],
      ['-n', namespace, 'link', 'set', 'eth0', 'up'],
      ['-n', namespace, 'link', 'set', 'lo', 'up'],
      // mDNS sends to 224.0.0.251: multicast goes out on the LAN interface.
      ['-n', namespace, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'],
    );
  }
  for (const step of steps) {
    const problem = ip(...step);
    if (problem) return problem;
  }
  return null;
}

function removeLan(): void {
  for (const namespace of [GATE, VENUE, LAN]) ip('netns', 'del', namespace);
}

/** Runs a command inside a namespace. */
function inNamespace(namespace: string, command: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', namespace, ...command], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}

const BROWSE = `
import { Bonjour } from 'bonjour-service';
const bonjour = new Bonjour();
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'nothing found' })); process.exit(1); }, 15000);
bonjour.find({ type: 'gatehouse' }, async (service) => {
  clearTimeout(timer);
  const address = (service.addresses ?? []).find((a) => a.includes('.'));
  let health = null;
  try { health = await (await fetch('http://' + address + ':' + service.port + '/healthz')).json(); } catch (e) { health = String(e); }
  console.log(JSON.stringify({ name: service.name, port: service.port, addresses: service.addresses, txt: service.txt, health }));
  bonjour.destroy(() => process.exit(0));
});
`;

/** Asks a gate's API (reachable only inside its namespace) for found relays until one is listed; then checks its URL answers. */
const FIND_RELAYS = `
const [api] = process.argv.slice(1);
const deadline = Date.now() + 15000;
for (;;) {
  const answer = await (await fetch(api + '/api/findRelays', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
  const relays = answer.ok ? answer.value.relays : [];
  if (relays.length > 0 || Date.now() > deadline) {
    let health = null;
    try { health = await (await fetch(relays[0].url + '/healthz')).json(); } catch (e) { health = String(e); }
    console.log(JSON.stringify({ answer, health }));
    process.exit(relays.length > 0 ? 0 : 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
`;

function outputOf(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

let problem: string | null = null;
let dir: TempDir | null = null;
let venue: ChildProcess | null = null;
let venuePort = 0;

beforeAll(async () => {
  problem = buildLan();
  if (problem) return;
  dir = makeTempDir();
  const child = inNamespace(
    VENUE,
    [
      process.execPath,
      GATEHOUSE_BIN,
      'relay',
      'serve',
      '--db',
      dir.file('venue.db'),
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--log-level',
      'warn',
      '--advertise',
      '--advertise-name',
      'Corner Hotel venue relay',
      // The internet is out of reach from this LAN: the venue relay serves all the same.
      '--upstream',
      'http://10.77.0.99:8080',
    ],
    { GATEHOUSE_UPSTREAM_TOKEN: 'gh_unused' },
  );
  venue = child;
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on http:\/\/\S+:(\d+)/.exec(output);
      if (!listening) return;
      venuePort = Number(listening[1]);
      resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`venue relay exited ${code}: ${output}`)));
  });
}, 30_000);

afterAll(async () => {
  if (venue && venue.exitCode === null) {
    const exited = new Promise((resolve) => venue?.once('exit', resolve));
    venue.kill('SIGTERM');
    await exited;
  }
  removeLan();
  dir?.remove();
});

describe('relay serve --advertise', () => {
  it('is found by mDNS from another host on the LAN and reached at the announced address', async (context) => {
    if (problem) {
      console.log(`skipped: cannot build network namespaces here (${problem})`);
      context.skip(problem);
    }
    const browser = inNamespace(GATE, [process.execPath, '--input-type=module', '-e', BROWSE]);
    let output = '';
    browser.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    browser.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => browser.once('exit', resolve));
    expect(code, output).toBe(0);
    const found = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
      name: string;
      addresses: string[];
      txt: Record<string, string>;
      health: { status: string; upstream: { state: string } };
    };
    expect(found.name).toBe('Corner Hotel venue relay');
    expect(found.addresses).toContain(VENUE_ADDRESS);
    expect(found.txt).toMatchObject({ role: 'venue', protocol: expect.stringMatching(/^\d+$/) });
    expect(found.health.status).toBe('ok');
    expect(found.health.upstream.state).not.toBe('online');
  }, 30_000);

  it('a headless gate on another host lists it by POST /api/findRelays, venue role and a URL that answers; stopped, the gate exits on its own', async (context) => {
    const data = dir?.file('gate');
    if (problem || data === undefined) {
      console.log(`skipped: cannot build network namespaces here (${problem})`);
      return context.skip(problem ?? 'no LAN');
    }
    const gate = await startGateProcess(['--data', data, '--listen', '127.0.0.1:0'], {
      prefix: ['ip', 'netns', 'exec', GATE],
    });
    try {
      const { code, output } = await outputOf(
        inNamespace(GATE, [process.execPath, '--input-type=module', '-e', FIND_RELAYS, gate.url]),
      );
      expect(code, output).toBe(0);
      const found = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
        answer: ApiResult<MethodOutput<'findRelays'>>;
        health: { status: string };
      };
      expect(found.answer).toEqual({
        ok: true,
        value: {
          relays: [
            {
              name: 'Corner Hotel venue relay',
              url: `http://${VENUE_ADDRESS}:${venuePort}`,
              role: 'venue',
              protocol: PROTOCOL_VERSION,
            },
          ],
        },
      });
      expect(found.health.status).toBe('ok');
    } finally {
      // engine.stop closes the mDNS socket: the gate process ends without anything left open.
      const exited = await Promise.race([
        gate.stop(),
        new Promise((resolve) =>
          setTimeout(() => resolve('still running 10 s after SIGTERM'), 10_000).unref(),
        ),
      ]);
      if (exited !== 0) await gate.kill();
      expect(exited, gate.output().stderr).toBe(0);
    }
  }, 40_000);
});

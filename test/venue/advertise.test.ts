/**
 * `relay serve --advertise` on a LAN the test builds (issue 15, stretch): three network namespaces —
 * a venue box and a gate PC, each with a veth pair into a bridge in a third, the LAN. The venue relay
 * runs in the venue box's namespace; a browser in the gate PC's finds `_gatehouse._tcp` by mDNS and
 * reaches the relay at the announced address and port. Needs `ip netns` (root or CAP_SYS_ADMIN);
 * where that fails the test prints why and skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let problem: string | null = null;
let dir: TempDir | null = null;
let venue: ChildProcess | null = null;

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
      if (/listening on/.test(output)) resolve();
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
});

// deploy/ cannot run here (no systemd, no Docker, no Caddy), so this keeps it in step with the relay:
// the unit's and the compose replicas' command lines parse with the real `relay serve` flags, the
// unit's command line starts a real relay that reads its secret from the example environment file,
// and the Caddyfile proxies exactly the relay's public routes to the compose replicas.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCommandLine } from '../../shared/cli.js';
import { serve } from '../../relay/cli/serve.js';
import {
  addGateToken,
  GateTestClient,
  getJson,
  makeTempDir,
  postDelivery,
  REPO_ROOT,
  seedDelivery,
  type TempDir,
} from './support.js';

const DEPLOY = join(REPO_ROOT, 'deploy');
const read = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');
/** Flags that would put a secret on the command line (visible in ps and in the journal). */
const SECRET_FLAGS = ['webhook-secret'];

/** systemd unit: section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section?.[1]) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const [key, ...value] = line.split('=');
    if (!current || key === undefined) throw new Error(`unit line outside a section: ${line}`);
    current.set(key.trim(), [...(current.get(key.trim()) ?? []), value.join('=').trim()]);
  }
  return sections;
}

/** Environment file lines KEY=VALUE (comments and blanks skipped). */
function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

interface CaddyNode {
  words: string[];
  children: CaddyNode[];
}

/** The Caddyfile's block structure: each line's words, with the lines of its `{ … }` block. */
function parseCaddyfile(text: string): CaddyNode[] {
  const root: CaddyNode = { words: [], children: [] };
  const stack = [root];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    if (line === '}') {
      stack.pop();
      if (stack.length === 0) throw new Error('unbalanced } in the Caddyfile');
      continue;
    }
    const opens = line.endsWith('{');
    const node = { words: (opens ? line.slice(0, -1) : line).trim().split(/\s+/), children: [] };
    stack[stack.length - 1]?.children.push(node);
    if (opens) stack.push(node);
  }
  if (stack.length !== 1) throw new Error('unclosed { in the Caddyfile');
  return root.children;
}

function findAll(nodes: readonly CaddyNode[], first: string): CaddyNode[] {
  return nodes.flatMap((node) => [
    ...(node.words[0] === first ? [node] : []),
    ...findAll(node.children, first),
  ]);
}

/** The arguments after `…/gatehouse relay serve`, parsed with the command's own flag table. */
function serveArgs(argv: readonly string[]): Record<string, unknown> {
  const at = argv.findIndex((word) => word.endsWith('bin/gatehouse'));
  expect(at, `${argv.join(' ')} runs bin/gatehouse`).toBeGreaterThanOrEqual(0);
  expect(argv.slice(at + 1, at + 3)).toEqual(['relay', 'serve']);
  const parsed = parseCommandLine(serve.spec, argv.slice(at + 3));
  if (parsed.kind !== 'ok')
    throw new Error(`relay serve refuses ${argv.join(' ')}: ${JSON.stringify(parsed)}`);
  for (const flag of serve.spec.flags.filter((spec) => spec.isRequired))
    expect(parsed.args.flags[flag.name], `--${flag.name} is required`).toBeDefined();
  for (const flag of SECRET_FLAGS)
    expect(parsed.args.flags[flag], `--${flag} on a command line`).toBeUndefined();
  return parsed.args.flags;
}

const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string(),
      command: z.array(z.string()).optional(),
      env_file: z.string().optional(),
      environment: z.record(z.string(), z.string()).optional(),
      volumes: z.array(z.string()).optional(),
      stop_signal: z.string().optional(),
    }),
  ),
});

let dir: TempDir | undefined;
let child: ChildProcess | undefined;
let gate: GateTestClient | undefined;

afterEach(async () => {
  await gate?.close();
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  dir?.remove();
});

/** Runs `argv` (node …/bin/gatehouse relay serve …) and resolves with its URL once it listens. */
function runRelay(argv: readonly string[], env: Record<string, string>): Promise<string> {
  const [, ...args] = argv;
  const started = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  child = started;
  let output = '';
  return new Promise((resolve, reject) => {
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    started.once('exit', (code) => reject(new Error(`relay exited ${code}: ${output}`)));
  });
}

describe('deploy/', () => {
  const unit = parseUnit(read('gatehouse-relay.service'));
  const service = unit.get('Service');
  const compose = composeSchema.parse(parseYaml(read('compose.yaml')));
  const caddy = parseCaddyfile(read('Caddyfile'));
  const env = parseEnvFile(read('relay.env.example'));

  it('systemd unit: relay serve with real flags, secret from its environment file, SIGTERM to stop', () => {
    expect(service).toBeDefined();
    const execStart = service?.get('ExecStart') ?? [];
    expect(execStart).toHaveLength(1);
    const flags = serveArgs((execStart[0] ?? '').split(/\s+/));
    expect(flags.db).toMatch(/^\/var\/lib\/gatehouse\//);
    expect(service?.get('StateDirectory')).toEqual(['gatehouse']);
    expect(service?.get('EnvironmentFile')).toEqual(['/etc/gatehouse/relay.env']);
    expect(service?.get('KillSignal')).toEqual(['SIGTERM']);
    expect(service?.get('Restart')).toEqual(['always']);
    expect(service?.get('User')).toEqual(['gatehouse']);
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['GATEHOUSE_WEBHOOK_SECRET', 'PGPASSWORD']));
  });

  it("the unit's command line starts a relay that takes its secret from the environment file and serves the proxied routes", async () => {
    dir = makeTempDir();
    const dbPath = dir.file('relay.db');
    const argv = (service?.get('ExecStart')?.[0] ?? '').split(/\s+/).map((word, index, words) => {
      if (words[index - 1] === '--db') return dbPath;
      if (words[index - 1] === '--port') return '0';
      if (word.endsWith('bin/gatehouse')) return join(REPO_ROOT, 'bin', 'gatehouse');
      return word;
    });
    const url = await runRelay(argv, env);
    const secret = env.GATEHOUSE_WEBHOOK_SECRET ?? '';
    expect((await postDelivery(url, seedDelivery(), { secret })).status).toBe(200);
    expect((await postDelivery(url, seedDelivery(), { secret: 'wrong' })).status).toBe(401);
    const proxied = findAll(caddy, '@relay')[0]?.words.slice(2) ?? [];
    expect(proxied).toEqual(['/webhooks/moshtix', '/gate', '/healthz']);
    expect(await getJson(`${url}/healthz`)).toMatchObject({ status: 'ok', deliveries: 1 });
    gate = await GateTestClient.connect(url, await addGateToken(dbPath, 'Deploy gate'), {
      events: ['132218'],
    });
    await gate.waitWelcomed();
  });

  it('compose: PostgreSQL, two relay replicas with real flags (no password on the command line), Caddy', () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['caddy', 'postgres', 'relay-1', 'relay-2']);
    expect(services.postgres?.image).toMatch(/^postgres:/);
    for (const name of ['relay-1', 'relay-2']) {
      const relay = services[name];
      const flags = serveArgs(relay?.command ?? []);
      const db = new URL(String(flags.db));
      expect(db.protocol).toBe('postgres:');
      expect(db.hostname).toBe('postgres');
      expect(db.password).toBe('');
      expect(flags.host).toBe('0.0.0.0');
      expect(flags.port).toBe(8080);
      expect(relay?.env_file).toBe('.env');
      expect(relay?.stop_signal).toBe('SIGTERM');
    }
    expect(services.caddy?.volumes).toContain('./Caddyfile:/etc/caddy/Caddyfile:ro');
  });

  it('Caddyfile: TLS site proxying the relay routes to every compose replica, health-checked', () => {
    const sites = caddy.filter((node) => node.words[0] !== '' && node.children.length > 0);
    expect(sites).toHaveLength(1);
    // A site name (not :80 or http://): Caddy gets and renews its certificate.
    expect(sites[0]?.words[0]).not.toMatch(/^(:|http:)/);
    const proxies = findAll(caddy, 'reverse_proxy');
    expect(proxies).toHaveLength(1);
    const upstreams = proxies[0]?.words.slice(1) ?? [];
    const replicas = Object.entries(compose.services)
      .filter(([, spec]) => spec.command?.includes('serve'))
      .map(([name, spec]) => `${name}:${String(serveArgs(spec.command ?? []).port)}`);
    expect(upstreams.sort()).toEqual(replicas.sort());
    const healthUri = findAll(proxies, 'health_uri')[0]?.words[1];
    expect(healthUri).toBe('/healthz');
    expect(findAll(caddy, 'max_size')[0]?.words[1]).toBe('1MB');
  });
});

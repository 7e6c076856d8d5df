/**
 * Fuzzes a real headless gate's HTTP API: for a method of the contract, an input generated from its
 * zod schema (z.toJSONSchema) and mutated, sent as `POST /api/<method>` — mostly as the UI sends it,
 * sometimes with another content type, origin, host, method or path. Any 5xx, a request left
 * unanswered, or a dead process is a finding.
 *
 * Inputs that would reach hardware or the network are defused before sending: settings changes lose
 * `turnstile` (serial ports, HTTP relays), `relayUrl` and `pin`. Everything else goes through.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { GATE_API, GATE_METHODS } from '../../shared/gate-api.js';
import type { Random } from '../../sim/random.js';
import { fuzzedJson, generate, mutateText, mutateValue, type Json, type JsonSchema } from '../generate.js';
import { startService, type Service } from '../processes.js';
import { within, type CaseInput, type FuzzTarget, type TargetSession } from '../run.js';

const SCHEMAS = Object.fromEntries(
  GATE_METHODS.map((method) => [
    method,
    z.toJSONSchema(GATE_API[method].input, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
  ]),
);
const POOL = ['132218', 'E1', 'GATE-BARCODE-1', 'Gate 1', 'VIP', 'ab', 'xyz'];
const DEADLINE_MS = 15_000;

function defuse(value: Json): Json {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const changes = value.changes;
    if (changes !== null && typeof changes === 'object' && !Array.isArray(changes)) {
      delete changes.turnstile;
      delete changes.relayUrl;
      delete changes.pin;
    }
  }
  return value;
}

function body(method: string, random: Random): string {
  const schema = SCHEMAS[method] ?? {};
  let value = generate(schema, random, { pool: POOL });
  if (random.chance(0.6)) value = mutateValue(value, random);
  const text = JSON.stringify(defuse(value)) ?? 'null';
  return random.chance(0.15) ? mutateText(text, random) : text;
}

export function generateGateApiCase(random: Random, port: number): CaseInput {
  const method = random.chance(0.03)
    ? random.pick(['', 'constructor', '__proto__', '../status', 'scan/x'])
    : random.pick(GATE_METHODS);
  const host = `127.0.0.1:${port}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', host };
  if (random.chance(0.1))
    headers['content-type'] = random.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ]);
  if (random.chance(0.1))
    headers.origin = random.pick([`http://${host}`, 'http://evil.example', 'null', `https://${host}`]);
  if (random.chance(0.05))
    headers.host = random.pick(['evil.example', `localhost:${port}`, '[::1]', '', 'a'.repeat(300)]);
  if (random.chance(0.05)) headers['x-gatehouse-pin'] = random.pick(['1234', '', 'x'.repeat(100)]);
  const httpMethod = random.chance(0.03) ? random.pick(['GET', 'PUT', 'DELETE', 'OPTIONS']) : 'POST';
  const text = random.chance(0.05) && method in SCHEMAS ? fuzzedJson({}, random) : body(method, random);
  return {
    kind: 'http',
    method: httpMethod,
    path: `/api/${method}`,
    headers,
    body: text,
    ...stall(random, text),
  };
}

/** Now and then a request whose body stops short of its declared length (the server must time it out). */
export function stall(random: Random, body: string): { declaredLength?: number } {
  return random.chance(0.002) ? { declaredLength: Buffer.byteLength(body) + random.int(1, 100) } : {};
}

/** Sends one raw request; the answer's status, or a problem. */
export function send(port: number, input: Extract<CaseInput, { kind: 'http' }>): Promise<number | string> {
  return new Promise((resolve) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: input.method,
        path: input.path,
        agent: false,
        headers:
          input.declaredLength === undefined
            ? input.headers
            : { ...input.headers, 'content-length': String(input.declaredLength) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', (error) => resolve(`reset: ${error.message}`));
      },
    );
    outgoing.on('error', (error) => resolve(`reset: ${error.message}`));
    outgoing.end(input.body);
  });
}

export function gateApiTarget(): FuzzTarget {
  return {
    name: 'gate-api',
    concurrency: 4,
    async start(): Promise<TargetSession> {
      const folder = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-gate-api-'));
      const launch = () =>
        startService([
          'gate',
          '--data',
          join(folder, 'gate'),
          '--listen',
          '127.0.0.1:0',
          '--name',
          'Fuzz',
          '--event',
          '132218',
          '--log-level',
          'error',
        ]);
      let gate: Service = await launch();
      return {
        generate: (random) => generateGateApiCase(random, gate.port),
        async run(input) {
          if (input.kind !== 'http') return null;
          // Saved cases name the port of their day: send them to today's.
          const headers = { ...input.headers };
          if (headers.host?.startsWith('127.0.0.1:')) headers.host = `127.0.0.1:${gate.port}`;
          const answer = await within(
            DEADLINE_MS,
            `POST ${input.path}`,
            send(gate.port, { ...input, headers }),
          );
          if (!gate.isAlive())
            return `crash: the gate ${gate.exit() ?? 'died'}: ${gate.stderr().slice(-500)}`;
          if (typeof answer === 'string') return answer.startsWith('hang') ? answer : null;
          return answer >= 500 ? `5xx: HTTP ${answer} for ${input.method} ${input.path}` : null;
        },
        async health() {
          if (!gate.isAlive()) return `the gate ${gate.exit() ?? 'died'}`;
          const answer = await within(
            DEADLINE_MS,
            'status',
            send(gate.port, {
              kind: 'http',
              method: 'POST',
              path: '/api/status',
              headers: { 'content-type': 'application/json', host: `127.0.0.1:${gate.port}` },
              body: '{}',
            }),
          );
          return answer === 200 ? null : `status answered ${String(answer)}`;
        },
        async restart() {
          await gate.stop();
          gate = await launch();
        },
        async stop() {
          await gate.stop();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * Inputs for the fuzzers: values generated from a JSON Schema (the contract's zod schemas through
 * `z.toJSONSchema`), then mutated — nodes replaced by hostile values, keys dropped or added
 * (`__proto__` among them), arrays blown up — and finally the JSON text itself truncated, spliced or
 * sprinkled with bytes. Everything draws from a seeded Random, so a case is reproducible from its
 * seed and index. Strings come partly from a small pool, so generated frames keep naming the same
 * events, barcodes and ids and exercise state, not only parsing.
 */
import type { Random } from '../sim/random.js';

export type JsonSchema = { [key: string]: unknown };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '\u0000',
  '\ud800',
  '\u202e',
  '../../etc/passwd',
  '%00',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${7*7}',
  '\r\nX-Injected: 1',
  '🎫🎟️',
];
const HOSTILE_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -2147483649,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e308,
  -1e308,
  5e-324,
];

export interface GenerateOptions {
  /** Strings to reuse (ids, barcodes, gate names) so generated inputs refer to each other. */
  pool?: readonly string[];
  /** How often a string is taken from the pool. */
  poolChance?: number;
}

function uuid(random: Random): string {
  const hex = random.hex(32).toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function randomText(random: Random, min: number, max: number): string {
  const length = random.int(min, Math.max(min, Math.min(max, min + 24)));
  const alphabet = random.chance(0.7) ? 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789' : 'abc XYZ-_.:/ é€😀\\"\'';
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[random.int(0, alphabet.length - 1)];
  return text;
}

function stringFor(schema: JsonSchema, random: Random, options: GenerateOptions): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 40;
  if (schema.format === 'uuid')
    return options.pool && random.chance(0.5) ? pickUuid(random, options) : uuid(random);
  if (schema.format === 'date-time' || random.chance(0.05))
    return new Date(random.int(0, 2 ** 41)).toISOString();
  if (schema.pattern === '^\\d{4,12}$') return String(random.int(1000, 999_999));
  if (options.pool && options.pool.length > 0 && random.chance(options.poolChance ?? 0.4)) {
    const pooled = random.pick(options.pool);
    if (pooled.length >= min && pooled.length <= max) return pooled;
  }
  return randomText(random, min, max);
}

function pickUuid(random: Random, options: GenerateOptions): string {
  const ids = (options.pool ?? []).filter((value) => /^[0-9a-f-]{36}$/.test(value));
  return ids.length > 0 ? random.pick(ids) : uuid(random);
}

function numberFor(schema: JsonSchema, random: Random, isInteger: boolean): number {
  const low =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + 1
        : -1000;
  const high = typeof schema.maximum === 'number' ? schema.maximum : 100_000;
  const bounded = [Math.max(low, -1e9), Math.min(high, 1e9)] as const;
  if (random.chance(0.1)) return Math.min(high, Math.max(low, random.pick(HOSTILE_NUMBERS)));
  const value = bounded[0] + random.next() * (bounded[1] - bounded[0]);
  return isInteger ? Math.round(Math.min(bounded[1], Math.max(bounded[0], value))) : value;
}

/** A value that satisfies `schema` as far as this generator understands it (it is then mutated anyway). */
export function generate(schema: JsonSchema, random: Random, options: GenerateOptions = {}, depth = 0): Json {
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(choices) && choices.length > 0)
    return generate(random.pick(choices), random, options, depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return generate(schema.allOf[0] as JsonSchema, random, options, depth + 1);
  if ('const' in schema) return schema.const as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return random.pick(schema.enum as Json[]);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const type = random.pick(types);
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const value: { [key: string]: Json } = {};
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key) || random.chance(0.6))
          value[key] = generate(property, random, options, depth + 1);
      }
      const extra = schema.additionalProperties;
      if (typeof extra === 'object' && extra !== null && depth < 6) {
        for (let count = random.int(0, 2); count > 0; count -= 1)
          value[randomText(random, 1, 12)] = generate(extra as JsonSchema, random, options, depth + 1);
      }
      return value;
    }
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 6, depth > 4 ? 1 : 6);
      return Array.from({ length: random.int(min, Math.max(min, max)) }, () =>
        generate(items, random, options, depth + 1),
      );
    }
    case 'string':
      return stringFor(schema, random, options);
    case 'integer':
      return numberFor(schema, random, true);
    case 'number':
      return numberFor(schema, random, false);
    case 'boolean':
      return random.chance(0.5);
    case 'null':
      return null;
    default:
      // No type (zod's `unknown`): anything small.
      return hostileValue(random, depth);
  }
}

function hostileValue(random: Random, depth: number): Json {
  switch (random.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick(HOSTILE_NUMBERS);
    case 3:
      return 'x'.repeat(random.pick([256, 1025, 70_000]));
    case 4:
      return {};
    case 5:
      return [];
    case 6: {
      // Deep nesting: a parser or schema walk that recurses must not overflow.
      let nested: Json = 1;
      for (let level = random.int(10, depth > 2 ? 50 : 2_000); level > 0; level -= 1) nested = [nested];
      return nested;
    }
    case 7:
      // Own `__proto__` and `constructor` keys, as JSON.parse makes them (an object literal would not).
      return JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":1}}') as Json;
    default:
      return random.pick(HOSTILE_STRINGS);
  }
}

interface Slot {
  get(): Json;
  set(value: Json): void;
  remove(): void;
}

const MAX_SLOTS = 2_000;

/** A rough size of a value (nodes, plus a node per 100 characters), counted up to 1,000. */
function weightOf(value: Json): number {
  let weight = 0;
  const stack: Json[] = [value];
  while (stack.length > 0 && weight < 1_000) {
    const next = stack.pop() ?? null;
    weight += 1 + (typeof next === 'string' ? next.length / 100 : 0);
    if (next !== null && typeof next === 'object')
      stack.push(...(Array.isArray(next) ? next : Object.values(next)));
  }
  return weight;
}

/** The nodes of the tree (the first MAX_SLOTS), as a way to read, replace or remove each in place. */
function slotsOf(root: { value: Json }): Slot[] {
  const slots: Slot[] = [];
  const visit = (get: () => Json, set: (value: Json) => void, remove: () => void, depth: number) => {
    // Blown-up arrays hold one node many times: stop early rather than walk it again and again.
    if (slots.length >= MAX_SLOTS) return;
    slots.push({ get, set, remove });
    const value = get();
    if (depth > 12 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((_, index) =>
        visit(
          () => value[index] ?? null,
          (next) => (value[index] = next),
          () => value.splice(index, 1),
          depth + 1,
        ),
      );
      return;
    }
    for (const key of Object.keys(value)) {
      visit(
        () => value[key] ?? null,
        (next) => (value[key] = next),
        () => delete value[key],
        depth + 1,
      );
    }
  };
  visit(
    () => root.value,
    (next) => (root.value = next),
    () => (root.value = null),
    0,
  );
  return slots;
}

/**
 * One to three structural changes to `value`, in place (callers generate a fresh value per case;
 * no copy, since a 2,000-deep nesting would overflow a recursive clone).
 */
export function mutateValue(value: Json, random: Random): Json {
  const root = { value };
  let hasBlownUp = false;
  for (let count = random.int(1, 3); count > 0; count -= 1) {
    const slots = slotsOf(root);
    const slot = random.pick(slots);
    const current = slot.get();
    switch (random.int(0, 6)) {
      case 0:
      case 1:
        slot.set(hostileValue(random, 0));
        break;
      case 2:
        slot.remove();
        break;
      case 3:
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
          const key = random.pick([
            '__proto__',
            'constructor',
            'extra',
            'toString',
            randomText(random, 1, 8),
          ]);
          Object.defineProperty(current, key, {
            value: hostileValue(random, 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else slot.set(hostileValue(random, 0));
        break;
      case 4:
        // Blow one array up, once per value and only with a small item, so the text stays bounded.
        if (
          Array.isArray(current) &&
          current.length > 0 &&
          !hasBlownUp &&
          weightOf(current[0] ?? null) < 50
        ) {
          hasBlownUp = true;
          for (let copies = random.int(1, 300); copies > 0; copies -= 1) current.push(current[0] ?? null);
        } else slot.set([current, current]);
        break;
      case 5:
        // The right shape with the wrong type: a number as a string, a string as a number, and so on.
        slot.set(
          typeof current === 'string'
            ? Number(current) || 0
            : typeof current === 'number'
              ? String(current)
              : JSON.stringify(current),
        );
        break;
      default:
        slot.set(random.pick(HOSTILE_STRINGS));
    }
  }
  return root.value;
}

/** Damages JSON text: truncation, a stray byte, a duplicated slice, a BOM, trailing garbage. */
export function mutateText(text: string, random: Random): string {
  const at = random.int(0, text.length);
  switch (random.int(0, 6)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return `${text.slice(0, at)}${random.pick(['"', '{', ']', ',', '\\', '\u0000', 'NaN', '-', '1e999'])}${text.slice(at)}`;
    case 2:
      return `${text.slice(0, at)}${text.slice(random.int(0, at))}`;
    case 3:
      return `\ufeff${text}`;
    case 4:
      return `${text}${random.pick([' ', '\n', 'x', '}', '{}', '\u0000'])}`;
    case 5:
      return text.replace(/"([^"]*)"/, '"$1\\ud83d"');
    default:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + random.int(1, 20)));
  }
}

/** A generated value, then (most of the time) mutated, as the text to send. */
export function fuzzedJson(schema: JsonSchema, random: Random, options: GenerateOptions = {}): string {
  let value = generate(schema, random, options);
  if (random.chance(0.7)) value = mutateValue(value, random);
  const text = JSON.stringify(value) ?? 'null';
  return random.chance(0.15) ? mutateText(text, random) : text;
}

export { uuid as randomUuid };

/**
 * The door-rule flags of `gatehouse gate` (date window, day start, capacity, attention flags):
 * their help entries, their checks (a wrong value exits 2 with a line naming the problem) and the
 * settings they set. Kept apart from cli.ts so the rules' flags live with the rules' words.
 */
import type { AttentionRule, DateWindow, EditableSettings } from '../../shared/gate-api.js';
import type { FlagSpec } from '../../shared/cli.js';
import { parseClock } from './door-time.js';

export const DOOR_FLAGS: readonly FlagSpec[] = [
  {
    name: 'date-window',
    type: 'string',
    value: 'BEFORE:AFTER|off',
    description:
      'Tickets admitted from BEFORE hours before the event starts to AFTER hours after it ends (default 12:6)',
  },
  {
    name: 'day-starts',
    type: 'string',
    value: 'HH:MM',
    description: 'When the day starts, gate-local (default 06:00): multi-day tickets enter once per day',
  },
  {
    name: 'capacity',
    type: 'string',
    value: 'N|off',
    description: 'Entry is denied while N people are inside (every gate’s admissions minus exits)',
  },
  {
    name: 'attention',
    type: 'string',
    value: 'MATCH=TEXT',
    description: 'Admit with TEXT on an amber CHECK screen when the ticket type or a tag contains MATCH',
    isRepeatable: true,
  },
];

const MAX_HOURS = 720;

/** `12:6` → {12, 6}; `off` → null; anything else → a sentence naming the problem. */
export function parseDateWindow(text: string): DateWindow | null | string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'off') return null;
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(trimmed);
  const beforeHours = Number(match?.[1]);
  const afterHours = Number(match?.[2]);
  if (!match || beforeHours > MAX_HOURS || afterHours > MAX_HOURS) {
    return `--date-window must be BEFORE:AFTER in hours (0 to ${MAX_HOURS}, e.g. 12:6) or off, got "${text}"`;
  }
  return { beforeHours, afterHours };
}

/** `18+=Check ID` → {match, text}; the first `=` separates them. */
export function parseAttention(text: string): AttentionRule | string {
  const at = text.indexOf('=');
  const match = at < 0 ? '' : text.slice(0, at).trim();
  const words = at < 0 ? '' : text.slice(at + 1).trim();
  if (match === '' || words === '')
    return `--attention must be MATCH=TEXT, e.g. "18+=Check ID", got "${text}"`;
  if (match.length > 100 || words.length > 200)
    return `--attention: MATCH is at most 100 characters and TEXT at most 200, got "${text}"`;
  return { match, text: words };
}

/** A positive whole number, or `off` (null). */
export function parseCapacity(text: string): number | null | string {
  if (text.trim().toLowerCase() === 'off') return null;
  const value = Number(text.trim());
  return /^\d+$/.test(text.trim()) && value > 0 && Number.isSafeInteger(value)
    ? value
    : `--capacity must be a whole number of people above 0, or off, got "${text}"`;
}

type Flags = Record<string, unknown>;

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** The first problem with the door-rule flags, or null. */
export function doorFlagProblem(flags: Flags): string | null {
  if (typeof flags['date-window'] === 'string') {
    const window = parseDateWindow(flags['date-window']);
    if (typeof window === 'string') return window;
  }
  if (typeof flags['day-starts'] === 'string' && parseClock(flags['day-starts'].trim()) === null) {
    return `--day-starts must be HH:MM (00:00 to 23:59), got "${flags['day-starts']}"`;
  }
  if (typeof flags.capacity === 'string') {
    const capacity = parseCapacity(flags.capacity);
    if (typeof capacity === 'string') return capacity;
  }
  for (const rule of listOf(flags.attention).map(parseAttention)) if (typeof rule === 'string') return rule;
  return null;
}

/** The settings the door-rule flags set (call doorFlagProblem first). */
export function doorSettingsFromFlags(flags: Flags): Partial<EditableSettings> {
  const changes: Partial<EditableSettings> = {};
  if (typeof flags['date-window'] === 'string') {
    const window = parseDateWindow(flags['date-window']);
    if (typeof window !== 'string') changes.dateWindow = window;
  }
  if (typeof flags['day-starts'] === 'string') changes.dayStarts = flags['day-starts'].trim();
  if (typeof flags.capacity === 'string') {
    const capacity = parseCapacity(flags.capacity);
    if (typeof capacity !== 'string') changes.capacity = capacity;
  }
  if (flags.attention !== undefined) {
    changes.attention = listOf(flags.attention).flatMap((text) => {
      const rule = parseAttention(text);
      return typeof rule === 'string' ? [] : [rule];
    });
  }
  return changes;
}

/**
 * Turnstile settings shared by the engine and the UI. The drivers themselves live in
 * electron/gate (Node only); this file holds only their configuration and reported state.
 */
import { z } from 'zod';

export const driverStateSchema = z.enum(['ready', 'busy', 'disconnected', 'error']);
export type DriverState = z.infer<typeof driverStateSchema>;

export const turnstileStatusSchema = z.object({
  state: driverStateSchema,
  /** The driver in use, e.g. `none`, `lcus`, `shelly2`. */
  driver: z.string(),
  message: z.string().nullable(),
});
export type TurnstileStatus = z.infer<typeof turnstileStatusSchema>;

export const turnstileResultSchema = z.object({
  opened: z.boolean(),
  passed: z.boolean().optional(),
  error: z.string().optional(),
});
export type TurnstileResult = z.infer<typeof turnstileResultSchema>;

export const turnstileSettingsSchema = z.object({
  /** Driver spec in the CLI's `--turnstile SPEC` form, e.g. `lcus:/dev/ttyUSB0:1` or `none`. */
  spec: z.string().min(1).max(500),
  /** Spec for the exit direction when it differs from entry; null = the same device. */
  exitSpec: z.string().min(1).max(500).nullable(),
  pulseMs: z.number().int().min(50).max(30_000),
  /** Annul an admission when no passage signal arrives within this window; null = no feedback. */
  passageTimeoutMs: z.number().int().min(500).max(120_000).nullable(),
});
export type TurnstileSettings = z.infer<typeof turnstileSettingsSchema>;

export const DEFAULT_TURNSTILE_SETTINGS: TurnstileSettings = {
  spec: 'none',
  exitSpec: null,
  pulseMs: 500,
  passageTimeoutMs: null,
};

/** A parsed `--turnstile SPEC`. */
export type TurnstileSpec =
  | { driver: 'none' }
  | { driver: 'lcus'; path: string; channel: number }
  | { driver: 'numato'; path: string; relay: number }
  | { driver: 'serial'; path: string; baud: number; onHex: string; offHex: string }
  | { driver: 'shelly1'; url: string }
  | { driver: 'shelly2'; url: string; switchId: number }
  | { driver: 'http'; url: string };

export const TURNSTILE_SPEC_FORMS = [
  'none',
  'lcus:PATH[:CHANNEL]',
  'numato:PATH[:RELAY]',
  'serial:PATH:BAUD:ONHEX:OFFHEX',
  'shelly1:URL',
  'shelly2:URL[:SWITCH_ID]',
  'http:URL',
] as const;

const HEX = /^([0-9a-fA-F]{2})+$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

function wholeNumber(text: string | undefined, what: string, min: number, max: number): number | string {
  if (text === undefined || text === '') return min;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) return `${what} must be a whole number from ${min} to ${max}, got "${text}"`;
  return value;
}

/** Parses a turnstile SPEC; an error names what is wrong and lists the accepted forms. */
export function parseTurnstileSpec(spec: string): { ok: true; spec: TurnstileSpec } | { ok: false; error: string } {
  const fail = (problem: string) => ({
    ok: false as const,
    error: `turnstile spec "${spec}": ${problem} (forms: ${TURNSTILE_SPEC_FORMS.join(', ')})`,
  });
  const colon = spec.indexOf(':');
  const driver = colon === -1 ? spec : spec.slice(0, colon);
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  switch (driver) {
    case 'none':
      return rest === '' ? { ok: true, spec: { driver } } : fail('none takes no arguments');
    case 'lcus':
    case 'numato': {
      const [path, number, ...extra] = rest.split(':');
      if (!path) return fail(`${driver} needs a serial port path`);
      if (extra.length) return fail(`too many parts after ${driver}:PATH`);
      const value = wholeNumber(number, driver === 'lcus' ? 'channel' : 'relay', driver === 'lcus' ? 1 : 0, 64);
      if (typeof value === 'string') return fail(value);
      return driver === 'lcus'
        ? { ok: true, spec: { driver, path, channel: value } }
        : { ok: true, spec: { driver, path, relay: value } };
    }
    case 'serial': {
      const [path, baudText, onHex, offHex, ...extra] = rest.split(':');
      if (!path || !baudText || !onHex || !offHex || extra.length) return fail('serial needs PATH:BAUD:ONHEX:OFFHEX');
      const baud = wholeNumber(baudText, 'baud', 50, 4_000_000);
      if (typeof baud === 'string') return fail(baud);
      if (!HEX.test(onHex)) return fail(`ONHEX "${onHex}" is not an even number of hex digits`);
      if (!HEX.test(offHex)) return fail(`OFFHEX "${offHex}" is not an even number of hex digits`);
      return { ok: true, spec: { driver, path, baud, onHex: onHex.toLowerCase(), offHex: offHex.toLowerCase() } };
    }
    case 'shelly1':
    case 'http':
      return HTTP_URL.test(rest) ? { ok: true, spec: { driver, url: rest } } : fail(`${driver} needs an http(s) URL`);
    case 'shelly2': {
      const match = /^(https?:\/\/[^\s/]+?(?:\/\S*?)?)(?::(\d+))?$/.exec(rest);
      // URL:SWITCH_ID — a trailing `:N` after a URL that already has a port or path is the switch id.
      const hasSwitch = match?.[2] !== undefined && /^https?:\/\/[^/]+(:\d+|\/.*)/.test(match[1] ?? '');
      const url = hasSwitch ? match?.[1] : rest;
      if (!url || !HTTP_URL.test(url)) return fail('shelly2 needs an http(s) URL');
      const switchId = hasSwitch ? Number(match?.[2]) : 0;
      return { ok: true, spec: { driver, url, switchId } };
    }
    default:
      return fail(`unknown driver "${driver}"`);
  }
}

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

/** The generic HTTP driver beyond `http:URL`; every field optional (defaults: POST, JSON body, 2xx, 2 s). */
export const httpTurnstileSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).optional(),
  headers: z.record(z.string().min(1).max(100), z.string().max(2000)).optional(),
  /** `{direction}`, `{barcode}`, `{gate}` and `{pulseMs}` are replaced, escaped for the content type. */
  bodyTemplate: z.string().max(10_000).optional(),
  /** Exact status expected; absent = any 2xx. */
  expectStatus: z.number().int().min(100).max(599).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});
export type HttpTurnstileSettings = z.infer<typeof httpTurnstileSchema>;

/** A serial (not keyboard) barcode scanner: one scan per line. */
export const serialScannerSettingsSchema = z.object({
  path: z.string().min(1).max(500),
  baud: z.number().int().min(50).max(4_000_000).default(9600),
  /** What ends a scan: CR, LF or CRLF (the default accepts any of them). */
  terminator: z.enum(['any', 'cr', 'lf', 'crlf']).default('any'),
});
export type SerialScannerSettings = z.infer<typeof serialScannerSettingsSchema>;

export const turnstileSettingsSchema = z.object({
  /** Driver spec in the CLI's `--turnstile SPEC` form, e.g. `lcus:/dev/ttyUSB0:1` or `none`. */
  spec: z.string().min(1).max(500),
  /** Spec for the exit direction when it differs from entry; null = the same device. */
  exitSpec: z.string().min(1).max(500).nullable(),
  pulseMs: z.number().int().min(50).max(30_000),
  /** Annul an admission when no passage signal arrives within this window; null = no feedback. */
  passageTimeoutMs: z.number().int().min(500).max(120_000).nullable(),
  /** Which input reports a passage (Numato GPIO, Shelly input id); absent = input 0 when the device has one. */
  passageInput: z.number().int().min(0).max(31).nullable().optional(),
  http: httpTurnstileSchema.optional(),
  scanner: serialScannerSettingsSchema.nullable().optional(),
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

/** Starting points the settings screen offers; `spec` is a template the operator completes. */
export const TURNSTILE_PRESETS = [
  { name: 'No turnstile', spec: 'none', hasPassageInput: false },
  { name: 'LCUS USB relay (CH340), channel 1', spec: 'lcus:/dev/ttyUSB0:1', hasPassageInput: false },
  { name: 'Numato USB relay, relay 0', spec: 'numato:/dev/ttyACM0:0', hasPassageInput: true },
  {
    name: 'Raw serial relay (hex frames)',
    spec: 'serial:/dev/ttyUSB0:9600:A00101A2:A00100A1',
    hasPassageInput: false,
  },
  { name: 'Shelly Gen1 (1, 1PM, 2.5)', spec: 'shelly1:http://192.168.33.1', hasPassageInput: true },
  {
    name: 'Shelly Gen2+ (Plus, Pro), switch 0',
    spec: 'shelly2:http://admin:PASSWORD@192.168.33.1',
    hasPassageInput: true,
  },
  { name: 'HTTP controller', spec: 'http:http://192.168.1.50/open', hasPassageInput: false },
] as const;

const HEX = /^([0-9a-fA-F]{2})+$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

function wholeNumber(text: string | undefined, what: string, min: number, max: number): number | string {
  if (text === undefined || text === '') return min;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    return `${what} must be a whole number from ${min} to ${max}, got "${text}"`;
  return value;
}

/**
 * `shelly2:URL[:SWITCH_ID]`: a URL may itself end in `:PORT`, so a trailing `:N` is the switch id only
 * when the URL already has a port (`http://host:80:1`) or a path (`http://host/:1`); `http://host:1`
 * is port 1, as any URL parser would read it. Userinfo (`admin:pass@`) and `[v6]` hosts are skipped
 * before looking for the port.
 */
function splitShelly2(rest: string): { url: string; switchId: number } | string {
  const match = /^(https?:\/\/)([^\s/]*)(\/\S*)?$/.exec(rest);
  if (!match) return 'shelly2 needs an http(s) URL';
  const authority = match[2] ?? '';
  let path = match[3] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const hostEnd = hostPort.startsWith('[') ? hostPort.indexOf(']') + 1 : hostPort.search(/:|$/);
  if (hostEnd <= 0 || hostPort.slice(0, hostEnd) === '[]') return 'shelly2 needs a host in its URL';
  const tail = /^(?::(\d+))?(?::(\d+))?$/.exec(hostPort.slice(hostEnd));
  if (!tail) return `cannot read the port in "${hostPort}"`;
  let switchText = tail[2];
  if (switchText !== undefined && path) return 'the switch id goes after the path, not after the port';
  if (tail[1] !== undefined) {
    const port = Number(tail[1]);
    if (port < 1 || port > 65_535) return `port must be from 1 to 65535, got "${tail[1]}"`;
  }
  const pathSwitch = /:(\d+)$/.exec(path);
  if (pathSwitch) {
    switchText = pathSwitch[1];
    path = path.slice(0, pathSwitch.index);
  }
  const switchId = wholeNumber(switchText, 'switch id', 0, 64);
  if (typeof switchId === 'string') return switchId;
  const base =
    switchText !== undefined && !pathSwitch ? authority.slice(0, authority.lastIndexOf(':')) : authority;
  return { url: `${match[1]}${base}${path}`, switchId };
}

/** Parses a turnstile SPEC; an error names what is wrong and lists the accepted forms. */
export function parseTurnstileSpec(
  spec: string,
): { ok: true; spec: TurnstileSpec } | { ok: false; error: string } {
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
      const value = wholeNumber(
        number,
        driver === 'lcus' ? 'channel' : 'relay',
        driver === 'lcus' ? 1 : 0,
        driver === 'lcus' ? 8 : 31,
      );
      if (typeof value === 'string') return fail(value);
      return driver === 'lcus'
        ? { ok: true, spec: { driver, path, channel: value } }
        : { ok: true, spec: { driver, path, relay: value } };
    }
    case 'serial': {
      const [path, baudText, onHex, offHex, ...extra] = rest.split(':');
      if (!path || !baudText || !onHex || !offHex || extra.length)
        return fail('serial needs PATH:BAUD:ONHEX:OFFHEX');
      const baud = wholeNumber(baudText, 'baud', 50, 4_000_000);
      if (typeof baud === 'string') return fail(baud);
      if (!HEX.test(onHex)) return fail(`ONHEX "${onHex}" is not an even number of hex digits`);
      if (!HEX.test(offHex)) return fail(`OFFHEX "${offHex}" is not an even number of hex digits`);
      return {
        ok: true,
        spec: { driver, path, baud, onHex: onHex.toLowerCase(), offHex: offHex.toLowerCase() },
      };
    }
    case 'shelly1':
    case 'http':
      return HTTP_URL.test(rest)
        ? { ok: true, spec: { driver, url: rest } }
        : fail(`${driver} needs an http(s) URL`);
    case 'shelly2': {
      const parsed = splitShelly2(rest);
      return typeof parsed === 'string' ? fail(parsed) : { ok: true, spec: { driver, ...parsed } };
    }
    default:
      return fail(`unknown driver "${driver}"`);
  }
}

/**
 * Parses `--scanner SPEC`: `none`, or `PATH[:BAUD[:TERMINATOR]]` with TERMINATOR one of any, cr,
 * lf, crlf. Returns null for `none`.
 */
export function parseScannerSpec(
  spec: string,
): { ok: true; scanner: SerialScannerSettings | null } | { ok: false; error: string } {
  if (spec === 'none') return { ok: true, scanner: null };
  const [path, baudText, terminatorText, ...extra] = spec.split(':');
  const fail = (problem: string) => ({
    ok: false as const,
    error: `scanner spec "${spec}": ${problem} (form: none or PATH[:BAUD[:any|cr|lf|crlf]])`,
  });
  if (!path) return fail('needs a serial port path');
  if (extra.length) return fail('too many parts');
  const parsed = serialScannerSettingsSchema.safeParse({
    path,
    ...(baudText ? { baud: Number(baudText) } : {}),
    ...(terminatorText ? { terminator: terminatorText } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${issue?.path.map(String).join('.') ?? 'spec'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, scanner: parsed.data };
}

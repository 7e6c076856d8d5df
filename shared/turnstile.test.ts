import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  parseTurnstileSpec,
  turnstileSettingsSchema,
  DEFAULT_TURNSTILE_SETTINGS,
  TURNSTILE_PRESETS,
} from './turnstile.js';

const ok = (spec: string) => {
  const parsed = parseTurnstileSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
};
const error = (spec: string) => {
  const parsed = parseTurnstileSpec(spec);
  if (parsed.ok) throw new Error(`expected "${spec}" to be rejected`);
  return parsed.error;
};

describe('parseTurnstileSpec', () => {
  it('reads serial relay specs with their defaults', () => {
    expect(ok('none')).toEqual({ driver: 'none' });
    expect(ok('lcus:/dev/ttyUSB0')).toEqual({ driver: 'lcus', path: '/dev/ttyUSB0', channel: 1 });
    expect(ok('lcus:COM3:2')).toEqual({ driver: 'lcus', path: 'COM3', channel: 2 });
    expect(ok('numato:/dev/ttyACM0')).toEqual({ driver: 'numato', path: '/dev/ttyACM0', relay: 0 });
    expect(ok('numato:/dev/ttyACM0:7')).toEqual({ driver: 'numato', path: '/dev/ttyACM0', relay: 7 });
    expect(ok('serial:/dev/ttyS0:19200:A00101A2:a00100a1')).toEqual({
      driver: 'serial',
      path: '/dev/ttyS0',
      baud: 19200,
      onHex: 'a00101a2',
      offHex: 'a00100a1',
    });
  });

  it('names what is wrong and lists the forms', () => {
    expect(error('lcus:/dev/ttyUSB0:9')).toContain('channel must be a whole number from 1 to 8, got "9"');
    expect(error('lcus:')).toContain('lcus needs a serial port path');
    expect(error('numato:/dev/x:1:2')).toContain('too many parts');
    expect(error('serial:/dev/x:9600:A0F:00')).toContain('ONHEX "A0F" is not an even number of hex digits');
    expect(error('serial:/dev/x:fast:00:00')).toContain('baud must be a whole number');
    expect(error('relay:/dev/x')).toContain('unknown driver "relay"');
    expect(error('none:x')).toContain('none takes no arguments');
    expect(error('shelly1:ftp://x')).toContain('shelly1 needs an http(s) URL');
    expect(error('http:')).toContain('forms: none, lcus:PATH[:CHANNEL]');
  });

  it('shelly2: a trailing :N is the switch id only after a port or a path', () => {
    expect(ok('shelly2:http://10.0.0.5')).toEqual({ driver: 'shelly2', url: 'http://10.0.0.5', switchId: 0 });
    expect(ok('shelly2:http://10.0.0.5:8080')).toEqual({
      driver: 'shelly2',
      url: 'http://10.0.0.5:8080',
      switchId: 0,
    });
    expect(ok('shelly2:http://10.0.0.5:1')).toEqual({
      driver: 'shelly2',
      url: 'http://10.0.0.5:1',
      switchId: 0,
    });
    expect(ok('shelly2:http://10.0.0.5:80:2')).toEqual({
      driver: 'shelly2',
      url: 'http://10.0.0.5:80',
      switchId: 2,
    });
    expect(ok('shelly2:http://10.0.0.5/:3')).toEqual({
      driver: 'shelly2',
      url: 'http://10.0.0.5/',
      switchId: 3,
    });
    expect(ok('shelly2:https://gate.example/relay:1')).toEqual({
      driver: 'shelly2',
      url: 'https://gate.example/relay',
      switchId: 1,
    });
  });

  it('shelly2: userinfo and IPv6 hosts are not mistaken for ports or switch ids', () => {
    expect(ok('shelly2:http://admin:1234@10.0.0.5')).toEqual({
      driver: 'shelly2',
      url: 'http://admin:1234@10.0.0.5',
      switchId: 0,
    });
    expect(ok('shelly2:http://admin:1234@10.0.0.5:5')).toEqual({
      driver: 'shelly2',
      url: 'http://admin:1234@10.0.0.5:5',
      switchId: 0,
    });
    expect(ok('shelly2:http://admin:pa:ss@10.0.0.5:80:1')).toEqual({
      driver: 'shelly2',
      url: 'http://admin:pa:ss@10.0.0.5:80',
      switchId: 1,
    });
    expect(ok('shelly2:http://[::1]:1')).toEqual({ driver: 'shelly2', url: 'http://[::1]:1', switchId: 0 });
    expect(ok('shelly2:http://[::1]:8080:1')).toEqual({
      driver: 'shelly2',
      url: 'http://[::1]:8080',
      switchId: 1,
    });
    expect(ok('shelly2:http://[fe80::1]')).toEqual({
      driver: 'shelly2',
      url: 'http://[fe80::1]',
      switchId: 0,
    });
  });

  it('shelly2: rejects what cannot be read', () => {
    expect(error('shelly2:http://host:80:1:2')).toContain('cannot read the port');
    expect(error('shelly2:http://host:99999')).toContain('port must be from 1 to 65535');
    expect(error('shelly2:http://host:80:65')).toContain('switch id must be a whole number from 0 to 64');
    expect(error('shelly2:http://:80')).toContain('needs a host');
    expect(error('shelly2:10.0.0.5')).toContain('shelly2 needs an http(s) URL');
  });

  it('shelly2: any host, port and switch id round-trips', () => {
    const host = fc.oneof(
      fc.ipV4(),
      fc.domain(),
      fc.ipV6().map((address) => `[${address}]`),
    );
    fc.assert(
      fc.property(
        host,
        fc.integer({ min: 1, max: 65_535 }),
        fc.integer({ min: 0, max: 64 }),
        (name, port, switchId) => {
          expect(ok(`shelly2:http://${name}:${port}:${switchId}`)).toEqual({
            driver: 'shelly2',
            url: `http://${name}:${port}`,
            switchId,
          });
          expect(ok(`shelly2:http://${name}:${port}`)).toEqual({
            driver: 'shelly2',
            url: `http://${name}:${port}`,
            switchId: 0,
          });
        },
      ),
    );
  });

  it('never throws, whatever the operator types', () => {
    fc.assert(
      fc.property(fc.string(), (spec) => {
        expect(typeof parseTurnstileSpec(spec).ok).toBe('boolean');
      }),
    );
  });

  it('every preset spec parses', () => {
    for (const preset of TURNSTILE_PRESETS)
      expect(parseTurnstileSpec(preset.spec).ok, preset.spec).toBe(true);
  });
});

describe('turnstileSettingsSchema', () => {
  it('accepts the defaults and the optional extras', () => {
    expect(turnstileSettingsSchema.parse(DEFAULT_TURNSTILE_SETTINGS)).toEqual(DEFAULT_TURNSTILE_SETTINGS);
    const parsed = turnstileSettingsSchema.parse({
      ...DEFAULT_TURNSTILE_SETTINGS,
      passageInput: 2,
      http: { method: 'PUT', expectStatus: 204 },
      scanner: { path: '/dev/ttyACM1' },
    });
    expect(parsed.scanner).toEqual({ path: '/dev/ttyACM1', baud: 9600, terminator: 'any' });
  });
});

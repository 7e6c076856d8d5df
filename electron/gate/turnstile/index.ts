/**
 * Picks the turnstile driver for the settings: one per direction when `exitSpec` is set. A spec that
 * does not parse never crashes the gate: it yields a turnstile that stays in `error` and says why.
 */
import { createLogger } from '../../../shared/logger.js';
import { parseTurnstileSpec, type TurnstileSettings, type TurnstileSpec } from '../../../shared/turnstile.js';
import { NoopTurnstile } from './basic.js';
import { DirectionalTurnstile } from './directional.js';
import { HttpRelay } from './http-relay.js';
import { NumatoRelay } from './numato.js';
import { DEFAULT_PULSE_OPTIONS, PulseTurnstile, type PulseOptions } from './pulse-turnstile.js';
import { createLcusRelay, createRawSerialRelay } from './serial-relays.js';
import { ShellyGen1Relay, ShellyGen2Relay } from './shelly.js';
import type { Actuator, Turnstile } from './types.js';
import { BrokenTurnstile } from './broken.js';

export type { OpenContext, Turnstile } from './types.js';

const log = createLogger('gate.turnstile');

/** Tuning that settings do not carry; tests shorten the retry and recovery delays. */
export interface DriverTuning {
  operationTimeoutMs?: number;
  recoveryMs?: number;
  passagePollMs?: number;
  serialRetryMinMs?: number;
  serialRetryMaxMs?: number;
  serialWatchMs?: number;
}

function createActuator(
  spec: Exclude<TurnstileSpec, { driver: 'none' }>,
  settings: TurnstileSettings,
  tuning: DriverTuning,
): Actuator {
  const timeoutMs = tuning.operationTimeoutMs ?? DEFAULT_PULSE_OPTIONS.operationTimeoutMs;
  const timing = {
    operationTimeoutMs: timeoutMs,
    retryMinMs: tuning.serialRetryMinMs,
    retryMaxMs: tuning.serialRetryMaxMs,
    watchMs: tuning.serialWatchMs,
  };
  // Feedback only when a window is set; then the device's input 0 unless another is named.
  const input = settings.passageTimeoutMs === null ? null : (settings.passageInput ?? 0);
  switch (spec.driver) {
    case 'lcus':
      return createLcusRelay(spec.path, spec.channel, timing);
    case 'numato':
      return new NumatoRelay(spec.path, spec.relay, input, timing);
    case 'serial':
      return createRawSerialRelay(spec.path, spec.baud, spec.onHex, spec.offHex, timing);
    case 'shelly1':
      return new ShellyGen1Relay(spec.url, input, timeoutMs);
    case 'shelly2':
      return new ShellyGen2Relay(spec.url, spec.switchId, input, timeoutMs);
    case 'http':
      return new HttpRelay(spec.url, settings.http ?? {}, timeoutMs);
    default: {
      const never: never = spec;
      throw new Error(`no driver for ${JSON.stringify(never)}`);
    }
  }
}

function createOne(text: string, settings: TurnstileSettings, tuning: DriverTuning): Turnstile {
  const parsed = parseTurnstileSpec(text);
  if (!parsed.ok) {
    log.error('turnstile spec rejected', { error: parsed.error });
    return new BrokenTurnstile(parsed.error);
  }
  if (parsed.spec.driver === 'none') return new NoopTurnstile();
  const options: PulseOptions = {
    operationTimeoutMs: tuning.operationTimeoutMs ?? DEFAULT_PULSE_OPTIONS.operationTimeoutMs,
    passageTimeoutMs: settings.passageTimeoutMs,
    passagePollMs: tuning.passagePollMs ?? DEFAULT_PULSE_OPTIONS.passagePollMs,
    recoveryMs: tuning.recoveryMs ?? DEFAULT_PULSE_OPTIONS.recoveryMs,
  };
  try {
    return new PulseTurnstile(createActuator(parsed.spec, settings, tuning), options);
  } catch (error) {
    return new BrokenTurnstile(error instanceof Error ? error.message : String(error));
  }
}

export function createTurnstile(settings: TurnstileSettings, tuning: DriverTuning = {}): Turnstile {
  const entry = createOne(settings.spec, settings, tuning);
  if (settings.exitSpec === null || settings.exitSpec === settings.spec) return entry;
  return new DirectionalTurnstile(entry, createOne(settings.exitSpec, settings, tuning));
}

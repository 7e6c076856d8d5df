/**
 * The gate API handler table, derived from GATE_API: one handler per method, each validating its
 * input with `parseInput` and answering an ApiResult. The Electron shell wires these to IPC, the
 * headless server to `POST /api/<method>`. Errors are data; nothing is swallowed into null.
 */
import type { z } from 'zod';
import {
  GATE_METHODS,
  parseInput,
  type ApiResult,
  type GateApiContract,
  type GateMethod,
  type MethodOutput,
} from '../../shared/gate-api.js';
import { createLogger } from '../../shared/logger.js';
import { applySettings } from './configure.js';
import type { Engine } from './engine.js';
import { diagnostics } from './diagnostics.js';
import { ApiFailure } from './errors.js';
import { PinChecker } from './pin.js';
import { viewSettings } from './settings.js';
import { conflictViews, lookup, stats, ticketDetail } from './views.js';

const log = createLogger('gate.api');

export type GateHandlers = { [M in GateMethod]: (input: unknown) => Promise<ApiResult<MethodOutput<M>>> };
type ParsedInput<M extends GateMethod> = z.infer<GateApiContract[M]['input']>;
type Implementations = {
  [M in GateMethod]: (input: ParsedInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

export function createHandlers(engine: Engine, pins = new PinChecker()): GateHandlers {
  const requirePin = (pin: string | undefined): void => {
    const stored = engine.settings.pinHash;
    if (stored === null) return;
    if (pin === undefined || pin === '')
      throw new ApiFailure('pin_required', 'pin: the staff PIN is required');
    if (!pins.check(pin, stored)) throw new ApiFailure('pin_required', 'pin: wrong staff PIN');
  };

  const implementations: Implementations = {
    scan: (input) => engine.scan(input.barcode, input.direction),
    status: () => engine.status(),
    stats: () => stats(engine.store, engine.now(), engine.settings.capacity),
    lookup: (input) => ({ results: lookup(engine.store, input.query) }),
    ticket: (input) => {
      const ticket = engine.store.tickets.get(input.barcode);
      if (!ticket) throw new ApiFailure('not_found', `barcode: no ticket ${input.barcode}`);
      return ticketDetail(engine.store, ticket);
    },
    manualAdmit: (input) => {
      requirePin(input.pin);
      return engine.manualAdmit(input.barcode, input.note);
    },
    annul: (input) => {
      requirePin(input.pin);
      return { scanId: engine.annul(input.scanId, input.note).id };
    },
    activity: (input) => ({
      scans: engine.store.scans.recent({
        result: input.result ?? null,
        gate: input.gate ?? null,
        limit: input.limit ?? 100,
      }),
    }),
    conflicts: () => ({ conflicts: conflictViews(engine.store) }),
    events: () => ({ events: engine.store.tickets.events() }),
    checkPin: (input) => {
      const stored = engine.settings.pinHash;
      return { isValid: stored === null || pins.check(input.pin, stored) };
    },
    getSettings: () => viewSettings(engine.settings, engine.secrets.get() !== null),
    updateSettings: async (input) => {
      requirePin(input.pin);
      return applySettings(engine, input.changes);
    },
    turnstileTest: async (input) => {
      requirePin(input.pin);
      const result = await engine.turnstile.open(input.direction, engine.settings.turnstile.pulseMs);
      engine.emit({ type: 'turnstile', turnstile: engine.turnstile.status(), result });
      return result;
    },
    diagnostics: (input) => {
      requirePin(input.pin);
      return diagnostics(engine);
    },
  };

  const handlers = {} as Record<GateMethod, (input: unknown) => Promise<ApiResult<unknown>>>;
  for (const name of GATE_METHODS) {
    handlers[name] = async (input: unknown) => {
      const parsed = parseInput(name, input);
      if (!parsed.ok) return parsed;
      try {
        const implementation = implementations[name] as (value: unknown) => unknown;
        return { ok: true, value: await implementation(parsed.value) };
      } catch (error) {
        if (error instanceof ApiFailure)
          return { ok: false, error: { code: error.code, message: error.message } };
        log.error('handler failed', { method: name, error: (error as Error).stack ?? String(error) });
        return { ok: false, error: { code: 'internal', message: (error as Error).message } };
      }
    };
  }
  return handlers as GateHandlers;
}

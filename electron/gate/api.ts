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
import { PinGuard } from './pin-guard.js';
import { viewSettings } from './settings.js';
import { reviewConflict } from './conflict-review.js';
import { admitOrder, isAdmissible } from './order-check-in.js';
import { testRelay } from './relay-test.js';
import { nightReport } from './report.js';
import { activityRows, conflictViews, lookupOrders, lookupView, stats, ticketDetail } from './views.js';

const log = createLogger('gate.api');

/**
 * Who is calling, for PIN guessing limits: the HTTP client's address, or the app itself over IPC
 * (the default: one window, one client).
 */
export interface CallContext {
  client: string;
}
export const APP_CLIENT = 'app';

export type GateHandlers = {
  [M in GateMethod]: (input: unknown, context?: CallContext) => Promise<ApiResult<MethodOutput<M>>>;
};
type ParsedInput<M extends GateMethod> = z.infer<GateApiContract[M]['input']>;
type Implementations = {
  [M in GateMethod]: (
    input: ParsedInput<M>,
    context: CallContext,
  ) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** How long a refusal for a locked-out client is held before it is sent. */
export const LOCKED_ANSWER_DELAY_MS = 1_000;

export function createHandlers(engine: Engine, pins = new PinChecker()): GateHandlers {
  const guard = new PinGuard(engine.store.state, () => engine.now().getTime());

  /** True for the right PIN; false for a wrong one; throws pin_locked while a lock holds. */
  const isRightPin = async (pin: string, stored: string, context: CallContext): Promise<boolean> => {
    const verdict = await guard.verify(context.client, () => pins.check(pin, stored));
    if (verdict.ok) return true;
    if (verdict.reason === 'wrong') return false;
    // A locked-out client waits for its refusal: a guesser that sends its next guess on each answer is
    // slowed to one a second, so a flood of refused guesses cannot crowd out the scans.
    await new Promise((resolve) => setTimeout(resolve, LOCKED_ANSWER_DELAY_MS).unref());
    throw new ApiFailure(
      'pin_locked',
      `pin: too many wrong PINs; try again in ${verdict.retryAfterSeconds} s`,
      verdict.retryAfterSeconds,
    );
  };

  const requirePin = async (pin: string | undefined, context: CallContext): Promise<void> => {
    const stored = engine.settings.pinHash;
    if (stored === null) return;
    if (pin === undefined || pin === '')
      throw new ApiFailure('pin_required', 'pin: the staff PIN is required');
    if (!(await isRightPin(pin, stored, context)))
      throw new ApiFailure('pin_required', 'pin: wrong staff PIN');
  };

  const names = () => ({ hideNames: engine.settings.hideNames });

  const implementations: Implementations = {
    scan: (input) => engine.scan(input.barcode, input.direction),
    status: () => engine.status(),
    // Inside now is the count capacity is checked against (every gate's movements since the day began).
    stats: () => ({
      ...stats(engine.store, engine.now(), engine.settings.capacity),
      insideNow: engine.insideNow(),
    }),
    lookup: (input) => {
      const view = lookupView(engine.store, input.query, names());
      const orders = lookupOrders(
        engine.store,
        view.results,
        (ticket) => isAdmissible(engine, ticket),
        names(),
      );
      return { ...view, orders };
    },
    ticket: (input) => {
      const ticket = engine.store.tickets.get(input.barcode);
      if (!ticket) throw new ApiFailure('not_found', `barcode: no ticket ${input.barcode}`);
      return ticketDetail(engine.store, ticket, names());
    },
    manualAdmit: async (input, context) => {
      await requirePin(input.pin, context);
      return engine.manualAdmit(input.barcode, input.note);
    },
    annul: async (input, context) => {
      await requirePin(input.pin, context);
      return { scanId: engine.annul(input.scanId, input.note).id };
    },
    admitOrder: async (input, context) => {
      await requirePin(input.pin, context);
      return admitOrder(engine, input.orderId);
    },
    activity: (input) => {
      const gate = input.gate?.trim() ?? '';
      const scans = engine.store.scans.recent({
        result: input.result ?? null,
        gate: gate === '' ? null : gate,
        limit: input.limit ?? 100,
      });
      return { scans: activityRows(engine.store, scans, names()) };
    },
    conflicts: () => ({ conflicts: conflictViews(engine.store, names()) }),
    reviewConflict: async (input, context) => {
      await requirePin(input.pin, context);
      return { scanId: reviewConflict(engine, input.conflictId, input.note).id };
    },
    report: (input) =>
      nightReport(engine.store, {
        ...(input.eventId === undefined ? {} : { eventId: input.eventId }),
        gateEvents: engine.settings.events,
      }),
    testRelay: async (input, context) => {
      if (input.token === undefined) await requirePin(input.pin, context);
      const token = input.token ?? engine.secrets.get();
      if (token === null) throw new ApiFailure('bad_request', 'token: is required (no token is stored yet)');
      return testRelay(input.relayUrl, token);
    },
    findRelays: () => ({ relays: engine.relayFinder.list() }),
    events: () => ({ events: engine.store.tickets.events() }),
    eventWindows: () => ({ events: engine.eventWindows() }),
    checkPin: async (input, context) => {
      const stored = engine.settings.pinHash;
      return { isValid: stored === null || (await isRightPin(input.pin, stored, context)) };
    },
    getSettings: () => viewSettings(engine.settings, engine.secrets),
    updateSettings: async (input, context) => {
      await requirePin(input.pin, context);
      return applySettings(engine, input.changes);
    },
    turnstileTest: async (input, context) => {
      await requirePin(input.pin, context);
      const result = await engine.turnstile.open(input.direction, engine.settings.turnstile.pulseMs);
      engine.emit({ type: 'turnstile', turnstile: engine.turnstile.status(), result });
      return result;
    },
    diagnostics: async (input, context) => {
      await requirePin(input.pin, context);
      return diagnostics(engine);
    },
  };

  const handlers = {} as Record<
    GateMethod,
    (input: unknown, context?: CallContext) => Promise<ApiResult<unknown>>
  >;
  for (const name of GATE_METHODS) {
    handlers[name] = async (input: unknown, context: CallContext = { client: APP_CLIENT }) => {
      const parsed = parseInput(name, input);
      if (!parsed.ok) return parsed;
      try {
        const implementation = implementations[name] as (value: unknown, context: CallContext) => unknown;
        return { ok: true, value: await implementation(parsed.value, context) };
      } catch (error) {
        if (error instanceof ApiFailure) return { ok: false, error: error.toApiError() };
        log.error('handler failed', { method: name, error: (error as Error).stack ?? String(error) });
        return { ok: false, error: { code: 'internal', message: (error as Error).message } };
      }
    };
  }
  return handlers as GateHandlers;
}

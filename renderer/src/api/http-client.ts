/**
 * GateApi over HTTP for the headless gate: `POST /api/<method>` with a JSON body, answers are the
 * contract's ApiResult. Live events come over the websocket `/api/events` (GateEvent frames).
 * Every method is derived from GATE_METHODS; nothing here names a method.
 */
import { z } from 'zod';
import {
  GATE_METHODS,
  PIN_HEADER,
  PIN_SUBPROTOCOL_PREFIX,
  apiErrorSchema,
  gateEventSchema,
  type ApiResult,
  type GateApi,
  type GateEvent,
  type GateMethod,
} from '../../../shared/gate-api.js';
import { createLogger } from '../../../shared/logger.js';
import type { GateClient, LinkState, Unsubscribe } from './types.js';

const log = createLogger('renderer.http-client');

const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);

/**
 * A gate served beyond loopback guards its API with the staff PIN in a header. The PIN lives in
 * this tab's sessionStorage only: closing the tab locks the screen again.
 */
const ACCESS_PIN_KEY = 'gatehouse.access-pin';

function accessHeaders(): Record<string, string> {
  const pin = sessionStorage.getItem(ACCESS_PIN_KEY);
  return pin ? { [PIN_HEADER]: pin } : {};
}

async function call(
  base: URL,
  method: GateMethod,
  input: unknown,
  headers: Record<string, string> = accessHeaders(),
): Promise<ApiResult<unknown>> {
  try {
    const response = await fetch(new URL(`api/${method}`, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input ?? {}),
    });
    const parsed = resultSchema.safeParse(await response.json());
    if (parsed.success) return parsed.data;
    return {
      ok: false,
      error: { code: 'internal', message: `unexpected answer from the gate (HTTP ${response.status})` },
    };
  } catch (error) {
    return { ok: false, error: { code: 'unavailable', message: `cannot reach the gate: ${String(error)}` } };
  }
}

function buildApi(base: URL): GateApi {
  const entries = GATE_METHODS.map(
    (method) => [method, (input: unknown) => call(base, method, input)] as const,
  );
  // Each entry's output is the contract's schema output; the server parsed it, the type follows it.
  return Object.fromEntries(entries) as unknown as GateApi;
}

/** Keeps one websocket to `/api/events` open, reconnecting with a capped, jittered backoff. */
function createEventStream(base: URL) {
  const listeners = new Set<(event: GateEvent) => void>();
  const linkListeners = new Set<(state: LinkState) => void>();
  let socket: WebSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;

  const setLink = (state: LinkState) => linkListeners.forEach((listener) => listener(state));
  const open = () => {
    const url = new URL('api/events', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    // Browsers cannot set headers on a websocket: the PIN travels as a subprotocol instead.
    const pin = sessionStorage.getItem(ACCESS_PIN_KEY);
    socket = new WebSocket(url, pin ? [`${PIN_SUBPROTOCOL_PREFIX}${pin}`] : []);
    socket.onopen = () => {
      attempt = 0;
      setLink('connected');
    };
    socket.onmessage = (message) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(message.data));
      } catch {
        log.warn('event frame is not JSON');
        return;
      }
      const parsed = gateEventSchema.safeParse(frame);
      if (!parsed.success) return log.warn('unknown event frame', { issue: parsed.error.issues[0]?.message });
      listeners.forEach((listener) => listener(parsed.data));
    };
    socket.onclose = () => {
      socket = null;
      setLink('reconnecting');
      const delay = Math.min(5000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      retry = setTimeout(open, delay);
    };
  };

  return {
    start: open,
    /** Reconnects now, e.g. with a newly entered PIN. */
    reconnect() {
      attempt = 0;
      if (socket) socket.close();
      else {
        if (retry) clearTimeout(retry);
        open();
      }
    },
    stop() {
      if (retry) clearTimeout(retry);
      socket?.close();
    },
    onEvent(listener: (event: GateEvent) => void): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onLink(listener: (state: LinkState) => void): Unsubscribe {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
  };
}

export function createHttpGateClient(base: URL = new URL('./', location.href)): GateClient {
  const stream = createEventStream(base);
  stream.start();
  return {
    api: buildApi(base),
    onEvent: stream.onEvent,
    onLink: stream.onLink,
    shell: null,
    // One request with the candidate PIN; only a right one is kept. Kept first, every poll and the
    // event stream's reconnects would have repeated a wrong one, each a wrong PIN toward the lock.
    tryAccessPin: async (pin) => {
      const answer = await call(base, 'status', {}, { [PIN_HEADER]: pin });
      if (answer.ok) {
        sessionStorage.setItem(ACCESS_PIN_KEY, pin);
        stream.reconnect();
      }
      return answer;
    },
  };
}

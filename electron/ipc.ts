/**
 * Wires the engine's handler table to IPC, one channel per GATE_API method (names from channels.ts).
 * Every handler refuses unknown senders and validates its input against the contract before the
 * engine sees it (the engine parses again: two locks, one key). Returns a disposer.
 */
import {
  GATE_METHODS,
  parseInput,
  type ApiResult,
  type GateEvent,
  type GateMethod,
} from '../shared/gate-api.js';
import { createLogger } from '../shared/logger.js';
import { EVENT_CHANNEL, channelOf } from './channels.js';

const log = createLogger('shell.ipc');

export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, input: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type HandlerTable = { [M in GateMethod]: (input: unknown) => Promise<ApiResult<unknown>> };

export interface GateIpcOptions {
  ipcMain: IpcMainLike;
  handlers: HandlerTable;
  isTrusted(frame: InvokeEventLike['senderFrame']): boolean;
}

export const UNKNOWN_SENDER: ApiResult<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'sender: not the gate app' },
};

export function registerGateIpc({ ipcMain, handlers, isTrusted }: GateIpcOptions): () => void {
  for (const method of GATE_METHODS) {
    ipcMain.handle(channelOf(method), async (event, input) => {
      if (!isTrusted(event.senderFrame)) {
        log.warn('IPC from an unknown sender refused', { method, url: event.senderFrame?.url });
        return UNKNOWN_SENDER;
      }
      const parsed = parseInput(method, input);
      if (!parsed.ok) return parsed;
      try {
        return await handlers[method](parsed.value);
      } catch (error) {
        log.error('handler threw', { method, error: String(error) });
        return {
          ok: false,
          error: { code: 'internal', message: 'the gate failed to answer; see its log' },
        } satisfies ApiResult<never>;
      }
    });
  }
  return () => GATE_METHODS.forEach((method) => ipcMain.removeHandler(channelOf(method)));
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, frame: GateEvent): void;
}

/** Forwards engine events to the window while it exists. */
export function forwardEvents(
  onEvent: (listener: (event: GateEvent) => void) => () => void,
  target: EventTarget,
): () => void {
  return onEvent((event) => {
    if (!target.isDestroyed()) target.send(EVENT_CHANNEL, event);
  });
}

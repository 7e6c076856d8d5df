/**
 * What the renderer talks to: the contract's GateApi plus a live event stream. Two implementations:
 * the Electron preload (IPC) and the HTTP/websocket client for the headless gate.
 */
import type { ApiResult, GateApi, GateEvent } from '../../../shared/gate-api.js';

export type Unsubscribe = () => void;

/** State of the link between this UI and its gate (not the gate's link to the relay). */
export type LinkState = 'connected' | 'reconnecting';

export interface GateClient {
  api: GateApi;
  onEvent(listener: (event: GateEvent) => void): Unsubscribe;
  onLink(listener: (state: LinkState) => void): Unsubscribe;
  /** Shell-only extras; absent in a browser. */
  shell: ShellExtras | null;
  /**
   * Browser only: checks the staff PIN a gate served beyond loopback asks of every API call, with
   * one request, and keeps it for every later call only if the gate took it.
   */
  tryAccessPin?: (pin: string) => Promise<ApiResult<unknown>>;
}

export interface ShellExtras {
  /** Whether this build can run the demo. */
  hasDemo?: () => Promise<boolean>;
  /** Starts the local demo (relay, simulated Moshtix, this gate connected to it), when available. */
  startDemo?: () => Promise<{ ok: true } | { ok: false; message: string }>;
  /** Opens the app's logs folder in the system's file manager. */
  openLogsFolder?: () => Promise<{ ok: true } | { ok: false; message: string }>;
}

/** The object the Electron preload places on `window.gatehouse`. */
export interface PreloadBridge {
  api: GateApi;
  onEvent(listener: (event: unknown) => void): Unsubscribe;
  shell?: ShellExtras;
}

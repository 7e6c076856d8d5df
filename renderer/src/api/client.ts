/** Picks the transport: Electron when the preload placed its bridge, else the headless gate that served this page. */
import { createHttpGateClient } from './http-client.js';
import { createPreloadGateClient } from './preload-client.js';
import type { GateClient } from './types.js';

export function createGateClient(): GateClient {
  return window.gatehouse ? createPreloadGateClient(window.gatehouse) : createHttpGateClient();
}

/** GateApi from the Electron preload (`window.gatehouse`): the same contract over IPC. */
import { gateEventSchema, type GateEvent } from '../../../shared/gate-api.js';
import { createLogger } from '../../../shared/logger.js';
import type { GateClient, PreloadBridge } from './types.js';

const log = createLogger('renderer.preload-client');

declare global {
  interface Window {
    gatehouse?: PreloadBridge;
  }
}

export function createPreloadGateClient(bridge: PreloadBridge): GateClient {
  return {
    api: bridge.api,
    onEvent(listener: (event: GateEvent) => void) {
      return bridge.onEvent((frame) => {
        const parsed = gateEventSchema.safeParse(frame);
        if (parsed.success) listener(parsed.data);
        else log.warn('unknown event from the shell');
      });
    },
    // IPC to the main process does not drop the way a socket does.
    onLink: () => () => undefined,
    shell: bridge.shell ?? null,
  };
}

/**
 * The one place IPC channel names come from: `gate:<method>` for each GATE_API method, one channel
 * for pushed events, and the shell's own few. Main (ipc.ts) and the preload both import this.
 */
import { GATE_METHODS, type GateMethod } from '../shared/gate-api.js';

export const CHANNEL_PREFIX = 'gate:';

export function channelOf(method: GateMethod): string {
  return `${CHANNEL_PREFIX}${method}`;
}

export const GATE_CHANNELS: readonly string[] = GATE_METHODS.map(channelOf);

/** Main → renderer: GateEvent frames. */
export const EVENT_CHANNEL = 'gate-event';

/** Shell functions that are not part of the gate API (they act on the app, not the engine). */
export const SHELL_CHANNELS = {
  startDemo: 'shell:startDemo',
  hasDemo: 'shell:hasDemo',
  openLogsFolder: 'shell:openLogsFolder',
} as const;

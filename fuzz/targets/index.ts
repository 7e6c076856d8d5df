/** The fuzz targets by name. */
import type { FuzzTarget, TargetName } from '../run.js';
import { gateApiTarget } from './gate-api.js';
import { gateFramesTarget } from './gate-frames.js';
import { relayFramesTarget } from './relay-frames.js';
import { webhooksTarget } from './webhooks.js';

export const TARGETS: Record<TargetName, () => FuzzTarget> = {
  'gate-api': gateApiTarget,
  'gate-frames': gateFramesTarget,
  'relay-frames': relayFramesTarget,
  webhooks: webhooksTarget,
};

/**
 * Picks the turnstile driver for the settings. Hardware drivers are added here as they land; an
 * unknown or not-yet-supported driver falls back to a turnstile that reports `error`.
 */
import { parseTurnstileSpec, type TurnstileSettings } from '../../../shared/turnstile.js';
import { NoopTurnstile } from './basic.js';
import type { Turnstile } from './types.js';

export type { Turnstile } from './types.js';

export function createTurnstile(settings: TurnstileSettings): Turnstile {
  const parsed = parseTurnstileSpec(settings.spec);
  if (!parsed.ok) throw new Error(parsed.error);
  return new NoopTurnstile(parsed.spec.driver);
}

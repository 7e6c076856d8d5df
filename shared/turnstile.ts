/**
 * Turnstile settings shared by the engine and the UI. The drivers themselves live in
 * electron/gate (Node only); this file holds only their configuration and reported state.
 */
import { z } from 'zod';

export const driverStateSchema = z.enum(['ready', 'busy', 'disconnected', 'error']);
export type DriverState = z.infer<typeof driverStateSchema>;

export const turnstileStatusSchema = z.object({
  state: driverStateSchema,
  /** The driver in use, e.g. `none`, `lcus`, `shelly2`. */
  driver: z.string(),
  message: z.string().nullable(),
});
export type TurnstileStatus = z.infer<typeof turnstileStatusSchema>;

export const turnstileResultSchema = z.object({
  opened: z.boolean(),
  passed: z.boolean().optional(),
  error: z.string().optional(),
});
export type TurnstileResult = z.infer<typeof turnstileResultSchema>;

export const turnstileSettingsSchema = z.object({
  /** Driver spec in the CLI's `--turnstile SPEC` form, e.g. `lcus:/dev/ttyUSB0:1` or `none`. */
  spec: z.string().min(1).max(500),
  /** Spec for the exit direction when it differs from entry; null = the same device. */
  exitSpec: z.string().min(1).max(500).nullable(),
  pulseMs: z.number().int().min(50).max(30_000),
  /** Annul an admission when no passage signal arrives within this window; null = no feedback. */
  passageTimeoutMs: z.number().int().min(500).max(120_000).nullable(),
});
export type TurnstileSettings = z.infer<typeof turnstileSettingsSchema>;

export const DEFAULT_TURNSTILE_SETTINGS: TurnstileSettings = {
  spec: 'none',
  exitSpec: null,
  pulseMs: 500,
  passageTimeoutMs: null,
};

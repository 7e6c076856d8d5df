/**
 * The messages between the Electron main process and the engine process (engine-host.ts), parsed
 * on both sides: a process boundary is a trust boundary too, and a message from an older or newer
 * build must fail by name rather than half-work. The relay token travels in the `start` message (it
 * never goes on a command line or in the environment).
 */
import { z } from 'zod';

export const startMessageSchema = z.object({
  type: z.literal('start'),
  /** The engine's data folder (gate.db, settings). */
  dataDir: z.string().min(1),
  /** The app's data folder, for the demo's relay. */
  userData: z.string().min(1),
  /** The engine's rotating log file; null = stderr only. */
  logFile: z.string().min(1).nullable(),
  /** Every log series "Export diagnostics" includes (the engine's and main's). */
  diagnosticLogs: z.array(z.string().min(1)),
  /** The relay token decrypted by main (safeStorage lives there), or null when none is stored. */
  token: z.string().nullable(),
  /** Whether main can store a new token encrypted; when not, setting one is refused. */
  canStoreToken: z.boolean(),
});
export type StartMessage = z.infer<typeof startMessageSchema>;

export const toEngineSchema = z.discriminatedUnion('type', [
  startMessageSchema,
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('demo'), id: z.number().int() }),
  z.object({ type: z.literal('stop') }),
]);
export type ToEngine = z.infer<typeof toEngineSchema>;

export const fromEngineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Start failed; the message says why (e.g. the native binding, a database newer than this build). */
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.unknown() }),
  /** Store this relay token (main encrypts it with safeStorage). */
  z.object({ type: z.literal('token'), token: z.string() }),
  z.object({ type: z.literal('stopped') }),
]);
export type FromEngine = z.infer<typeof fromEngineSchema>;

/** A `demo` request's answer. */
export const demoResultSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type DemoResult = z.infer<typeof demoResultSchema>;

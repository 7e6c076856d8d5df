/**
 * What a gate process does with an error nobody caught: write it to the log, then exit non-zero so
 * its supervisor starts a fresh one (systemd or a service manager for the headless gate; the Electron
 * main process for the app's engine). Carrying on after an unknown failure could leave the engine
 * half-working; every committed decision is already on disk, so a restart loses nothing.
 */
import { createLogger } from '../../shared/logger.js';

const log = createLogger('gate.crash');

/** EX_SOFTWARE: "an internal software error has been detected". */
export const CRASH_EXIT_CODE = 70;

export interface CrashableProcess {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  exit(code: number): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Installs the handlers; returns their remover. `what` names the process in the log line. */
export function installCrashHandlers(what: string, target: CrashableProcess = process): () => void {
  const fatal = (kind: string) => (error: unknown) => {
    log.error(`${kind} in the ${what}; exiting so that it is restarted`, { error: describe(error) });
    target.exit(CRASH_EXIT_CODE);
  };
  const onException = fatal('uncaught exception');
  const onRejection = fatal('unhandled promise rejection');
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('uncaughtException', onException);
    target.off('unhandledRejection', onRejection);
  };
}

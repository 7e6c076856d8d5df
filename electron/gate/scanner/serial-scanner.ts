/**
 * Serial (not keyboard-wedge) barcode scanners: one scan per line, terminator and baud configurable,
 * and the same unplug behaviour as the relays — `disconnected`, the path polled, reopened when the
 * scanner is plugged back in. A path that has never existed is `absent` (a typo, or a scanner not yet
 * plugged in): warned about at start and polled just the same. Scans are handed to `onScan` exactly
 * as typed ones reach the engine.
 */
import { existsSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createLogger } from '../../../shared/logger.js';
import type { SerialScannerSettings } from '../../../shared/turnstile.js';
import { SerialLink } from '../turnstile/serial-link.js';

const log = createLogger('gate.scanner');

/** Longest line kept while waiting for a terminator; beyond it the scanner is sending noise. */
const MAX_LINE = 4096;

const SPLITTERS: Record<SerialScannerSettings['terminator'], RegExp> = {
  any: /\r\n|\r|\n/,
  cr: /\r/,
  lf: /\n/,
  crlf: /\r\n/,
};

export interface ScannerStatus {
  /** `absent`: the path has not existed since start; `disconnected`: it was there, or cannot be opened. */
  state: 'connected' | 'disconnected' | 'absent';
  path: string;
  message: string | null;
}

export interface SerialScanner {
  status(): ScannerStatus;
  onStatus(listener: (status: ScannerStatus) => void): () => void;
  stop(): Promise<void>;
}

export interface ScannerTuning {
  retryMinMs?: number;
  retryMaxMs?: number;
  watchMs?: number;
}

/** Cuts a byte stream into scans; exported for the unit test of odd chunking. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  constructor(private readonly terminator: SerialScannerSettings['terminator']) {}

  push(chunk: Buffer): string[] {
    this.pending += this.decoder.write(chunk);
    const parts = this.pending.split(SPLITTERS[this.terminator]);
    this.pending = parts.pop() ?? '';
    // Under `any`, a CRLF split across chunks leaves an empty line, which is dropped below.
    if (this.pending.length > MAX_LINE) {
      log.warn('scanner line too long without a terminator; dropped', { length: this.pending.length });
      this.pending = '';
    }
    // Control characters (a stray CR/LF of another terminator, prefixes like STX) are not barcode text.
    return parts.map((part) => part.replace(/[\p{Cc}]/gu, '').trim()).filter((part) => part.length > 0);
  }

  reset(): void {
    this.pending = '';
  }
}

export function startSerialScanner(
  settings: SerialScannerSettings,
  onScan: (barcode: string) => void,
  tuning: ScannerTuning = {},
): SerialScanner {
  const link = new SerialLink({
    path: settings.path,
    baudRate: settings.baud,
    retryMinMs: tuning.retryMinMs ?? 200,
    retryMaxMs: tuning.retryMaxMs ?? 2000,
    watchMs: tuning.watchMs,
  });
  const splitter = new LineSplitter(settings.terminator);
  const listeners = new Set<(status: ScannerStatus) => void>();
  let hasBeenSeen = existsSync(settings.path);
  const status = (): ScannerStatus => {
    if (link.isConnected) return { state: 'connected', path: settings.path, message: null };
    hasBeenSeen ||= existsSync(settings.path);
    return hasBeenSeen
      ? { state: 'disconnected', path: settings.path, message: link.problem ?? 'waiting for the scanner' }
      : { state: 'absent', path: settings.path, message: `no device at ${settings.path}; waiting for it` };
  };
  if (!hasBeenSeen) {
    log.warn('serial scanner not found; polling until it is plugged in', { path: settings.path });
  }
  link.onData((chunk) => {
    for (const barcode of splitter.push(chunk)) {
      try {
        onScan(barcode);
      } catch (error) {
        log.error('scan handler failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  link.onState((state) => {
    // Half a line from before an unplug must not be glued to the first scan after it.
    splitter.reset();
    if (state === 'connected') {
      hasBeenSeen = true;
      log.info('serial scanner connected', { path: settings.path, baud: settings.baud });
    }
    const current = status();
    for (const listener of listeners) listener(current);
  });
  link.start();
  return {
    status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => link.stop(),
  };
}

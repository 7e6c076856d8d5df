/**
 * Log lines to a rotating file (pino-roll): `engine.log` becomes engine.1.log, engine.2.log, …; a new
 * file starts when the current one passes `maxBytes`, and only the newest `keep` files stay. Lines
 * are written synchronously, so the last words before a crash are on disk. The folder is 0700 and
 * the files 0600: logs name gates and events, and are for this PC's staff.
 * Plugged into shared/logger.ts with setLogSink (shared/ itself stays free of Node).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { LogSink } from '../../shared/logger.js';

interface RollStream {
  write(text: string): boolean;
  flushSync(): void;
  end(): void;
  once(event: 'close' | 'finish', listener: () => void): void;
  readonly file: string;
}
type Roll = (options: Record<string, unknown>) => Promise<RollStream>;
const roll = createRequire(import.meta.url)('pino-roll') as Roll;

export interface LogFileOptions {
  /** A file starts afresh past this size (default 5 MB). */
  maxBytes?: number;
  /** How many files are kept, the current one included (default 5). */
  keep?: number;
}

export interface LogFile {
  sink: LogSink;
  /** The file written now. */
  current(): string;
  close(): Promise<void>;
}

/** Opens `file` (e.g. `<data>/logs/engine.log`) for rotating, synchronous appends. */
export async function openLogFile(file: string, options: LogFileOptions = {}): Promise<LogFile> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const stream = await roll({
    file,
    size: `${Math.max(1, Math.ceil((options.maxBytes ?? 5 * 1024 * 1024) / 1024))}k`,
    limit: { count: Math.max(1, (options.keep ?? 5) - 1), removeOtherLogFiles: true },
    sync: true,
    mode: 0o600,
  });
  let isOpen = true;
  return {
    sink: (line) => {
      if (isOpen) stream.write(`${line}\n`);
    },
    current: () => stream.file,
    close: () =>
      new Promise<void>((resolve) => {
        if (!isOpen) return resolve();
        isOpen = false;
        stream.once('close', resolve);
        stream.end();
      }),
  };
}

/** The rotated files of `file`'s series, oldest first (what diagnostics reads). */
export function logFilesOf(file: string): string[] {
  const directory = dirname(file);
  const extension = extname(file);
  const stem = basename(file, extension);
  const pattern = new RegExp(`^${escape(stem)}\\.(\\d+)${escape(extension)}$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, number: Number(pattern.exec(name)?.[1] ?? Number.NaN) }))
    .filter((entry) => Number.isInteger(entry.number))
    .sort((a, b) => a.number - b.number)
    .map((entry) => join(directory, entry.name))
    .filter((path) => statSync(path).isFile());
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

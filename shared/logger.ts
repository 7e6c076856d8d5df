/**
 * One named logger per module: `const log = createLogger('relay.ingest')`. Lines go to one sink
 * (stderr by default in Node, the console in a browser), so that stdout stays for a command's own
 * output such as `listening on …`. Tests and the demo can swap the sink or raise the level; the gate
 * plugs in a rotating file (electron/gate/log-file.ts), alone or beside stderr (`teeLogSinks`).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

// shared/ is compiled without Node or DOM types; every runtime we ship in has a console.
declare const console: { error(line: string): void };
/** The default: stderr in Node, the console in a browser. */
export const consoleLogSink: LogSink = (line) => console.error(line);
let sink: LogSink = consoleLogSink;
let threshold: LogLevel = 'info';

export function setLogSink(next: LogSink): void {
  sink = next;
}

/** One sink that writes each line to every given sink; one failing sink does not stop the others. */
export function teeLogSinks(...sinks: LogSink[]): LogSink {
  return (line) => {
    for (const each of sinks) {
      try {
        each(line);
      } catch {
        // A log line must never take the program down; the other sinks still get it.
      }
    }
  };
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function parseLogLevel(text: string | undefined): LogLevel | null {
  return text !== undefined && text in RANK ? (text as LogLevel) : null;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(name: string): Logger {
  const write =
    (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
      if (RANK[level] < RANK[threshold]) return;
      const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${name}: ${message}${extra}`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * "Export diagnostics": one JSON document a support person can read — versions, the status, the
 * settings as the UI sees them (no token, no PIN hash), counts, and the newest part of each log
 * series. Anything that looks like a secret is blanked: the relay token wherever it appears, bearer
 * headers, and `token`/`pin` fields in log lines.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { arch, hostname, platform, release } from 'node:os';
import type { Engine } from './engine.js';
import { logFilesOf } from './log-file.js';
import { viewSettings } from './settings.js';
import { stats } from './views.js';

/** Newest bytes of logs per series: enough for the last hours, small enough to mail. */
const LOG_BYTES_PER_SERIES = 512 * 1024;

/** The last `budget` bytes of a series, across its rotated files, newest last. */
function tail(files: readonly string[], budget: number): string {
  const parts: string[] = [];
  let left = budget;
  for (const file of [...files].reverse()) {
    if (left <= 0) break;
    const size = statSync(file).size;
    const length = Math.min(size, left);
    const buffer = Buffer.alloc(length);
    const handle = openSync(file, 'r');
    try {
      readSync(handle, buffer, 0, length, size - length);
    } finally {
      closeSync(handle);
    }
    left -= length;
    parts.unshift(buffer.toString('utf8'));
  }
  const text = parts.join('');
  // A cut at the start may land mid-line (or mid-character): drop that first partial line.
  return files.length > 0 && text.length >= budget ? text.slice(text.indexOf('\n') + 1) : text;
}

export function redact(text: string, secrets: readonly string[]): string {
  let clean = text
    .replace(/(bearer\s+)[\w.~+/=-]+/gi, '$1[redacted]')
    .replace(/("(?:token|pin|pinHash|password)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"');
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  return clean;
}

export function diagnostics(engine: Engine, versions: Record<string, string | undefined> = process.versions) {
  const token = engine.secrets.get();
  const secrets = token ? [token] : [];
  const createdAt = engine.now().toISOString();
  const document = {
    createdAt,
    gatehouse: { node: versions.node, electron: versions.electron ?? null },
    machine: { hostname: hostname(), platform: platform(), release: release(), arch: arch() },
    status: engine.status(),
    settings: viewSettings(engine.settings, engine.secrets),
    stats: stats(engine.store, engine.now(), engine.settings.capacity),
    logs: engine.logFiles.map((series) => {
      const files = logFilesOf(series);
      return { series, files, tail: redact(tail(files, LOG_BYTES_PER_SERIES), secrets) };
    }),
  };
  const stamp = createdAt.replace(/[:.]/g, '-');
  const gate = engine.settings.gateName.replace(/[^\w-]+/g, '-').slice(0, 40) || 'gate';
  return {
    fileName: `gatehouse-diagnostics-${gate}-${stamp}.json`,
    text: redact(JSON.stringify(document, null, 2), secrets),
  };
}

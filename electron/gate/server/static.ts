/**
 * Serves the built renderer (dist/renderer/) with a strict CSP. Paths are resolved inside the root
 * and anything that escapes it is refused; unknown paths without a file extension get index.html so
 * the UI's own routes work on reload.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONTENT_TYPES } from '../../../shared/content-types.js';
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp.js';

export function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
}

/** The file to serve for a URL path, or null when it must be refused. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const candidate = resolve(base, `.${normalize(`/${decoded}`)}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  // A client-side route (no extension) falls back to the app; a missing asset is a 404.
  return extname(decoded) === '' ? join(base, 'index.html') : null;
}

export function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): void {
  securityHeaders(response);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const path = new URL(request.url ?? '/', 'http://gate').pathname;
  const file = resolveStatic(root, path);
  if (file === null) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  if (!existsSync(file)) {
    response
      .writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end('The gate UI is not built yet: run `npm run build`. The API is at POST /api/<method>.\n');
    return;
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'max-age=3600',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}

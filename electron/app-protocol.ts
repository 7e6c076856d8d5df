/**
 * The renderer is served from `app://gatehouse/…` rather than `file://`: a standard, secure scheme
 * gives the page a real origin (so CSP `'self'` and the trusted-sender check mean "our files") and
 * no file-system reach. The handler serves only files under the renderer folder: anything that
 * resolves outside it (`..`, encoded slashes, symlinks out) is refused.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { CONTENT_TYPES } from '../shared/content-types.js';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'gatehouse';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
} as const;

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** Whether `path` is `root` itself or inside it (both already resolved). */
function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** The file a request names under `root`, or the status that refuses it. */
async function fileFor(root: string, url: URL): Promise<string | number> {
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return 404;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return 400;
  }
  if (path.includes('\0')) return 400;
  if (path === '/' || path === '') path = '/index.html';
  const file = resolve(root, `.${path}`);
  if (!isInside(root, file)) return 403;
  try {
    // A symlink under the folder must not lead out of it either.
    const real = await realpath(file);
    if (!isInside(await realpath(root), real)) return 403;
    return (await stat(real)).isFile() ? real : 404;
  } catch {
    return 404;
  }
}

/** `protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererFolder))`. */
export function createAppProtocolHandler(rendererRoot: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererRoot);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400, 'bad URL');
    }
    const file = await fileFor(root, url);
    if (typeof file === 'number') return refuse(file, file === 403 ? 'outside the app' : 'not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}

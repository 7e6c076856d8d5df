// The app:// handler (electron/app-protocol.ts) on real files in a temp folder, called the way
// Electron's protocol.handle calls it (a fetch Request in, a Response out): it serves the renderer
// with the CSP, and refuses every way out of the folder.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, APP_URL, createAppProtocolHandler } from '../../electron/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js';
import { makeTempDir, type TempDir } from '../relay/support.js';

let temp: TempDir;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  temp = makeTempDir('gatehouse-app-protocol-');
  mkdirSync(temp.file('renderer/assets'), { recursive: true });
  writeFileSync(temp.file('renderer/index.html'), '<!doctype html><title>Gatehouse</title>');
  writeFileSync(temp.file('renderer/assets/app.js'), 'console.log("app")');
  writeFileSync(temp.file('renderer/assets/app.css'), 'body{}');
  writeFileSync(temp.file('secret.txt'), 'relay token');
  symlinkSync(temp.file('secret.txt'), temp.file('renderer/assets/link.txt'));
  handle = createAppProtocolHandler(temp.file('renderer'));
});
afterAll(() => temp.remove());

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('app:// protocol handler (real files)', () => {
  it('is registered privileged: standard and secure, so the page has an origin of its own', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true },
    });
    expect(APP_URL).toBe('app://gatehouse/index.html');
  });

  it('serves the renderer with its content type and the strict CSP', async () => {
    const page = await get(APP_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Gatehouse</title>');
    const script = await get('app://gatehouse/assets/app.js?v=1#x');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('console.log');
    expect((await get('app://gatehouse/')).status).toBe(200);
    expect((await get('app://gatehouse/assets/missing.js')).status).toBe(404);
    expect((await get('app://gatehouse/assets')).status).toBe(404);
  });

  it.each([
    'app://gatehouse/..%2Fsecret.txt',
    'app://gatehouse/assets/..%2F..%2Fsecret.txt',
    'app://gatehouse/%2E%2E%2Fsecret.txt',
    'app://gatehouse/..%5Csecret.txt',
    // An absolute path encoded into one segment is still taken under the folder.
    'app://gatehouse/ABSOLUTE',
  ])('refuses a path that leaves the renderer folder: %s', async (url) => {
    const answer = await get(url.replace('ABSOLUTE', encodeURIComponent(temp.file('secret.txt'))));
    expect([403, 404]).toContain(answer.status);
    expect(await answer.text()).not.toContain('relay token');
  });

  it('refuses plain ../ (normalised away by the URL parser) and symlinks leading out', async () => {
    for (const url of ['app://gatehouse/../secret.txt', 'app://gatehouse/assets/../../secret.txt']) {
      const answer = await get(url);
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain('relay token');
    }
    const link = await get('app://gatehouse/assets/link.txt');
    expect(link.status).toBe(403);
    expect(await link.text()).not.toContain('relay token');
  });

  it('answers only its own host, only GET and HEAD, and refuses NUL bytes', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
    expect((await get(APP_URL, 'POST')).status).toBe(405);
    const head = await get(APP_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('app://gatehouse/index.html%00.png')).status).toBe(400);
    expect((await get('app://gatehouse/%E0%A4%A')).status).toBe(400);
  });
});

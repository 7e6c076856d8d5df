/**
 * The camera scanner in real Chromium with a real (fake-device) camera: Chromium's file-backed
 * capture plays a Y4M frame holding a QR code we encode here, the component built by Vite runs under
 * the app's CSP, and the barcode comes out of `onScan`. Also: off by default, no camera asked for.
 */
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { BarcodeFormat, QRCodeWriter } from '@zxing/library';
import react from '@vitejs/plugin-react';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../relay/support.js';
import { tempDir } from './support.js';

const TEXT = 'GATE-CAM-0042';
const WIDTH = 640;
const HEIGHT = 480;

/** One 4:2:0 Y4M frame, white with the QR code in the middle; Chromium loops it as the camera. */
function writeY4m(path: string): void {
  const matrix = new QRCodeWriter().encode(TEXT, BarcodeFormat.QR_CODE, 300, 300, new Map());
  const luma = Buffer.alloc(WIDTH * HEIGHT, 235);
  const left = (WIDTH - matrix.getWidth()) >> 1;
  const top = (HEIGHT - matrix.getHeight()) >> 1;
  for (let y = 0; y < matrix.getHeight(); y += 1) {
    for (let x = 0; x < matrix.getWidth(); x += 1)
      if (matrix.get(x, y)) luma[(top + y) * WIDTH + left + x] = 16;
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\nFRAME\n`),
      luma,
      chroma,
    ]),
  );
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

function serve(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, new URL(request.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(root) || !existsSync(path)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('camera scanner in Chromium with a fake camera', () => {
  const dir = tempDir('camera');
  let server: Server;
  let browser: Browser;
  let origin = '';

  beforeAll(async () => {
    const outDir = join(dir.path, 'site');
    await build({
      configFile: false,
      root: join(REPO_ROOT, 'renderer', 'camera', 'harness'),
      base: './',
      logLevel: 'warn',
      plugins: [react()],
      build: {
        outDir,
        emptyOutDir: true,
        assetsInlineLimit: 0,
        modulePreload: { polyfill: false },
        target: 'es2022',
        chunkSizeWarningLimit: 2000,
      },
    });
    server = await serve(outDir);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const y4m = join(dir.path, 'camera.y4m');
    writeY4m(y4m);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`,
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    dir.remove();
  });

  it('reads the QR code the camera sees, under the CSP of the app, and hands it to onScan', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${origin}/index.html?enabled=1`);
    await page.waitForFunction(() => (window as unknown as { scans: string[] }).scans.length > 0, undefined, {
      timeout: 30_000,
    });
    const probe = await page.evaluate(() => {
      const { scans, states } = window as unknown as { scans: string[]; states: string[] };
      return { scans: [...scans], states: [...states] };
    });
    expect(probe.scans[0]).toBe(TEXT);
    expect(probe.states).toContain('scanning');
    expect(await page.getByRole('status').textContent()).toBe('Hold the barcode in view');
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('is off by default: no camera is opened and nothing is shown', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const calls = { count: 0 };
      (window as unknown as { cameraCalls: typeof calls }).cameraCalls = calls;
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) => {
        calls.count += 1;
        return original(constraints);
      };
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => (window as unknown as { states: string[] }).states.includes('off'));
    expect(
      await page.evaluate(() => (window as unknown as { cameraCalls: { count: number } }).cameraCalls.count),
    ).toBe(0);
    expect(await page.locator('video').count()).toBe(0);
    await page.close();
  });
});

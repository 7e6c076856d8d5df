// Playwright `_electron` specs: launch the real app, scan, and settings. They need an Electron
// binary (node_modules/electron/dist, downloaded by `npm ci` on a machine with internet access);
// where there is none they skip and print why.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { GATE_METHODS } from '../../shared/gate-api.js';
import { REPO_ROOT, makeTempDir, type TempDir } from '../relay/support.js';

function electronBinary(): { path: string | null; reason: string } {
  try {
    // The electron package's main export is the path of its binary; it throws when never downloaded.
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path, reason: '' };
    return { path: null, reason: `skipped: no Electron binary at ${String(path)}` };
  } catch (error) {
    return {
      path: null,
      reason: `skipped: no Electron binary here (${(error as Error).message.split('\n')[0]}); run on a machine where \`npm ci\` could download Electron`,
    };
  }
}

const binary = electronBinary();
const hasBuild =
  existsSync(`${REPO_ROOT}/dist/electron/main.js`) &&
  existsSync(`${REPO_ROOT}/dist/electron/engine-host.js`) &&
  existsSync(`${REPO_ROOT}/dist/electron/preload.cjs`) &&
  existsSync(`${REPO_ROOT}/dist/renderer/index.html`);
const hasNativeBinding = existsSync(
  `${REPO_ROOT}/build/native/${process.platform}-${process.arch}/better_sqlite3.node`,
);
let app: ElectronApplication | null = null;
let page: Page | null = null;
let temp: TempDir | null = null;

/** The app's window, or a printed reason and a skip where no Electron can run. */
function windowOrSkip(skip: (note?: string) => never): Page {
  const reason =
    binary.path === null
      ? binary.reason
      : !hasBuild
        ? 'skipped: dist/ is not built (npm run build)'
        : !hasNativeBinding
          ? 'skipped: no Electron build of better-sqlite3 in build/native/ (npm run native)'
          : '';
  if (reason || !page) {
    console.log(reason || 'skipped: the app did not open a window');
    return skip(reason);
  }
  return page;
}

beforeAll(async () => {
  if (binary.path === null || !hasBuild || !hasNativeBinding) return;
  temp = makeTempDir('gatehouse-electron-');
  app = await _electron.launch({
    executablePath: binary.path,
    args: [REPO_ROOT],
    cwd: REPO_ROOT,
    env: { ...process.env, GATEHOUSE_USER_DATA: temp.path },
  });
  page = await app.firstWindow();
});
afterAll(async () => {
  await app?.close();
  temp?.remove();
});

describe('Electron app (Playwright _electron)', () => {
  it('launches one hardened window showing first run', async (context) => {
    const page = windowOrSkip(context.skip);
    const windows = await (app as ElectronApplication).evaluate(
      ({ BrowserWindow }) => BrowserWindow.getAllWindows().length,
    );
    expect(windows).toBe(1);
    // No Node in the page; only the preload's named functions.
    expect(
      await page.evaluate(() => [
        typeof (globalThis as { require?: unknown }).require,
        typeof (globalThis as { process?: unknown }).process,
      ]),
    ).toEqual(['undefined', 'undefined']);
    const exposed = await page.evaluate(() =>
      Object.keys((globalThis as unknown as { gatehouse: { api: object } }).gatehouse.api).sort(),
    );
    expect(exposed).toEqual([...GATE_METHODS].sort());
    await page.locator('[data-testid="first-run"]').waitFor();
  });

  it('scans an unknown barcode and shows DENY', async (context) => {
    const page = windowOrSkip(context.skip);
    await page.getByText('Skip for now').click();
    await page.locator('[data-testid="scan-input"]').waitFor();
    await page.keyboard.type('ELECTRON-UNKNOWN-1');
    await page.keyboard.press('Enter');
    const result = page.locator('[data-testid="scan-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-result')).toBe('deny');
  });

  it('settings refuse a bad relay URL with the field named', async (context) => {
    const page = windowOrSkip(context.skip);
    await page.keyboard.press('F4');
    await page.locator('[data-testid="setting-relayUrl"]').fill('ftp://nope.example');
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid="error-relayUrl"]').innerText()).toContain('Relay URL');
  });

  it('serves the page from app://, never file://', async (context) => {
    const page = windowOrSkip(context.skip);
    expect(page.url()).toMatch(/^app:\/\/gatehouse\//);
  });

  it('reloads a crashed renderer by itself', async (context) => {
    windowOrSkip(context.skip);
    const reloaded = await (app as ElectronApplication).evaluate(
      ({ BrowserWindow }) =>
        new Promise<boolean>((resolve) => {
          const contents = BrowserWindow.getAllWindows()[0]?.webContents;
          if (!contents) return resolve(false);
          contents.once('did-finish-load', () => resolve(true));
          contents.forcefullyCrashRenderer();
        }),
    );
    expect(reloaded).toBe(true);
  });

  it('restarts a killed engine; the banner says so meanwhile; scans work again', async (context) => {
    const page = windowOrSkip(context.skip);
    const pid = await (app as ElectronApplication).evaluate(
      ({ app: electronApp }) =>
        electronApp.getAppMetrics().find((metric) => metric.serviceName === 'Gatehouse engine')?.pid ?? null,
    );
    expect(pid).not.toBeNull();
    process.kill(pid as number, 'SIGKILL');
    const banner = page.locator('[data-testid="gate-unreachable-banner"]');
    await banner.waitFor();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.type('AFTER-ENGINE-RESTART');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="scan-result"]').waitFor();
  });
});

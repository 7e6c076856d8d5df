/**
 * Electron main: one instance, one hardened window, the gate engine in this process. Quitting
 * stops the engine (sync client, turnstile, database) before the app exits.
 *
 * Flags: `--kiosk` forces kiosk/fullscreen (else the Kiosk setting decides); `--start-at-login=on|off`
 * registers or removes the app as a login item (Windows, macOS; Linux uses the .desktop autostart).
 * GATEHOUSE_USER_DATA moves the data folder (portable installs, and each test its own temp dir).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, app, ipcMain, safeStorage, session } from 'electron';
import { createLogger } from '../shared/logger.js';
import { startGate, type GateEngine } from './gate/index.js';
import { createDemoControl } from './demo.js';
import { forwardEvents, registerGateIpc } from './ipc.js';
import { SafeSecretStore } from './safe-secret-store.js';
import { hardenContents, hardenSession, isTrustedSender } from './security.js';
import { registerShellIpc } from './shell-ipc.js';
import { createGateWindow } from './window.js';

const log = createLogger('shell.main');
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, 'preload.cjs');
const indexHtml = join(here, '..', 'renderer', 'index.html');
const appUrl = pathToFileURL(indexHtml).href;

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((argument) => argument.startsWith(prefix))?.slice(prefix.length);
}

const userDataOverride = process.env.GATEHOUSE_USER_DATA;
if (userDataOverride) app.setPath('userData', userDataOverride);

async function run(): Promise<void> {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  await app.whenReady();
  hardenSession(session.defaultSession);

  const loginItem = flag('start-at-login');
  if (loginItem === 'on' || loginItem === 'off')
    app.setLoginItemSettings({ openAtLogin: loginItem === 'on' });

  const userData = app.getPath('userData');
  const engine: GateEngine = await startGate({
    dataDir: join(userData, 'gate'),
    secrets: new SafeSecretStore(safeStorage, join(userData, 'relay-token.enc')),
  });
  const demo = createDemoControl(userData, engine);
  await demo
    .resume()
    .catch((error: unknown) => log.error('the demo did not restart', { error: String(error) }));
  const settings = await engine.handlers.getSettings({});
  const isKiosk = process.argv.includes('--kiosk') || (settings.ok && settings.value.kiosk);
  const window = createGateWindow(BrowserWindow, { preloadPath, isKiosk });

  // The Kiosk setting takes effect at once when saved.
  const handlers = {
    ...engine.handlers,
    updateSettings: async (input: unknown) => {
      const answer = await engine.handlers.updateSettings(input);
      if (answer.ok && !window.isDestroyed()) {
        window.setKiosk(answer.value.kiosk);
        window.setFullScreen(answer.value.kiosk);
      }
      return answer;
    },
  };
  const isTrusted = (frame: { url: string; parent: unknown } | null) => isTrustedSender(frame, appUrl);
  const disposers = [
    registerGateIpc({ ipcMain, handlers, isTrusted }),
    registerShellIpc({ ipcMain, isTrusted, startDemo: demo.start }),
    forwardEvents(engine.onEvent, window.webContents),
  ];

  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());

  let isStopped = false;
  app.on('before-quit', (event) => {
    if (isStopped) return;
    event.preventDefault();
    disposers.reverse().forEach((dispose) => dispose());
    const stopAll = async () => {
      await demo
        .stop()
        .catch((error: unknown) => log.error('demo did not stop cleanly', { error: String(error) }));
      await engine.stop();
      log.info('gate engine stopped');
    };
    stopAll()
      .catch((error: unknown) => log.error('gate engine did not stop cleanly', { error: String(error) }))
      .finally(() => {
        isStopped = true;
        app.quit();
      });
  });

  await window.loadFile(indexHtml);
}

// A second launch focuses the first window instead of opening a second engine on the same database.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run().catch((error: unknown) => {
    log.error('the gate app failed to start', { error: String(error) });
    app.exit(1);
  });
}

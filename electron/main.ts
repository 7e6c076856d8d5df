/**
 * Electron main: one instance, one hardened window serving the renderer from app://, and the gate
 * engine in its own process (utilityProcess, see engine-host.ts) so bulk work never stalls the
 * window. Main only brokers IPC, keeps the window alive (a crashed renderer is reloaded, a crashed
 * engine restarted with backoff) and applies the shell's settings (kiosk, open at login).
 *
 * Flags: `--kiosk` forces kiosk/fullscreen (else the Kiosk setting decides); `--start-at-login=on|off`
 * sets the "Open at login" setting. GATEHOUSE_USER_DATA moves the data folder (portable installs, and
 * each test its own temp dir). Logs: <data folder>/logs/main.N.log and engine.N.log.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  Menu,
  app,
  ipcMain,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
} from 'electron';
import {
  GATE_METHODS,
  type ApiResult,
  type GateEvent,
  type GateMethod,
  type SettingsView,
} from '../shared/gate-api.js';
import { consoleLogSink, createLogger, setLogSink, teeLogSinks } from '../shared/logger.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, createAppProtocolHandler } from './app-protocol.js';
import { EngineSupervisor, type UtilityProcessLike } from './engine-supervisor.js';
import { SQLITE_BINDING_ENV, openLogFile } from './gate/index.js';
import { forwardEvents, registerGateIpc, type HandlerTable } from './ipc.js';
import { guardKiosk } from './kiosk.js';
import { applyOpenAtLogin } from './login-item.js';
import { missingBinding, sqliteBindingPath } from './native.js';
import { SafeSecretStore } from './safe-secret-store.js';
import { hardenContents, hardenSession, isTrustedSender } from './security.js';
import { registerShellIpc } from './shell-ipc.js';
import { createGateWindow, reloadWhenRendererGone } from './window.js';

const log = createLogger('shell.main');
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, 'preload.cjs');
const enginePath = join(here, 'engine-host.js');
const rendererRoot = join(here, '..', 'renderer');
const startedAt = Date.now();

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((argument) => argument.startsWith(prefix))?.slice(prefix.length);
}

const userDataOverride = process.env.GATEHOUSE_USER_DATA;
if (userDataOverride) app.setPath('userData', userDataOverride);
// Before `ready`: app:// gets an origin of its own (standard, secure) instead of file://.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/**
 * An error nobody caught in main: logged; then the app starts afresh (like a supervisor would),
 * unless it happens right at start, where a relaunch would only loop.
 */
function onMainCrash(kind: string) {
  return (error: unknown) => {
    log.error(`${kind} in the main process`, {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    if (Date.now() - startedAt > 30_000) app.relaunch();
    app.exit(70);
  };
}
process.on('uncaughtException', onMainCrash('uncaught exception'));
process.on('unhandledRejection', onMainCrash('unhandled promise rejection'));

async function run(): Promise<void> {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  await app.whenReady();
  const userData = app.getPath('userData');
  const logsDir = join(userData, 'logs');
  const mainLog = await openLogFile(join(logsDir, 'main.log'));
  setLogSink(teeLogSinks(consoleLogSink, mainLog.sink));

  const binding = sqliteBindingPath({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    platform: process.platform,
    arch: process.arch,
  });
  const missing = missingBinding(binding, app.isPackaged);
  if (missing) throw new Error(missing);

  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot));
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);

  const secrets = new SafeSecretStore(safeStorage, join(userData, 'relay-token.enc'));
  const engineEvents = new Set<(event: GateEvent) => void>();
  const supervisor = new EngineSupervisor({
    fork: () =>
      utilityProcess.fork(enginePath, [], {
        serviceName: 'Gatehouse engine',
        env: { ...process.env, [SQLITE_BINDING_ENV]: binding },
        stdio: 'inherit',
      }) as unknown as UtilityProcessLike,
    startMessage: () => ({
      type: 'start',
      dataDir: join(userData, 'gate'),
      userData,
      logFile: join(logsDir, 'engine.log'),
      diagnosticLogs: [join(logsDir, 'engine.log'), join(logsDir, 'main.log')],
      token: secrets.get(),
      canStoreToken: safeStorage.isEncryptionAvailable(),
    }),
    onEvent: (event) => engineEvents.forEach((listener) => listener(event)),
    onState: (state) => log.info('gate engine', { state: state.state, message: state.message }),
    storeToken: (token) => secrets.set(token),
  });
  await supervisor.start();

  const settingsAnswer = await supervisor.call('getSettings', {});
  const settings = settingsAnswer.ok ? (settingsAnswer.value as SettingsView) : null;
  const loginFlag = flag('start-at-login');
  if (loginFlag === 'on' || loginFlag === 'off') {
    const saved = await supervisor.call('updateSettings', { changes: { openAtLogin: loginFlag === 'on' } });
    // With a staff PIN set the flag still applies now, but is not saved: Settings (with the PIN) is.
    if (!saved.ok) log.warn('--start-at-login applied but not saved', { problem: saved.error.message });
  }
  const applyLoginItem = (isOn: boolean) =>
    applyOpenAtLogin(isOn, {
      platform: process.platform,
      setLoginItemSettings: (value) => app.setLoginItemSettings(value),
      home: app.getPath('home'),
      xdgConfigHome: process.env.XDG_CONFIG_HOME,
      executable: process.env.APPIMAGE ?? process.execPath,
    });
  applyLoginItem(loginFlag ? loginFlag === 'on' : (settings?.openAtLogin ?? false));

  const isKiosk = process.argv.includes('--kiosk') || (settings?.kiosk ?? false);
  const gateWindow = createGateWindow(BrowserWindow, { preloadPath, isKiosk });
  const kiosk = guardKiosk(gateWindow, isKiosk);

  // Every gate method goes to the engine process; the shell settings take effect when saved.
  const handlers = Object.fromEntries(
    GATE_METHODS.map((method) => [method, (input: unknown) => supervisor.call(method, input)]),
  ) as HandlerTable;
  handlers.updateSettings = async (input: unknown) => {
    const answer: ApiResult<unknown> = await supervisor.call('updateSettings' satisfies GateMethod, input);
    if (answer.ok) {
      const view = answer.value as SettingsView;
      kiosk.set(view.kiosk);
      applyLoginItem(view.openAtLogin);
    }
    return answer;
  };
  const isTrusted = (frame: { url: string; parent: unknown } | null) => isTrustedSender(frame, APP_URL);
  const disposers = [
    registerGateIpc({ ipcMain, handlers, isTrusted }),
    registerShellIpc({
      ipcMain,
      isTrusted,
      startDemo: async () => {
        const answer = await supervisor.startDemo();
        if (!answer.ok) throw new Error(answer.message);
      },
      openLogsFolder: () => shell.openPath(logsDir),
    }),
    reloadWhenRendererGone(gateWindow.webContents, (details) =>
      log.error('the window’s renderer is gone; reloading it', details),
    ),
    () => kiosk.dispose(),
    forwardEvents((listener) => {
      engineEvents.add(listener);
      return () => engineEvents.delete(listener);
    }, gateWindow.webContents),
  ];

  app.on('second-instance', () => {
    if (gateWindow.isMinimized()) gateWindow.restore();
    gateWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  powerMonitor.on('shutdown', () => kiosk.allowClose());

  let isStopped = false;
  app.on('before-quit', (event) => {
    kiosk.allowClose();
    if (isStopped) return;
    event.preventDefault();
    disposers.reverse().forEach((dispose) => dispose());
    supervisor
      .stop()
      .catch((error: unknown) => log.error('gate engine did not stop cleanly', { error: String(error) }))
      .finally(() => {
        isStopped = true;
        void mainLog.close().finally(() => app.quit());
      });
  });

  await gateWindow.loadURL(APP_URL);
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

// The shell's kiosk life with FAKE Electron objects (no Electron binary runs here) and real files
// where there are files: open at login (login item on Windows/macOS, an XDG autostart .desktop
// entry under a temp HOME on Linux), the kiosk window that cannot be closed or left without turning
// Kiosk off, a crashed renderer reloaded (calmly when it keeps crashing), the native binding's place.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guardKiosk, type KioskWindowLike } from '../../electron/kiosk.js';
import { applyOpenAtLogin, autostartPath, type LoginItemHost } from '../../electron/login-item.js';
import { missingBinding, sqliteBindingPath } from '../../electron/native.js';
import { reloadWhenRendererGone, type RendererContentsLike } from '../../electron/window.js';
import { registerShellIpc } from '../../electron/shell-ipc.js';
import { isTrustedSender } from '../../electron/security.js';
import type { InvokeEventLike } from '../../electron/ipc.js';
import { APP_URL } from '../../electron/app-protocol.js';
import { makeTempDir, type TempDir } from '../relay/support.js';

const temps: TempDir[] = [];
afterEach(() => temps.splice(0).forEach((temp) => temp.remove()));
function temp(): TempDir {
  const made = makeTempDir('gatehouse-shell-');
  temps.push(made);
  return made;
}

function host(platform: NodeJS.Platform, home: string, extra: Partial<LoginItemHost> = {}) {
  const calls: { openAtLogin: boolean }[] = [];
  const value: LoginItemHost = {
    platform,
    home,
    executable: '/opt/Gatehouse/gatehouse',
    setLoginItemSettings: (settings) => calls.push(settings),
    ...extra,
  };
  return { value, calls };
}

describe('open at login (fake app, temp HOME)', () => {
  it('Linux: writes an XDG autostart entry that starts this executable, and removes it', () => {
    const home = temp();
    const linux = host('linux', home.path, { executable: '/home/door staff/Gatehouse "v1".AppImage' });
    applyOpenAtLogin(true, linux.value);
    const path = join(home.path, '.config', 'autostart', 'gatehouse.desktop');
    expect(autostartPath(linux.value)).toBe(path);
    const entry = readFileSync(path, 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Gatehouse\n/);
    expect(entry).toContain('Exec="/home/door staff/Gatehouse \\"v1\\".AppImage"\n');
    expect(entry).toContain('X-GNOME-Autostart-enabled=true');
    expect(linux.calls).toEqual([]);
    applyOpenAtLogin(false, linux.value);
    expect(existsSync(path)).toBe(false);
    applyOpenAtLogin(false, linux.value); // already off: no error
  });

  it('Linux honours XDG_CONFIG_HOME; a failure is logged, never thrown', () => {
    const home = temp();
    const linux = host('linux', home.path, { xdgConfigHome: home.file('xdg') });
    applyOpenAtLogin(true, linux.value);
    expect(readFileSync(home.file('xdg/autostart/gatehouse.desktop'), 'utf8')).toContain(
      'Exec=/opt/Gatehouse/gatehouse\n',
    );
    writeFileSync(home.file('blocked'), 'a file where a folder should be');
    expect(() => applyOpenAtLogin(true, host('linux', home.file('blocked')).value)).not.toThrow();
  });

  it('Windows and macOS: the login item', () => {
    for (const platform of ['win32', 'darwin'] as const) {
      const other = host(platform, temp().path);
      applyOpenAtLogin(true, other.value);
      applyOpenAtLogin(false, other.value);
      expect(other.calls).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
    }
  });
});

class FakeWindow implements KioskWindowLike {
  readonly listeners = new Map<string, ((...args: never[]) => void)[]>();
  isKiosk = false;
  isFullScreen = false;
  on(event: string, listener: (...args: never[]) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  removeListener(event: string, listener: (...args: never[]) => void) {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((each) => each !== listener),
    );
    return this;
  }
  setKiosk(value: boolean) {
    this.isKiosk = value;
  }
  setFullScreen(value: boolean) {
    this.isFullScreen = value;
  }
  isDestroyed() {
    return false;
  }
  /** Fires `close` the way Alt+F4 or the window manager would; true when it was refused. */
  tryClose(): boolean {
    let isPrevented = false;
    for (const listener of this.listeners.get('close') ?? [])
      (listener as (event: { preventDefault(): void }) => void)({
        preventDefault: () => (isPrevented = true),
      });
    return isPrevented;
  }
  leaveFullScreen() {
    this.isFullScreen = false;
    for (const listener of this.listeners.get('leave-full-screen') ?? []) (listener as () => void)();
  }
}

describe('kiosk window (fake BrowserWindow)', () => {
  it('in kiosk the window can be neither closed nor left; Kiosk off (the PIN-guarded setting) frees it', () => {
    const window = new FakeWindow();
    const guard = guardKiosk(window, true);
    expect(window.tryClose()).toBe(true);
    window.leaveFullScreen();
    expect(window.isFullScreen).toBe(true);

    guard.set(false);
    expect([window.isKiosk, window.isFullScreen]).toEqual([false, false]);
    window.leaveFullScreen();
    expect(window.isFullScreen).toBe(false);
    expect(window.tryClose()).toBe(false);

    guard.set(true);
    expect([window.isKiosk, window.isFullScreen]).toEqual([true, true]);
    expect(window.tryClose()).toBe(true);
    guard.allowClose(); // the app is quitting (OS shutdown, installer)
    expect(window.tryClose()).toBe(false);
    guard.dispose();
    expect(window.listeners.get('close')).toEqual([]);
  });
});

describe('renderer crash (fake webContents)', () => {
  function contents() {
    let listener: ((event: unknown, details: { reason: string; exitCode: number }) => void) | null = null;
    const fake: RendererContentsLike & { reloads: number; gone(reason: string): void } = {
      reloads: 0,
      on: (_event, next) => (listener = next),
      reload() {
        fake.reloads += 1;
      },
      isDestroyed: () => false,
      gone: (reason) => listener?.({}, { reason, exitCode: 139 }),
    };
    return fake;
  }

  it('reloads a crashed or killed renderer; calmly when it keeps crashing; not on a clean exit', () => {
    const fake = contents();
    let clock = 0;
    const scheduled: { ms: number; run: () => void }[] = [];
    const gone: string[] = [];
    const dispose = reloadWhenRendererGone(fake, (details) => gone.push(details.reason), {
      calmMs: 10_000,
      now: () => clock,
      schedule: (run, ms) => {
        scheduled.push({ ms, run });
        return () => undefined;
      },
    });
    fake.gone('crashed');
    fake.gone('killed');
    scheduled.forEach((entry) => entry.run());
    expect(scheduled.map((entry) => entry.ms)).toEqual([0, 0]);
    expect(fake.reloads).toBe(2);
    fake.gone('oom');
    expect(scheduled.at(-1)?.ms).toBe(10_000);
    clock += 61_000;
    fake.gone('crashed');
    expect(scheduled.at(-1)?.ms).toBe(0);
    const before = scheduled.length;
    fake.gone('clean-exit');
    expect(scheduled.length).toBe(before);
    expect(gone).toEqual(['crashed', 'killed', 'oom', 'crashed', 'clean-exit']);
    dispose();
    fake.gone('crashed');
    expect(scheduled.length).toBe(before);
  });
});

describe('the Electron-ABI binding’s place', () => {
  it('resources/native in the package, build/native/<platform>-<arch> in the repository', () => {
    const place = {
      resourcesPath: '/opt/g/resources',
      appPath: '/src/gatehouse',
      platform: 'linux',
      arch: 'x64',
    };
    expect(sqliteBindingPath({ ...place, isPackaged: true })).toBe(
      '/opt/g/resources/native/better_sqlite3.node',
    );
    expect(sqliteBindingPath({ ...place, isPackaged: false })).toBe(
      '/src/gatehouse/build/native/linux-x64/better_sqlite3.node',
    );
    expect(missingBinding('/nowhere/better_sqlite3.node', false)).toMatch(/missing: run `npm run native`/);
    expect(missingBinding('/nowhere/better_sqlite3.node', true)).toMatch(/reinstall Gatehouse/);
    const dir = temp();
    writeFileSync(dir.file('better_sqlite3.node'), 'x');
    expect(missingBinding(dir.file('better_sqlite3.node'), false)).toBeNull();
  });
});

describe('shell IPC: open the logs folder (fake ipcMain)', () => {
  it('opens it for our page, says why when it cannot, refuses strangers', async () => {
    const handlers = new Map<string, (event: InvokeEventLike, input?: unknown) => Promise<unknown>>();
    const opened: string[] = [];
    let problem = '';
    registerShellIpc({
      ipcMain: {
        handle: (channel, listener) => handlers.set(channel, listener),
        removeHandler: (channel) => handlers.delete(channel),
      },
      isTrusted: (frame) => isTrustedSender(frame, APP_URL),
      openLogsFolder: async () => {
        opened.push('logs');
        return problem;
      },
    });
    const open = handlers.get('shell:openLogsFolder');
    expect(await open?.({ senderFrame: { url: APP_URL, parent: null } })).toEqual({ ok: true });
    problem = 'no file manager';
    expect(await open?.({ senderFrame: { url: APP_URL, parent: null } })).toEqual({
      ok: false,
      message: 'the logs folder did not open: no file manager',
    });
    expect(await open?.({ senderFrame: { url: 'file:///etc/passwd', parent: null } })).toMatchObject({
      ok: false,
    });
    expect(opened).toHaveLength(2);
  });
});

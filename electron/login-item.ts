/**
 * "Open at login": Windows and macOS keep a login item (`app.setLoginItemSettings`); Linux desktops
 * start what `~/.config/autostart/*.desktop` names (XDG autostart), so the app writes or removes its
 * own entry there. Takes the platform's parts as a narrow interface so tests can use fakes and a
 * temporary HOME.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../shared/logger.js';

const log = createLogger('shell.login');

export const AUTOSTART_FILE = 'gatehouse.desktop';

export interface LoginItemHost {
  platform: NodeJS.Platform;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  /** The user's home and XDG config folder (Linux). */
  home: string;
  xdgConfigHome?: string;
  /** What to start: the AppImage when running from one, else the executable. */
  executable: string;
}

/** Quotes one argument of a desktop entry's Exec line (freedesktop.org Desktop Entry spec). */
function execArgument(text: string): string {
  if (/^[\w/.+-]+$/.test(text)) return text;
  return `"${text.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Gatehouse',
    'Comment=Scan Moshtix tickets at the door, online or offline',
    `Exec=${execArgument(executable)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartPath(host: Pick<LoginItemHost, 'home' | 'xdgConfigHome'>): string {
  return join(host.xdgConfigHome || join(host.home, '.config'), 'autostart', AUTOSTART_FILE);
}

/** Makes the system start (or stop starting) the app at login. Errors are logged, never thrown. */
export function applyOpenAtLogin(isOn: boolean, host: LoginItemHost): void {
  try {
    if (host.platform === 'win32' || host.platform === 'darwin') {
      host.setLoginItemSettings({ openAtLogin: isOn });
    } else if (host.platform === 'linux') {
      const path = autostartPath(host);
      if (isOn) {
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, autostartEntry(host.executable), { mode: 0o644 });
      } else {
        rmSync(path, { force: true });
      }
    } else {
      log.warn('open at login is not supported on this system', { platform: host.platform });
      return;
    }
    log.info('open at login', { isOn });
  } catch (error) {
    log.error('could not change open at login', { isOn, error: String(error) });
  }
}

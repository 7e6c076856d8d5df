/** The one gate window: secure webPreferences, dark until painted, kiosk/fullscreen when asked. */
import type { BrowserWindowConstructorOptions } from 'electron';
import { secureWebPreferences } from './security.js';

export interface WindowOptions {
  preloadPath: string;
  isKiosk: boolean;
}

export function gateWindowOptions({ preloadPath, isKiosk }: WindowOptions): BrowserWindowConstructorOptions {
  return {
    title: 'Gatehouse',
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    backgroundColor: '#0b0d10',
    autoHideMenuBar: true,
    kiosk: isKiosk,
    fullscreen: isKiosk,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

export interface WindowLike {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
}

export function createGateWindow<W extends WindowLike>(
  Window: new (options: BrowserWindowConstructorOptions) => W,
  options: WindowOptions,
): W {
  const window = new Window(gateWindowOptions(options));
  window.once('ready-to-show', () => window.show());
  return window;
}

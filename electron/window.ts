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

export interface RendererContentsLike {
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { reason: string; exitCode: number }) => void,
  ): unknown;
  reload(): void;
  isDestroyed(): boolean;
}

/**
 * A renderer that crashes, is killed or runs out of memory leaves a blank full-screen window: reload
 * it. Crashing over and over (3 within a minute) waits `calmMs` before the next reload rather than
 * spinning. Returns the remover; `now` and `schedule` are for tests.
 */
export function reloadWhenRendererGone(
  contents: RendererContentsLike,
  onGone: (details: { reason: string; exitCode: number }) => void,
  options: {
    calmMs?: number;
    now?: () => number;
    schedule?: (run: () => void, ms: number) => () => void;
  } = {},
): () => void {
  const now = options.now ?? Date.now;
  const schedule =
    options.schedule ??
    ((run: () => void, ms: number) => {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    });
  const recent: number[] = [];
  let cancel: (() => void) | null = null;
  let isDisposed = false;
  // The listener lives as long as the window's contents; after dispose it does nothing.
  const listener = (_event: unknown, details: { reason: string; exitCode: number }) => {
    if (isDisposed) return;
    onGone(details);
    // A clean exit is the app shutting the page down, not a crash.
    if (details.reason === 'clean-exit') return;
    const at = now();
    recent.push(at);
    while (recent.length > 0 && (recent[0] ?? at) < at - 60_000) recent.shift();
    const delay = recent.length >= 3 ? (options.calmMs ?? 10_000) : 0;
    cancel?.();
    cancel = schedule(() => {
      cancel = null;
      if (!contents.isDestroyed()) contents.reload();
    }, delay);
  };
  contents.on('render-process-gone', listener);
  return () => {
    isDisposed = true;
    cancel?.();
  };
}

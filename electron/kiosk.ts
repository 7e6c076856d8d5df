/**
 * Kiosk life: while the Kiosk setting is on, the window stays full screen and cannot be closed from
 * the keyboard (Alt+F4, a window manager's close) or left (leave-full-screen is undone). The only way
 * out is Settings → Kiosk off, which needs the staff PIN when one is set. Quitting the app itself
 * (OS shutdown, the installer) still closes the window.
 */
import { createLogger } from '../shared/logger.js';

const log = createLogger('shell.kiosk');

export interface KioskWindowLike {
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'leave-full-screen', listener: () => void): unknown;
  removeListener(event: 'close' | 'leave-full-screen', listener: (...args: never[]) => void): unknown;
  setKiosk(isKiosk: boolean): void;
  setFullScreen(isFullScreen: boolean): void;
  isDestroyed(): boolean;
}

export interface KioskGuard {
  /** Applies a new Kiosk setting at once. */
  set(isKiosk: boolean): void;
  isKiosk(): boolean;
  /** The app is quitting: closing is allowed from now on. */
  allowClose(): void;
  dispose(): void;
}

export function guardKiosk(window: KioskWindowLike, isKioskAtStart: boolean): KioskGuard {
  let isKiosk = isKioskAtStart;
  let isClosingAllowed = false;
  const onClose = (event: { preventDefault(): void }) => {
    if (!isKiosk || isClosingAllowed) return;
    event.preventDefault();
    log.warn('closing the kiosk window refused; turn Kiosk off in Settings (staff PIN) first');
  };
  const onLeave = () => {
    if (isKiosk && !isClosingAllowed && !window.isDestroyed()) window.setFullScreen(true);
  };
  window.on('close', onClose);
  window.on('leave-full-screen', onLeave);
  return {
    set(next) {
      isKiosk = next;
      if (window.isDestroyed()) return;
      window.setKiosk(next);
      window.setFullScreen(next);
    },
    isKiosk: () => isKiosk,
    allowClose() {
      isClosingAllowed = true;
    },
    dispose() {
      window.removeListener('close', onClose);
      window.removeListener('leave-full-screen', onLeave);
    },
  };
}

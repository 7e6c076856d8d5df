/**
 * The shell's own IPC (not the gate API): whether the demo is available and starting it, and
 * opening the logs folder in the system's file manager. The demo module is loaded only when asked,
 * so a packaged gate without it still starts.
 */
import { createLogger } from '../shared/logger.js';
import { SHELL_CHANNELS } from './channels.js';
import type { IpcMainLike, InvokeEventLike } from './ipc.js';

const log = createLogger('shell.ipc');

export interface ShellIpcOptions {
  ipcMain: IpcMainLike;
  isTrusted(frame: InvokeEventLike['senderFrame']): boolean;
  /** Starts the demo; absent when this build has none. */
  startDemo?: () => Promise<void>;
  /** Opens the logs folder (Electron's shell.openPath: '' on success, else the error). */
  openLogsFolder?: () => Promise<string>;
}

export function registerShellIpc({
  ipcMain,
  isTrusted,
  startDemo,
  openLogsFolder,
}: ShellIpcOptions): () => void {
  ipcMain.handle(
    SHELL_CHANNELS.hasDemo,
    async (event) => isTrusted(event.senderFrame) && startDemo !== undefined,
  );
  ipcMain.handle(SHELL_CHANNELS.startDemo, async (event) => {
    if (!isTrusted(event.senderFrame)) return { ok: false, message: 'sender: not the gate app' };
    if (!startDemo) return { ok: false, message: 'this build has no demo' };
    try {
      await startDemo();
      return { ok: true };
    } catch (error) {
      log.error('demo failed to start', { error: String(error) });
      return { ok: false, message: `the demo did not start: ${String(error)}` };
    }
  });
  ipcMain.handle(SHELL_CHANNELS.openLogsFolder, async (event) => {
    if (!isTrusted(event.senderFrame)) return { ok: false, message: 'sender: not the gate app' };
    if (!openLogsFolder) return { ok: false, message: 'this build keeps no log files' };
    const problem = await openLogsFolder();
    return problem === '' ? { ok: true } : { ok: false, message: `the logs folder did not open: ${problem}` };
  });
  return () => Object.values(SHELL_CHANNELS).forEach((channel) => ipcMain.removeHandler(channel));
}

/**
 * The sandboxed preload: exposes `window.gatehouse` with one named function per gate API method
 * (derived from GATE_METHODS; no generic invoke), an event subscription, and the shell's few
 * extras (demo, logs folder). Bundled to CommonJS (dist/electron/preload.cjs) because a sandboxed preload cannot load
 * modules other than `electron`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { GATE_METHODS } from '../shared/gate-api.js';
import { EVENT_CHANNEL, SHELL_CHANNELS, channelOf } from './channels.js';

const api = Object.fromEntries(
  GATE_METHODS.map((method) => [method, (input: unknown) => ipcRenderer.invoke(channelOf(method), input)]),
);

function onEvent(listener: (event: unknown) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  // The IpcRendererEvent (with its sender) never reaches the page: only the frame does.
  const forward = (_event: IpcRendererEvent, frame: unknown) => listener(frame);
  ipcRenderer.on(EVENT_CHANNEL, forward);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  };
}

const shell = {
  startDemo: () => ipcRenderer.invoke(SHELL_CHANNELS.startDemo),
  hasDemo: () => ipcRenderer.invoke(SHELL_CHANNELS.hasDemo),
  openLogsFolder: () => ipcRenderer.invoke(SHELL_CHANNELS.openLogsFolder),
};

contextBridge.exposeInMainWorld('gatehouse', { api, onEvent, shell });

/**
 * The window's security settings and the handlers that enforce them: contextIsolation, sandbox, no
 * Node in the page; navigation, new windows and webviews blocked; permission requests denied except
 * the camera (video only, for the camera scanner); IPC accepted only from our own page.
 * Takes Electron objects as narrow interfaces so the tests can hand in fakes.
 */
import type { WebPreferences } from 'electron';
import { createLogger } from '../shared/logger.js';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.js';

const log = createLogger('shell.security');

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export { CONTENT_SECURITY_POLICY } from '../shared/csp.js';

export interface PermissionDetails {
  mediaTypes?: readonly string[];
  requestingUrl?: string;
}

/** Camera yes (the camera scanner), everything else no: microphone, location, notifications, USB, … */
export function isPermissionAllowed(permission: string, details: PermissionDetails): boolean {
  if (permission !== 'media') return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'video');
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (
      contents: unknown,
      permission: string,
      callback: (isGranted: boolean) => void,
      details: PermissionDetails,
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (
      contents: unknown,
      permission: string,
      origin: string,
      details: { mediaType?: string },
    ) => boolean,
  ): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[] | string> },
        callback: (response: { responseHeaders: Record<string, string[] | string> }) => void,
      ) => void,
    ): void;
  };
}

export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const isGranted = isPermissionAllowed(permission, details);
    if (!isGranted) log.warn('permission request denied', { permission });
    callback(isGranted);
  });
  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    isPermissionAllowed(permission, { mediaTypes: details.mediaType ? [details.mediaType] : [] }),
  );
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (event: PreventableEvent, url?: string) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function hardenContents(contents: WebContentsLike): void {
  const block = (what: string) => (event: PreventableEvent, url?: string) => {
    event.preventDefault();
    log.warn(`${what} blocked`, { url: typeof url === 'string' ? url : undefined });
  };
  contents.on('will-navigate', block('navigation'));
  contents.on('will-redirect', block('redirect'));
  contents.on('will-attach-webview', block('webview'));
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('window.open blocked', { url });
    return { action: 'deny' };
  });
}

/**
 * True when an IPC message comes from our own page: the top frame, at the app's URL (query and
 * hash aside). Anything else (an iframe, a page navigated elsewhere) is refused.
 */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  appUrl: string,
): boolean {
  if (!frame || frame.parent) return false;
  return stripped(frame.url) === stripped(appUrl);
}

function stripped(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    parsed.search = '';
    return parsed.href;
  } catch {
    return '';
  }
}

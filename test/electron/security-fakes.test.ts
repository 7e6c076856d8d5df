// The window's webPreferences and the security handlers, exercised through FAKE BrowserWindow,
// session and webContents objects (no Electron binary runs here).
import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  hardenContents,
  hardenSession,
  isTrustedSender,
  type PermissionDetails,
  type PreventableEvent,
} from '../../electron/security.js';
import { createGateWindow } from '../../electron/window.js';

class FakeBrowserWindow {
  static created: FakeBrowserWindow[] = [];
  readonly listeners = new Map<string, () => void>();
  isShown = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    FakeBrowserWindow.created.push(this);
  }
  once(event: 'ready-to-show', listener: () => void) {
    this.listeners.set(event, listener);
  }
  show() {
    this.isShown = true;
  }
}

function fakeSession() {
  type RequestHandler = (
    contents: unknown,
    permission: string,
    callback: (isGranted: boolean) => void,
    details: PermissionDetails,
  ) => void;
  type CheckHandler = (
    contents: unknown,
    permission: string,
    origin: string,
    details: { mediaType?: string },
  ) => boolean;
  type HeadersListener = (
    details: { responseHeaders?: Record<string, string[] | string> },
    callback: (response: { responseHeaders: Record<string, string[] | string> }) => void,
  ) => void;
  const parts: { request?: RequestHandler; check?: CheckHandler; headers?: HeadersListener } = {};
  const session = {
    setPermissionRequestHandler: (handler: RequestHandler) => (parts.request = handler),
    setPermissionCheckHandler: (handler: CheckHandler) => (parts.check = handler),
    webRequest: { onHeadersReceived: (listener: HeadersListener) => (parts.headers = listener) },
  };
  hardenSession(session);
  const request = (permission: string, details: PermissionDetails = {}) => {
    let answer: boolean | undefined;
    parts.request?.(null, permission, (isGranted) => (answer = isGranted), details);
    return answer;
  };
  return { parts, request };
}

function fakeContents() {
  const listeners = new Map<string, (event: PreventableEvent, url?: string) => void>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  hardenContents({
    on: (event, listener) => listeners.set(event, listener),
    setWindowOpenHandler: (handler) => (openHandler = handler),
  });
  const fire = (event: string, url?: string) => {
    let isPrevented = false;
    listeners.get(event)?.({ preventDefault: () => (isPrevented = true) }, url);
    return isPrevented;
  };
  return { fire, open: (url: string) => openHandler?.({ url }) };
}

describe('window and security handlers (fake BrowserWindow, fake session, fake webContents)', () => {
  it('creates the window with isolation, sandbox, no Node, web security and our preload', () => {
    const window = createGateWindow(FakeBrowserWindow, {
      preloadPath: '/app/dist/electron/preload.cjs',
      isKiosk: false,
    });
    const preferences = window.options.webPreferences;
    expect(preferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window.options).toMatchObject({ show: false, kiosk: false, fullscreen: false });
    expect(window.isShown).toBe(false);
    window.listeners.get('ready-to-show')?.();
    expect(window.isShown).toBe(true);
  });

  it('kiosk mode is fullscreen kiosk', () => {
    const window = createGateWindow(FakeBrowserWindow, { preloadPath: '/p.cjs', isKiosk: true });
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true });
  });

  it('grants the camera (video) and denies everything else', () => {
    const { request, parts } = fakeSession();
    expect(request('media', { mediaTypes: ['video'] })).toBe(true);
    expect(request('media', { mediaTypes: ['audio'] })).toBe(false);
    expect(request('media', { mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request('media', {})).toBe(false);
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'midi',
      'hid',
      'serial',
      'usb',
      'openExternal',
      'fullscreen',
      'display-capture',
    ]) {
      expect(request(permission), permission).toBe(false);
    }
    expect(parts.check?.(null, 'media', 'file://', { mediaType: 'video' })).toBe(true);
    expect(parts.check?.(null, 'media', 'file://', { mediaType: 'audio' })).toBe(false);
    expect(parts.check?.(null, 'geolocation', 'file://', {})).toBe(false);
  });

  it('adds the strict CSP to every response', () => {
    const { parts } = fakeSession();
    let headers: Record<string, string[] | string> | undefined;
    parts.headers?.(
      { responseHeaders: { 'content-type': ['text/html'] } },
      (response) => (headers = response.responseHeaders),
    );
    expect(headers?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers?.['content-type']).toEqual(['text/html']);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('blocks navigation, redirects, webviews and window.open', () => {
    const contents = fakeContents();
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(contents.open('https://evil.example/')).toEqual({ action: 'deny' });
  });

  it('trusts only the top frame at the app URL', () => {
    const app = 'file:///opt/gatehouse/dist/renderer/index.html';
    expect(isTrustedSender({ url: app, parent: null }, app)).toBe(true);
    expect(isTrustedSender({ url: `${app}?x=1#y`, parent: null }, app)).toBe(true);
    expect(isTrustedSender({ url: app, parent: {} }, app)).toBe(false);
    expect(
      isTrustedSender({ url: 'file:///opt/gatehouse/dist/renderer/other.html', parent: null }, app),
    ).toBe(false);
    expect(isTrustedSender({ url: 'not a url', parent: null }, app)).toBe(false);
    expect(isTrustedSender(null, app)).toBe(false);
  });
});

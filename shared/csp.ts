/**
 * The one Content-Security-Policy of the gate UI: sent as a header by the headless server and by the
 * Electron session, and repeated in renderer/index.html's meta tag (a test keeps the three equal).
 * Everything comes from the app itself: no CDN, no inline script, no eval.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The UI's CSP is one constant (shared/csp.ts): the headless server and Electron send it as a header,
// and the renderer's own meta tag must say the same (frame-ancestors aside: a meta tag cannot carry it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js';

describe('content security policy', () => {
  it('is the same in renderer/index.html as in the headers', () => {
    const html = readFileSync('renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const headerWithoutFrameAncestors = CONTENT_SECURITY_POLICY.split('; ')
      .filter((directive) => !directive.startsWith('frame-ancestors'))
      .join('; ');
    expect(meta).toBe(headerWithoutFrameAncestors);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:/);
  });
});

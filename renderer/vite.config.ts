// Builds the renderer into dist/renderer/ with relative asset paths, so the same files load from
// file:// in Electron and from `/` on the headless gate. Paths are relative to the repository root
// (where `npm run build` runs) so this file needs no Node imports (the renderer's lint rule).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 and current Chromium: no legacy transforms needed.
    target: 'es2022',
    // No inlined assets, so the strict CSP (no data: scripts) holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

// The pages build as one multi-page app into dist/: each page's modules and style.css become
// fingerprinted files under dist/assets/ (cached for a year by majlisd), the HTML stays small
// and is revalidated on every load. Modules that several pages share go into shared chunks, so
// the participant page reuses what the join page already downloaded.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const pages = ['index', 'console', 'join', 'participant', 'display'];

export default defineConfig({
  root: here,
  // Relative URLs: the pages work wherever they are served from (behind a path prefix too).
  base: './',
  publicDir: false,
  resolve: {
    alias: {
      // The TypeScript SDK straight from source: no separate SDK build for the pages.
      '@majlis/client': resolve(here, '../ts/src/index.ts'),
    },
  },
  server: {
    fs: { allow: [resolve(here, '..')] },
  },
  build: {
    // Top-level await (i18n.js waits for the page's language): Chromium and every current
    // browser have it.
    target: 'es2022',
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    // No inline assets: the CSP allows scripts, styles and images from 'self' (and data: images).
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rollupOptions: {
      input: Object.fromEntries(pages.map((page) => [page, resolve(here, `${page}.html`)])),
    },
  },
});

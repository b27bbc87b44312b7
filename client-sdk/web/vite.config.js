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
    // Every browser the pages support has <link rel="modulepreload">: no polyfill chunk.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: Object.fromEntries(pages.map((page) => [page, resolve(here, `${page}.html`)])),
      output: {
        // Shared chunks, one response each: 'base' (i18n.js, dom.js and the SDK's HTTP api.ts),
        // all the join page needs; 'live' (ui.js, views.js and the SDK's WebSocket client,
        // mirror, protobuf runtime and generated types) for the pages with a live connection;
        // 'wire-json' (wire_json.ts with toJson), loaded only by a client in JSON format. Rollup
        // puts a module left unnamed into a manual chunk that imports it, hence the list.
        manualChunks(id) {
          if (/[\\/]to-json\.js$|[\\/]wire_json\.ts$/.test(id)) return 'wire-json';
          // (Vite's helper behind every dynamic import, i18n.js's too, goes with i18n.js.)
          if (/[\\/]client-sdk[\\/]ts[\\/]src[\\/]api\.ts$|[\\/]web[\\/](dom|i18n)\.js$|preload-helper/.test(id)) return 'base';
          if (/[\\/]client-sdk[\\/]ts[\\/]src[\\/]index\.ts$/.test(id)) return undefined;
          if (/[\\/]client-sdk[\\/]ts[\\/]|[\\/]web[\\/](ui|views)\.js$/.test(id)) return 'live';
          return undefined;
        },
      },
    },
  },
});

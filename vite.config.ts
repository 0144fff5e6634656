// The browser build: React, an ES-module Web Worker for the engine, ES2022 output, a strict
// Content-Security-Policy, and an offline-capable PWA. The policy itself lives in index.html (a <meta
// http-equiv>) so the built app carries it wherever it is hosted; see the note on
// `devServerWithoutCsp` for the dev server.
//
// Offline: vite-plugin-pwa (generateSW) writes a Workbox service worker that precaches the app shell
// — index.html, every JS chunk (the engine worker's included), CSS, icons, the web manifest — and
// models/index.json. Model weights are NOT precached: they live in the engine's IndexedDB cache,
// filled on first load, so the app starts from the service worker and shipped models load from
// IndexedDB with no network. The service worker is registered from src/main.tsx; `npm run dev` runs
// without it. Updates prompt: a new build installs and waits until the person reloads (the header says
// "update ready — reload"), so an open tab is never reloaded under a run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const HOST = '127.0.0.1';

/** The dev server (`npm run dev`) injects an inline React Fast Refresh preamble, which the strict
 *  `script-src 'self'` of index.html would block. Only for the dev server, the policy is dropped;
 *  `vite build` and `vite preview` (and so the e2e tests) keep it. */
function devServerWithoutCsp(): Plugin {
  return {
    name: 'stepwise:dev-server-without-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(/\s*<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, '');
    },
  };
}

/** Model files under /models/ are served as a static host serves them, which `vite preview` does not:
 *  - uncompressed: it gzips any response it takes for text — model files have no known type, so
 *    .safetensors counts as text/plain — and then answers Range requests with the byte range of the
 *    compressed body (measured: `Content-Range: bytes 0-7/68870` for a 91,888-byte file, empty body),
 *    which breaks the engine's ranged reads;
 *  - 404 when absent: its single-page-app fallback answers index.html for any missing path, so an
 *    optional file a model folder lacks (tokenizer_config.json) would read as a malformed one. */
function staticModels(): Plugin {
  return {
    name: 'stepwise:static-models',
    configurePreviewServer(server) {
      const outDir = resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((req, res, next) => {
        if (!req.url?.startsWith('/models/')) return next();
        delete req.headers['accept-encoding'];
        const path = decodeURIComponent(req.url.split(/[?#]/)[0]);
        const file = resolve(outDir, `.${path}`);
        if (!file.startsWith(outDir) || !existsSync(file)) {
          res.statusCode = 404;
          res.end();
          return;
        }
        next();
      });
    },
  };
}

// Colours of src/ui/styles.css: the header surface and the page background.
const THEME_COLOR = '#15181e';
const BACKGROUND_COLOR = '#0e1014';

const pwa = VitePWA({
  strategies: 'generateSW',
  registerType: 'prompt',
  injectRegister: false, // src/main.tsx registers it (an injected inline script would break the CSP)
  includeManifestIcons: false, // the glob patterns below already take every icon
  manifest: {
    name: 'Stepwise',
    short_name: 'Stepwise',
    description:
      'A WebGPU playground for generative models: watch them generate one step at a time, on your own GPU, offline.',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: THEME_COLOR,
    background_color: BACKGROUND_COLOR,
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css,svg,png}', 'models/index.json'], // + the manifest, added by the plugin
    // Shipped model folders (weights, tokenizers, sample images) stay out of the precache.
    globIgnores: ['models/*/**/*', '**/node_modules/**'],
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/models\//],
    // The engine worker's chunk carries the tokenizer library; keep the limit well above it.
    maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
    cleanupOutdatedCaches: true,
    // No skipWaiting: a new version waits until the person asks for it (SKIP_WAITING from the page).
    // clientsClaim only takes pages no worker controls yet (the first visit, so it works offline at
    // once); pages under an older version switch when that person's click activates the new one.
    clientsClaim: true,
  },
  devOptions: { enabled: false },
});

export default defineConfig({
  plugins: [react(), devServerWithoutCsp(), staticModels(), pwa],
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  worker: {
    // A module worker: `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`.
    format: 'es',
  },
  server: { host: HOST },
  preview: { host: HOST },
});

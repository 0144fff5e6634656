// The browser build: React, an ES-module Web Worker for the engine, ES2022 output, and a strict
// Content-Security-Policy. The policy itself lives in index.html (a <meta http-equiv>) so the built
// app carries it wherever it is hosted; see the note on `devServerWithoutCsp` for the dev server.
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

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

export default defineConfig({
  plugins: [react(), devServerWithoutCsp()],
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

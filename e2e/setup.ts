// Global setup: serves the already-built app (`dist/`, from `vite build`) with `vite preview` on
// 127.0.0.1 and a free port, hands its URL to the tests (`inject('baseURL')`), and stops it after.

import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';

let server: PreviewServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(`${ROOT}dist/index.html`)) {
    throw new Error('e2e: dist/index.html is missing: run `vite build` first (`npm run test:e2e` builds, then tests)');
  }
  const port = await freePort();
  server = await preview({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel: 'warn',
    preview: { host: HOST, port, strictPort: true, open: false },
  });
  project.provide('baseURL', `http://${HOST}:${port}/`);
}

export async function teardown(): Promise<void> {
  await server?.close();
  server = null;
}

/** A port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('e2e: could not find a free port'))));
    });
  });
}

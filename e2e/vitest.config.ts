// End-to-end tests: a real Chromium (playwright-core, the system browser) against `vite preview` of
// the built app. One file at a time in one fork: the browser and SwiftShader already use every core.
// Run with `npm run test:e2e` (which builds first).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/setup.ts'],
    setupFiles: ['vitest.setup.ts'], // an unhandled promise rejection fails the test it happened in
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // The self-test on SwiftShader takes a minute or two on a small machine.
    testTimeout: 600_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});

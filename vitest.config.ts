import { defineConfig } from 'vitest/config';

// Unit and kernel tests in Node. Kernel tests share one Dawn device per file and SwiftShader already
// spreads each dispatch over every core, so files run one at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    setupFiles: ['vitest.setup.ts'], // an unhandled promise rejection fails the test it happened in
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

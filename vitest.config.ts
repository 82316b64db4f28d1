import { defineConfig } from 'vitest/config';

// Unit and integration tests run in parallel; load and fault tests (test/load/) run serially in a
// project of their own so they never compete with each other for the 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/load/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          globalSetup: ['test/setup/global.ts', 'test/setup/helm.ts', 'test/setup/services.ts'],
        },
      },
      {
        test: {
          name: 'load',
          include: ['test/load/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['test/setup/global.ts', 'test/setup/helm.ts'],
        },
      },
    ],
  },
});

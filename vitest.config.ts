import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each file starts its own supergraph on its own database; two at a time fits a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    env: { METADATA_SERVER_DETECTION: 'none' },
  },
});

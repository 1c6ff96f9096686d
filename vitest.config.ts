import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Apollo and for us alike; Vite would hand our source the
    // .mjs build, and two GraphQLError classes fail `instanceof` checks (errors then lose their path).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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

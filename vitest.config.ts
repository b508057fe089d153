import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node (and so yoga) loads the CJS build; make the
    // tests load the same one, or two GraphQLError classes exist and instanceof checks fail.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real servers and argon2 hashing per test: keep parallelism within a 2-core machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

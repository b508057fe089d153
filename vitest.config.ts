import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real servers and argon2 hashing per test: keep parallelism within a 2-core machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

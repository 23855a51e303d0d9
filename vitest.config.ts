import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real binaries and servers; two cores do not like a crowd.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

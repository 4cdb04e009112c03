import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // node-pty does not survive worker_threads: run every file in its own forked process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The machines have 2 cores; Docker and pty tests are heavy, so keep parallelism modest.
    maxWorkers: 2,
  },
});

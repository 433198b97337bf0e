import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file runs in its own process: chdb binds one store per process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: integration files each start a nats-server and chdb.
    maxWorkers: 2,
  },
})

import { defineConfig } from 'vitest/config';

// Tiers: a failure's project name says where it broke (unit → vm → k8s).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          globalSetup: ['test/vm/global-setup.ts'],
        },
      },
    ],
  },
});

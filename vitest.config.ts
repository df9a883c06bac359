import { defineConfig } from 'vitest/config';

// Tiers: a failure's project name says where it broke (unit → vm → cni → k8s).
export default defineConfig({
  test: {
    projects: [
      // Checks of the repository itself (no build, no VMs): part of the static tier.
      { test: { name: 'static', include: ['test/static/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
          globalSetup: ['test/support/no-leftovers.ts'],
        },
      },
      {
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          globalSetup: ['test/vm/global-setup.ts', 'test/support/no-leftovers.ts'],
        },
      },
      {
        test: {
          name: 'cni',
          include: ['test/cni/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
          globalSetup: ['test/cni/global-setup.ts'],
        },
      },
      {
        // docs/tutorial.md run as written: a CNI lab, then Kubernetes + multus and its scenarios.
        test: {
          name: 'k8s',
          include: ['test/k8s/**/*.test.ts'],
          testTimeout: 3 * 3600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

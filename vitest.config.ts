import { defineConfig } from 'vitest/config';

/**
 * Engine files that boot VMs of their own and never use the shared one. They run one after another beside the
 * shared VM's files, in their own project: each side's VM waits on the other's work far more than it competes with it.
 */
const OWN_VMS = [
  'e2e/cli/settings.test.ts',
  'e2e/dashboard/registries.test.ts',
  'e2e/dashboard/settings.test.ts',
  'e2e/engine/arm64.test.ts',
  'e2e/engine/data-disk.test.ts',
  'e2e/engine/lifecycle.test.ts',
  'e2e/engine/registry-settings.test.ts',
  'e2e/engine/reset.test.ts',
  'e2e/engine/snapshot.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        // e2e/support/*.test.ts test the rig itself (real local binaries, no VM); scripts/ the packaging.
        test: { name: 'unit', include: ['src/**/*.test.ts', 'e2e/support/*.test.ts', 'scripts/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          exclude: ['e2e/ui/**', 'e2e/support/**', ...OWN_VMS],
          environment: 'node',
          globalSetup: ['e2e/support/global-setup.ts'],
          // One VM is shared, and the machine has two cores: files run one after another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'own-vm',
          include: OWN_VMS,
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        // Browser mode against a backend whose engine stays stopped: no VM, so it runs apart from the e2e suite.
        test: {
          name: 'ui',
          include: ['e2e/ui/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

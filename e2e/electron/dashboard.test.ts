// The dashboard scenarios of e2e/dashboard, through the real Electron window instead of browser mode:
// the same files, run again here with the window switched.
import { describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { repoRoot } from '../support/berth';
import { driveElectronWindow } from '../support/window';

const binary = electronBinary(repoRoot);

if (!binary) {
  describe('the dashboard in the Electron window', () => {
    it.skip('skipped: no Electron binary on this machine (node_modules/electron has none; `npm start` fetches it where the download works)', () => {
      expect(binary).not.toBeNull();
    });
  });
} else {
  driveElectronWindow();
  describe('the Electron window', () => {
    it('runs sandboxed with context isolation: no require, no process in the page', async () => {
      const { openDashboard } = await import('../support/dashboard');
      const { sharedInstance } = await import('../support/shared');
      const dashboard = await openDashboard(sharedInstance(), '', (page) => page.getByRole('heading', { name: 'Containers' }));
      try {
        expect(await dashboard.page.evaluate(() => [typeof (globalThis as Record<string, unknown>).require, typeof (globalThis as Record<string, unknown>).process])).toEqual(['undefined', 'undefined']);
      } finally {
        await dashboard.close();
      }
    });
  });
  await import('../dashboard/containers.test');
  await import('../dashboard/run.test');
  await import('../dashboard/container-details.test');
  await import('../dashboard/posture.test');
  await import('../dashboard/images.test');
  await import('../dashboard/volumes.test');
  await import('../dashboard/networks.test');
  await import('../dashboard/plugins.test');
  await import('../dashboard/disk-usage.test');
  await import('../dashboard/troubleshoot.test');
}

import { describe, expect, it } from 'vitest';
import { berth } from '../support/berth';
import { expectSoundBundle, plantSecrets } from '../support/diagnostics';
import { startServe } from '../support/serve';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe('berth diagnose', () => {
  it('gathers the logs, start steps, versions, settings and the guest view into one bundle with no secret in it', async () => {
    // The token of a browser session that used the window, and secrets a log might have caught.
    const served = await startServe(instance);
    try {
      expect((await fetch(served.url)).status).toBe(200);
      plantSecrets(instance.home);
      const made = await berth(instance, ['diagnose']);
      expect(made.code, made.stderr).toBe(0);
      await expectSoundBundle(made.stdout.trim(), [served.token]);
    } finally {
      await served.stop();
    }
  });
});

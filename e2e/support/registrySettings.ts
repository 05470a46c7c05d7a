import type { RegistrySettings } from '../../src/main/api/registry';
import { connectDaemon } from '../../src/main/daemon/connect';
import { homePaths } from '../../src/main/home';
import type { Instance } from './berth';

/**
 * Applies registry settings to a running instance the way the window's Apply button does (the
 * 'registry.apply' stream on the daemon's control socket), for tests whose subject is elsewhere.
 */
export async function applyRegistrySettings(instance: Instance, settings: RegistrySettings): Promise<void> {
  const connection = await connectDaemon(homePaths(instance.home), false);
  if (!connection) throw new Error(`no Berth daemon runs for ${instance.home}`);
  try {
    await new Promise<void>((resolve, reject) => {
      connection.client.stream('registry.apply', settings, {
        chunk: () => undefined,
        end: (error) => (error ? reject(error) : resolve()),
      });
    });
  } finally {
    connection.close();
  }
}

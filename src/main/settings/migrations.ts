import { homedir } from 'node:os';

/**
 * One small step per settings version: migrations[n] turns a version n-1 file into version n.
 * Version 0 is a file written before versions existed (or an empty one).
 */
type Raw = Record<string, unknown>;

export const migrations: Record<number, (settings: Raw) => Raw> = {
  1: (settings) => ({ ...settings, version: 1 }),
  // Published ports are forwarded to the host: on loopback only unless the user widens it.
  2: (settings) => ({ ...settings, ports: { bindAddress: '127.0.0.1' }, version: 2 }),
  // The home folder is shared into the VM at the same path, so `docker run -v "$PWD":/src` works from it.
  3: (settings) => ({ ...settings, shares: [homedir()], version: 3 }),
  // Registry trust became a setting; the guest image no longer trusts the host's address over plain HTTP by itself.
  4: (settings) => ({ ...settings, registries: { certificates: [], insecure: [] }, version: 4 }),
  // Resource Saver: an idle engine suspends itself after 5 minutes, as Docker Desktop's does.
  5: (settings) => ({ ...settings, resourceSaver: { idleMinutes: 5 }, version: 5 }),
  // The Settings view: the app's own behaviour, swap, proxy and DNS, and the user's daemon.json; their
  // defaults come from the schema's, filled in after the migration.
  6: (settings) => ({ ...settings, version: 6 }),
};

export function migrate(raw: Raw, target: number): Raw {
  let settings = raw;
  let version = typeof settings.version === 'number' ? settings.version : 0;
  if (version > target) {
    throw new Error(`settings version ${version} is newer than this Berth understands (${target})`);
  }
  while (version < target) {
    version += 1;
    settings = migrations[version](settings);
  }
  return settings;
}

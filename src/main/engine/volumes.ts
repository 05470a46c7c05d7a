import type Docker from 'dockerode';
import type { VolumeSummary } from '../api/volumes';
import { BerthError, toWire, type WireError } from '../api/errors';
import { refusal, settleEach } from './client';
import { containerName } from './containers';

export async function listVolumes(docker: Docker): Promise<VolumeSummary[]> {
  const [{ Volumes: volumes }, containers] = await Promise.all([docker.listVolumes(), docker.listContainers({ all: true })]);
  const usedBy = new Map<string, string[]>();
  for (const container of containers) {
    const name = containerName(container);
    for (const mount of container.Mounts ?? []) {
      if (mount.Type !== 'volume' || !mount.Name) continue;
      usedBy.set(mount.Name, [...(usedBy.get(mount.Name) ?? []), name]);
    }
  }
  return (volumes ?? [])
    .map((volume) => ({
      name: volume.Name,
      driver: volume.Driver,
      mountpoint: volume.Mountpoint,
      created: (volume as { CreatedAt?: string }).CreatedAt ?? null,
      usedBy: usedBy.get(volume.Name) ?? [],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates a volume with the engine's own driver, or a volume plugin's. */
export async function createVolume(docker: Docker, name?: string, driver?: string): Promise<string> {
  try {
    // dockerode answers with its own Volume handle, which carries the name the engine gave.
    const volume = await docker.createVolume({ ...(name && { Name: name }), ...(driver && { Driver: driver }) });
    return volume.name;
  } catch (error) {
    const { status, said } = refusal(error);
    if (status === null) throw error;
    const plugin = driver && driver !== 'local';
    throw new BerthError(
      'EngineRefused',
      `Cannot create ${name ? `volume ${name}` : 'a volume'}${plugin ? ` with the driver ${driver}` : ''}: ${said}`,
      plugin ? 'The driver’s plugin must be installed and enabled: the Plugins view shows its state.' : 'The engine refused; its message above says why.',
    );
  }
}

function removeError(name: string, error: unknown): WireError {
  const { status, said } = refusal(error);
  if (status === 409) {
    return { name: 'VolumeInUse', message: `Cannot remove volume ${name}: ${said}`, hint: 'Remove the containers that use it first (they are listed beside it).' };
  }
  if (status === 404) {
    return { name: 'NoSuchVolume', message: `There is no volume ${name}.`, hint: 'It may have been removed meanwhile; the list shows what exists now.' };
  }
  return toWire(error);
}

export async function removeVolumes(docker: Docker, names: string[]): Promise<{ name: string; error: WireError | null }[]> {
  const results = await settleEach(names, (name) => docker.getVolume(name).remove(), removeError);
  return results.map(({ item, error }) => ({ name: item, error }));
}

/** Removes every volume no container uses, named or not (as `docker volume prune --all`). */
export async function pruneVolumes(docker: Docker): Promise<{ removed: string[]; reclaimedBytes: number }> {
  const options = { filters: { all: ['true'] } } as unknown as Docker.VolumePruneOptions;
  const result = await docker.pruneVolumes(options);
  return { removed: result.VolumesDeleted ?? [], reclaimedBytes: result.SpaceReclaimed ?? 0 };
}

import type { EngineEvent } from '../engine/events';
import { runInGuest } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';

/** Where the guest mounts the data disk (berth-boot). */
const DATA = '/mnt/data';

/** How often the data disk is trimmed when nothing asked for it: what dockerd frees by itself (logs, build cache) goes back too. */
export const TRIM_EVERY_MS = 60 * 60_000;

/** Events after which the data disk holds blocks nothing uses any more: an image, a container or a volume removed. */
export const freesSpace = (event: EngineEvent): boolean =>
  (event.Type === 'image' && event.Action === 'delete') ||
  (event.Type === 'container' && event.Action === 'destroy') ||
  (event.Type === 'volume' && event.Action === 'destroy');

/**
 * Gives the data disk's unused blocks back to the host: `fstrim` in the guest discards them, and QEMU
 * (discard=unmap) punches them out of the disk file, whose allocated size then follows what the engine
 * uses. Returns how many bytes the guest reported trimmed.
 */
export async function trimDataDisk(link: SshLink): Promise<number> {
  // Blocks freed in the journal's open transaction are not free to trim until it commits: sync commits it.
  const said = await runInGuest(link, `sync -f ${DATA} && fstrim -v ${DATA}`, { hint: 'The data disk file keeps its size until the next trim.', timeoutMs: 120_000 });
  // util-linux says "/mnt/data: 1.2 GiB (1288490188 bytes) trimmed".
  const bytes = /(\d+) bytes\)? trimmed/.exec(said)?.[1];
  if (bytes === undefined) throw new Error(`fstrim said: ${said.trim() || 'nothing'}`);
  return Number(bytes);
}

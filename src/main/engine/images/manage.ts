import type Docker from 'dockerode';
import { BerthError, toWire, type WireError } from '../../api/errors';
import { splitTag } from '../../api/reference';
import { refusal, settleEach } from '../client';

/** The Engine API's refusal to `action` the image `ref`, said the way a user can act on it. */
export function imageError(action: string, ref: string, error: unknown): BerthError {
  const { status, said } = refusal(error);
  if (status === 404) return new BerthError('NoSuchImage', `There is no image ${ref}.`, 'It may have been removed meanwhile; the list shows what exists now.');
  if (status === 409 && /running container/i.test(said)) {
    return new BerthError('ImageInUse', `Cannot ${action} ${ref}: a running container uses it.`, 'Stop and remove that container first (it is listed beside the image).');
  }
  if (status === 409 && /container .* is using/i.test(said)) {
    return new BerthError(
      'ImageInUse',
      `Cannot ${action} ${ref}: a container uses it.`,
      'Remove the containers that use it first, or remove it anyway: its name goes, and its data stays until those containers are gone.',
    );
  }
  if (status === 409 && /multiple repositories/i.test(said)) {
    return new BerthError('ImageHasTags', `Cannot ${action} ${ref}: it has several tags.`, 'Remove its tags one by one (each has a row), or remove the image with all its tags by force.');
  }
  if (status === 409 && /child images/i.test(said)) {
    return new BerthError('ImageHasChildren', `Cannot ${action} ${ref}: other images are built on it.`, 'Remove the images built on it first.');
  }
  if (status !== null) return new BerthError('EngineRefused', `Cannot ${action} ${ref}: ${said}`, 'The engine refused; its message above says why.');
  return error instanceof BerthError ? error : new BerthError('EngineUnreachable', `Cannot ${action} ${ref}: ${said}`, 'Check that the engine is still running (footer), then try again.');
}

/** Gives `source` (an id or reference) the new name `target`; a target without a tag means `latest`. */
export async function tagImage(docker: Docker, source: string, target: string): Promise<string> {
  const { repository, tag } = splitTag(target.trim());
  try {
    await docker.getImage(source).tag({ repo: repository, tag: tag ?? 'latest' });
  } catch (error) {
    throw imageError('tag', source, error);
  }
  return `${repository}:${tag ?? 'latest'}`;
}

/** Removes each image (a reference removes that tag only, as `docker rmi` does); `force` as `docker rmi --force`. */
export async function removeImages(docker: Docker, refs: string[], force: boolean): Promise<{ ref: string; error: WireError | null }[]> {
  const results = await settleEach(
    refs,
    (ref) => docker.getImage(ref).remove({ force }),
    (ref, error) => toWire(imageError('remove', ref, error)),
  );
  return results.map(({ item, error }) => ({ ref: item, error }));
}

/** Removes the dangling images, or with `all` every image no container uses (as `docker image prune [--all]`). */
export async function pruneImages(docker: Docker, all: boolean): Promise<{ deleted: number; untagged: number; reclaimedBytes: number }> {
  let result: Docker.PruneImagesInfo;
  try {
    result = await docker.pruneImages({ filters: { dangling: [all ? 'false' : 'true'] } });
  } catch (error) {
    const { status, said } = refusal(error);
    if (status === 409) throw new BerthError('PruneRunning', 'Another prune is already running.', 'Wait for it to finish, then prune again.');
    throw new BerthError('EngineRefused', `Cannot prune images: ${said}`, 'The engine refused; its message above says why.');
  }
  const entries = result.ImagesDeleted ?? [];
  return {
    deleted: entries.filter((entry) => entry.Deleted).length,
    untagged: entries.filter((entry) => entry.Untagged).length,
    reclaimedBytes: result.SpaceReclaimed ?? 0,
  };
}

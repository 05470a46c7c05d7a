import type Docker from 'dockerode';
import type { ImageDetails, ImageSummary } from '../../api/images';
import { containerName } from '../containers';
import type { EngineEvent } from '../events';
import { imageError } from './manage';

const NO_TAG = '<none>:<none>';
const NO_DIGEST = '<none>@<none>';

export async function listImages(docker: Docker): Promise<ImageSummary[]> {
  const [images, containers] = await Promise.all([docker.listImages(), docker.listContainers({ all: true })]);
  const usedBy = new Map<string, string[]>();
  for (const container of containers) {
    usedBy.set(container.ImageID, [...(usedBy.get(container.ImageID) ?? []), containerName(container)]);
  }
  return images.map((image) => ({
    id: image.Id,
    tags: (image.RepoTags ?? []).filter((tag) => tag !== NO_TAG),
    digests: (image.RepoDigests ?? []).filter((digest) => digest !== NO_DIGEST),
    size: image.Size,
    created: image.Created,
    usedBy: usedBy.get(image.Id) ?? [],
  }));
}

/**
 * An image event (pull, tag, untag, delete, import, load, ...), a container coming or going (who uses
 * which image), or a commit: an untagged commit makes an image without any image event.
 */
export const touchesImages = (event: EngineEvent): boolean =>
  event.Type === 'image' || (event.Type === 'container' && ['create', 'destroy', 'commit'].includes(event.Action));

/** `docker image inspect` and `docker history`, in one answer. */
export async function imageDetails(docker: Docker, ref: string): Promise<ImageDetails> {
  const image = docker.getImage(ref);
  let info: Docker.ImageInspectInfo;
  let history: { Id: string; Created: number; CreatedBy: string; Size: number; Comment: string }[];
  try {
    [info, history] = await Promise.all([image.inspect(), image.history()]);
  } catch (error) {
    throw imageError('inspect', ref, error);
  }
  const config = info.Config ?? ({} as Partial<Docker.ImageInspectInfo['Config']>);
  return {
    id: info.Id,
    tags: info.RepoTags ?? [],
    digests: info.RepoDigests ?? [],
    created: info.Created,
    size: info.Size,
    architecture: info.Architecture,
    os: info.Os,
    variant: (info as { Variant?: string }).Variant ?? null,
    author: info.Author ?? '',
    user: config.User ?? '',
    workingDir: config.WorkingDir ?? '',
    env: config.Env ?? [],
    cmd: config.Cmd ?? null,
    entrypoint: (config.Entrypoint as string[] | null | undefined) ?? null,
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
    labels: config.Labels ?? {},
    history: history.map((entry) => ({
      id: entry.Id === '<missing>' ? null : entry.Id,
      created: entry.Created,
      createdBy: entry.CreatedBy,
      size: entry.Size,
      comment: entry.Comment,
    })),
  };
}

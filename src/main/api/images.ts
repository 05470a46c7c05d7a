import { z } from 'zod';
import { call, event, stream, WireErrorShape } from './channel';
import { IMAGE_ID, parseReference } from './reference';

export const ImageSummary = z.object({
  /** The full id, sha256:… */
  id: z.string(),
  /** Its repository:tag names; none for a dangling image. */
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  size: z.number(),
  /** Unix seconds. */
  created: z.number(),
  /** Names of the containers (running or not) made from it. */
  usedBy: z.array(z.string()),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

/** A reference as Docker reads it; the message carries the parser's problem and hint. */
const reference = (options: { digest?: boolean }) =>
  z.string().superRefine((text, context) => {
    const checked = parseReference(text, options);
    if (!checked.ok) context.addIssue({ code: 'custom', message: `${checked.problem} ${checked.hint}` });
  });

/** What to pull: anything Docker can pull, a digest included. */
export const PullReference = reference({});
/** A repository and tag: what a tag names and a push sends. */
export const TagReference = reference({ digest: false });
/** An image the engine has, by id or by one of its references. */
export const ImageRef = z.string().refine((text) => IMAGE_ID.test(text) || parseReference(text).ok, 'an image id or reference');

export const HistoryEntry = z.object({
  /** The layer's image id when it is an image of its own, else null (`<missing>` in `docker history`). */
  id: z.string().nullable(),
  created: z.number(),
  createdBy: z.string(),
  size: z.number(),
  comment: z.string(),
});

export const ImageDetails = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  created: z.string(),
  size: z.number(),
  architecture: z.string(),
  os: z.string(),
  variant: z.string().nullable(),
  author: z.string(),
  user: z.string(),
  workingDir: z.string(),
  env: z.array(z.string()),
  cmd: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  exposedPorts: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  history: z.array(HistoryEntry),
});
export type ImageDetails = z.infer<typeof ImageDetails>;

/** One layer of a pull or push, as far as it got: `current`/`total` are bytes of its present phase. */
export const LayerProgress = z.object({
  id: z.string(),
  status: z.string(),
  current: z.number().nullable(),
  total: z.number().nullable(),
  /** How far the layer is overall, 0 to 1. */
  fraction: z.number().min(0).max(1),
});
export type LayerProgress = z.infer<typeof LayerProgress>;

/** A pull or push as a whole, sent again whenever it moved on. */
export const TransferProgress = z.object({
  /** Docker's last line about the whole transfer (digest, "Downloaded newer image", ...). */
  status: z.string().nullable(),
  layers: z.array(LayerProgress),
  fraction: z.number().min(0).max(1),
  complete: z.boolean(),
});
export type TransferProgress = z.infer<typeof TransferProgress>;

const Empty = z.object({}).strict();
const ImageList = z.object({ images: z.array(ImageSummary) });

// channel                  request                                                                  reply
export const images = {
  'images.list': call(Empty, ImageList),
  'images.inspect': call(z.object({ id: ImageRef }).strict(), ImageDetails),
  'images.tag': call(z.object({ source: ImageRef, target: TagReference }).strict(), z.object({ reference: z.string() })),
  /** `force` removes an image containers use, and an id with several tags. */
  'images.remove': call(
    z.object({ refs: z.array(ImageRef).min(1).max(1000), force: z.boolean() }).strict(),
    z.object({ results: z.array(z.object({ ref: z.string(), error: WireErrorShape.nullable() })) }),
  ),
  /** Dangling images only, or (`all`) every image no container uses. */
  'images.prune': call(z.object({ all: z.boolean() }).strict(), z.object({ deleted: z.number(), untagged: z.number(), reclaimedBytes: z.number() })),
  'images.pull': stream(z.object({ reference: PullReference }).strict(), TransferProgress),
  'images.push': stream(z.object({ reference: TagReference }).strict(), TransferProgress),
  /** The whole list again, whenever an image or a container's use of one changed. */
  'images.changed': event(ImageList),
};

import { z } from 'zod';
import { call, event, stream } from './channel';
import { PullReference, TransferProgress } from './images';

/** The API level of Docker Desktop's extension SDK that Berth implements: an extension's api.version label must accept it. */
export const EXTENSION_API_VERSION = '0.3.4';

/**
 * An extension's short, stable name: 16 hex digits of the SHA-256 of its repository. It names the extension's
 * folder, its origin (a host name label) and its compose project, where the repository itself would not fit.
 */
export const ExtensionKey = z.string().regex(/^[0-9a-f]{16}$/, 'an extension key: 16 hex digits');
export type ExtensionKey = z.infer<typeof ExtensionKey>;

export const Link = z.object({ title: z.string(), url: z.string() });
export const Screenshot = z.object({ alt: z.string(), url: z.string() });

/** An installed extension, as its labels and metadata.json describe it. */
export const Extension = z.object({
  key: ExtensionKey,
  /** The repository without tag or digest, as `docker extension ls` shows its ID. */
  id: z.string(),
  /** The reference it was installed from, with its tag. */
  image: z.string(),
  version: z.string(),
  title: z.string(),
  description: z.string(),
  vendor: z.string(),
  apiVersion: z.string(),
  /** Its icon (the one metadata.json names, else its label's, else Berth's generic one), as a data: URL the window may show. */
  icon: z.string(),
  detailedDescription: z.string(),
  changelog: z.string(),
  publisherUrl: z.string(),
  screenshots: z.array(Screenshot),
  additionalUrls: z.array(Link),
  categories: z.array(z.string()),
  /** The dashboard tab, when the extension has a UI: its title and its entry page under the UI root. */
  ui: z.object({ title: z.string(), src: z.string() }).nullable(),
  /** Where the backend runs, when it has one; `socket` is the name it listens on in /run/guest-services. */
  vm: z.object({ kind: z.enum(['image', 'compose']), socket: z.string().nullable() }).nullable(),
  /** File names of this platform's host binaries, all in the extension's own folder. */
  hostBinaries: z.array(z.string()),
  installedAt: z.string(),
});
export type Extension = z.infer<typeof Extension>;

const ExtensionList = z.object({ extensions: z.array(Extension) });

/** A well-known extension in the bundled catalog. */
export const CatalogEntry = z.object({
  image: z.string(),
  title: z.string(),
  vendor: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  url: z.string(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/** One thing an installed extension may do, as the user is told before installing it. */
export const Permission = z.object({ kind: z.enum(['docker', 'backend', 'host']), text: z.string() });
export type Permission = z.infer<typeof Permission>;

/** The trust decision: what the unpacked extension may do; nothing is installed until it is answered with extensions.answerTrust. */
export const TrustQuestion = z.object({ id: z.string(), title: z.string(), image: z.string(), permissions: z.array(Permission) });
export type TrustQuestion = z.infer<typeof TrustQuestion>;

/** How an install or update goes: named steps in turn, the pull's own progress while it runs, and the trust question. */
export const InstallProgress = z.object({
  step: z.string(),
  label: z.string(),
  state: z.enum(['running', 'done']),
  pull: TransferProgress.nullable(),
  /** While the step waits for the user to accept what the extension may do. */
  trust: TrustQuestion.optional(),
});
export type InstallProgress = z.infer<typeof InstallProgress>;

/** Something an extension's page asked of the window: a toast, a view to open, a link, a file to choose. */
export const ExtensionRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('toast'), key: ExtensionKey, title: z.string(), level: z.enum(['success', 'warning', 'error']), message: z.string() }),
  z.object({ kind: z.literal('navigate'), key: ExtensionKey, route: z.string() }),
  z.object({ kind: z.literal('openExternal'), key: ExtensionKey, url: z.string() }),
  z.object({
    kind: z.literal('openDialog'),
    key: ExtensionKey,
    title: z.string(),
    /** Answered with extensions.answerDialog and this id. */
    id: z.number().int(),
    directory: z.boolean(),
    multiple: z.boolean(),
  }),
]);
export type ExtensionRequest = z.infer<typeof ExtensionRequest>;

const Empty = z.object({}).strict();
const ByKey = z.object({ key: ExtensionKey }).strict();

// channel                      request                                                                  reply
export const extensions = {
  'extensions.list': call(Empty, ExtensionList),
  'extensions.catalog': call(Empty, z.object({ entries: z.array(CatalogEntry) })),
  /** Pulls, checks and unpacks the image, then starts its backend; nothing stays behind when a step fails. */
  'extensions.install': stream(z.object({ image: PullReference }).strict(), InstallProgress),
  /** Installs `image` (by default the same reference again) in place of the extension; named volumes stay. */
  'extensions.update': stream(z.object({ key: ExtensionKey, image: PullReference.optional() }).strict(), InstallProgress),
  /** Removes the extension's files, containers and volumes. */
  'extensions.remove': call(ByKey, ExtensionList),
  /** The whole list again whenever an extension was installed, updated or removed. */
  'extensions.changed': event(ExtensionList),
  /** What extension pages ask of the window; every window hears it. */
  'extensions.request': event(ExtensionRequest),
  /** Accepts (installs) or declines (installs nothing) what an extension being installed may do. */
  'extensions.answerTrust': call(z.object({ id: z.string().max(64), accept: z.boolean() }).strict(), Empty),
  /** Paths the user chose in a native file dialog for an extension's page: the files here its docker commands may read or write. */
  'extensions.picked': call(z.object({ key: ExtensionKey, filePaths: z.array(z.string().max(4096)).max(1000) }).strict(), Empty),
  'extensions.answerDialog': call(z.object({ id: z.number().int(), filePaths: z.array(z.string().max(4096)).max(1000).nullable() }).strict(), Empty),
  /** A folder's entries on this computer, for the window's file chooser. */
  'extensions.browse': call(
    z.object({ path: z.string().max(4096) }).strict(),
    z.object({ path: z.string(), parent: z.string().nullable(), entries: z.array(z.object({ name: z.string(), directory: z.boolean() })) }),
  ),
};

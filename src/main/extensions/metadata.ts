import { posix } from 'node:path';
import { z } from 'zod';
import { BerthError } from '../api/errors';

/** A path in the image, as metadata.json gives it (with or without a leading slash). */
const ImagePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'a path has no NUL characters');

/** A socket the backend makes in /run/guest-services: a file name, never a path. */
const SocketName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a socket is a file name (letters, digits, . _ -), as in backend.sock');

const DashboardTab = z.object({
  title: z.string().min(1),
  root: ImagePath.refine((root) => inImage(root) !== '/', 'the UI root is a folder of the image, not the whole image'),
  src: ImagePath.refine((src) => !src.startsWith('/') && !posix.normalize(src).startsWith('..'), 'src is a page under the UI root, as in index.html'),
  backend: z.object({ socket: SocketName }).optional(),
});

const Binaries = z.array(z.object({ path: ImagePath }));

const Vm = z
  .object({ image: z.string().min(1).optional(), composefile: ImagePath.optional(), exposes: z.object({ socket: SocketName }).optional() })
  .refine((vm) => (vm.image === undefined) !== (vm.composefile === undefined), 'vm sets exactly one of image and composefile');

/**
 * metadata.json at the root of an extension image; fields Docker dropped (name, provider) are let through. An
 * image without `icon` gives its icon in a label instead, as Docker's own samples do.
 */
export const Metadata = z.object({
  icon: ImagePath.optional(),
  ui: z.object({ 'dashboard-tab': DashboardTab.optional() }).optional(),
  vm: Vm.optional(),
  host: z.object({ binaries: z.array(z.object({ darwin: Binaries.optional(), windows: Binaries.optional(), linux: Binaries.optional() })).optional() }).optional(),
});
export type Metadata = z.infer<typeof Metadata>;

/** `path` as an absolute, normalised path of the image's filesystem. */
export function inImage(path: string): string {
  return posix.normalize(posix.join('/', path));
}

const HINT = "The extension's metadata.json is broken: ask its publisher for a fixed version.";

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Reads metadata.json's text, saying what is wrong with it when it is not JSON or not the shape Docker documents. */
export function parseMetadata(text: string, image: string): Metadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BerthError('ExtensionMetadataInvalid', `The metadata.json of ${image} is not valid JSON: ${(error as Error).message}`, HINT);
  }
  const parsed = Metadata.safeParse(json);
  if (!parsed.success) {
    throw new BerthError('ExtensionMetadataInvalid', `The metadata.json of ${image} is not valid: ${describeIssues(parsed.error)}`, HINT);
  }
  return parsed.data;
}

/** metadata.json's name for a Node platform. */
export function metadataPlatform(platform: NodeJS.Platform = process.platform): 'darwin' | 'windows' | 'linux' {
  if (platform === 'win32') return 'windows';
  return platform === 'darwin' ? 'darwin' : 'linux';
}

/** The host binaries this platform gets, as paths in the image. */
export function hostBinaryPaths(metadata: Metadata, platform: NodeJS.Platform = process.platform): string[] {
  const name = metadataPlatform(platform);
  return (metadata.host?.binaries ?? []).flatMap((entry) => (entry[name] ?? []).map((binary) => inImage(binary.path)));
}

/** The socket the backend listens on: vm.exposes, or (in older extensions) the dashboard tab's backend. */
export function backendSocket(metadata: Metadata): string | null {
  return metadata.vm?.exposes?.socket ?? metadata.ui?.['dashboard-tab']?.backend?.socket ?? null;
}

import semver from 'semver';
import { z } from 'zod';
import { BerthError } from '../api/errors';
import { EXTENSION_API_VERSION, Link, Screenshot } from '../api/extensions';

export const TITLE = 'org.opencontainers.image.title';
export const DESCRIPTION = 'org.opencontainers.image.description';
export const VENDOR = 'org.opencontainers.image.vendor';
export const API_VERSION = 'com.docker.desktop.extension.api.version';
const SCREENSHOTS = 'com.docker.extension.screenshots';
const DETAILED_DESCRIPTION = 'com.docker.extension.detailed-description';
const PUBLISHER_URL = 'com.docker.extension.publisher-url';
const ADDITIONAL_URLS = 'com.docker.extension.additional-urls';
const CHANGELOG = 'com.docker.extension.changelog';
const CATEGORIES = 'com.docker.extension.categories';

/** Docker Desktop lists an image as an extension only with these four. */
export const REQUIRED_LABELS = [TITLE, DESCRIPTION, VENDOR, API_VERSION] as const;

/** What an extension's labels say about it, as the installed record keeps it. */
export interface ExtensionLabels {
  title: string;
  description: string;
  vendor: string;
  apiVersion: string;
  detailedDescription: string;
  changelog: string;
  publisherUrl: string;
  screenshots: Array<z.infer<typeof Screenshot>>;
  additionalUrls: Array<z.infer<typeof Link>>;
  categories: string[];
}

/** A label holding a JSON list; the Marketplace's extras are not worth refusing an install over, so a bad one is left out. */
function jsonList<T>(text: string | undefined, item: z.ZodType<T>): T[] {
  if (!text) return [];
  try {
    const parsed = z.array(z.unknown()).safeParse(JSON.parse(text));
    if (!parsed.success) return [];
    return parsed.data.flatMap((entry) => {
      const one = item.safeParse(entry);
      return one.success ? [one.data] : [];
    });
  } catch {
    return [];
  }
}

/**
 * The range of API versions an extension accepts. The label is a version or a constraint as Docker writes
 * them ("0.2.3", ">= 0.2.3", ">= 1.4.7, < 2.0"); a bare version means that version or later.
 */
export function apiRange(label: string): semver.Range | null {
  const text = label.trim();
  const bare = semver.valid(text) ?? (/^v?\d+(\.\d+)?$/.test(text) ? (semver.coerce(text)?.version ?? null) : null);
  if (bare) return new semver.Range(`>=${bare}`);
  try {
    return new semver.Range(text.replaceAll(',', ' '));
  } catch {
    return null;
  }
}

/** Refuses an extension that needs a newer extension API than Berth implements, or whose label is no version at all. */
export function checkApiVersion(label: string, image: string): void {
  const range = apiRange(label);
  if (!range) {
    throw new BerthError(
      'ExtensionApiVersionInvalid',
      `${image} gives its extension API version as “${label}”, which is not a version or a version range.`,
      `The label ${API_VERSION} should read like 0.3.4 or >= 0.2.0; ask the publisher to fix it.`,
    );
  }
  if (!semver.satisfies(EXTENSION_API_VERSION, range)) {
    throw new BerthError(
      'ExtensionApiVersionUnsupported',
      `${image} needs extension API ${label}; Berth implements version ${EXTENSION_API_VERSION}.`,
      `Install an older version of the extension (a tag made for API ${EXTENSION_API_VERSION} or earlier).`,
    );
  }
}

/** Reads the labels of an extension image, refusing one that lacks the ones Docker Desktop requires. */
export function readLabels(labels: Record<string, string> | null | undefined, image: string): ExtensionLabels {
  const all = labels ?? {};
  const missing = REQUIRED_LABELS.filter((name) => !all[name]?.trim());
  if (missing.length > 0) {
    const none = missing.length === REQUIRED_LABELS.length;
    throw new BerthError(
      'NotAnExtension',
      none
        ? `${image} is not a Docker extension: it has none of the labels an extension has (${missing.join(', ')}).`
        : `${image} lacks the extension label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
      'Check the image name. An extension image sets the labels title, description, vendor (org.opencontainers.image.*) and com.docker.desktop.extension.api.version.',
    );
  }
  checkApiVersion(all[API_VERSION], image);
  return {
    title: all[TITLE].trim(),
    description: all[DESCRIPTION].trim(),
    vendor: all[VENDOR].trim(),
    apiVersion: all[API_VERSION].trim(),
    detailedDescription: all[DETAILED_DESCRIPTION] ?? '',
    changelog: all[CHANGELOG] ?? '',
    publisherUrl: all[PUBLISHER_URL] ?? '',
    screenshots: jsonList(all[SCREENSHOTS], Screenshot),
    additionalUrls: jsonList(all[ADDITIONAL_URLS], Link),
    categories: (all[CATEGORIES] ?? '')
      .split(',')
      .map((category) => category.trim())
      .filter(Boolean),
  };
}

/** Docker's name for this computer's CPU, which the VM shares. */
export function engineArchitecture(arch: string = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch;
}

/** Extensions are Linux images, and the VM runs this computer's architecture without emulation. */
export function checkPlatform(os: string | undefined, architecture: string | undefined, image: string, arch: string = process.arch): void {
  const wanted = engineArchitecture(arch);
  if (os !== 'linux' || architecture !== wanted) {
    throw new BerthError(
      'ExtensionPlatformMismatch',
      `${image} is built for ${os ?? 'an unknown system'}/${architecture ?? 'an unknown architecture'}; this computer runs linux/${wanted} images.`,
      `Install a tag of the extension built for linux/${wanted} (multi-platform extension images have one).`,
    );
  }
}

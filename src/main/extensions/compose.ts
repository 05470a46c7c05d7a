import { posix } from 'node:path';
import { parse, stringify } from 'yaml';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';

/** Where a backend makes its socket, in its containers; the guest holds one such folder per extension. */
export const GUEST_SERVICES = '/run/guest-services';
/** Where the guest keeps each backend's compose folder: on the data disk, so relative binds outlive a VM restart. */
export const GUEST_EXTENSIONS = '/mnt/data/extensions';
export const guestFolder = (key: string): string => `${GUEST_EXTENSIONS}/${key}`;

/** Names the extension a backend container belongs to, by its key (Docker Desktop's labels name its id). */
export const KEY_LABEL = 'berth.extension.key';
/** Marks the containers of the compose file's first service. */
export const VM_SERVICE_LABEL = 'berth.extension.vm-service';

type Mapping = Record<string, unknown>;
export const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A volume entry's path in the container, in either of compose's syntaxes. */
function targetOf(entry: unknown): string | null {
  if (isMapping(entry)) return typeof entry.target === 'string' ? entry.target : null;
  if (typeof entry !== 'string') return null;
  const parts = entry.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

/** A bind mount's source as the guest resolves it (null for a named volume), relative ones against the compose folder. */
function bindSource(entry: unknown, folder: string): string | null {
  let source: string | null = null;
  if (isMapping(entry)) source = entry.type === 'bind' && typeof entry.source === 'string' ? entry.source : null;
  else if (typeof entry === 'string' && entry.includes(':')) source = entry.split(':')[0];
  if (source === null || !/^[./~]/.test(source)) return null;
  // Compose runs as root in the guest, and /var/run is a link to /run there.
  const path = posix.resolve(folder, source.replace(/^~(?=\/|$)/, '/root'));
  return path === '/var/run' || path.startsWith('/var/run/') ? path.slice(4) : path;
}

const within = (path: string, folder: string): boolean => folder === '/' || path === folder || path.startsWith(`${folder}/`);

/**
 * Whether a bind of `source` would reach what belongs to other extensions: the socket folders, the compose
 * folders (its own excepted), or a folder holding either.
 */
function reachesOthers(source: string, key: string): boolean {
  if (within(source, guestFolder(key))) return false;
  return [GUEST_SERVICES, GUEST_EXTENSIONS].some((guarded) => within(source, guarded) || within(guarded, source));
}

/** Labels as a mapping, whichever syntax the file used (a list of KEY=VALUE, or a mapping). */
function labelsOf(labels: unknown): Mapping {
  if (Array.isArray(labels)) {
    return Object.fromEntries(
      labels.map((label) => {
        const text = String(label);
        const at = text.indexOf('=');
        return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
      }),
    );
  }
  return isMapping(labels) ? { ...labels } : {};
}

/**
 * The extension's compose file as Berth runs it in the guest: every service gets the extension's own socket
 * folder at /run/guest-services (one folder per extension, so no backend sees another's socket), Docker
 * Desktop's extension labels and Berth's key label (the first service also VM_SERVICE_LABEL), and restart: unless-stopped where it sets no policy.
 * ${DESKTOP_PLUGIN_IMAGE} stays for compose to fill in from its environment.
 */
export function composeForGuest(text: string, extension: Extension, file: string): string {
  const bad = (why: string): BerthError =>
    new BerthError('BadComposeFile', `${extension.title}'s compose file ${file} ${why}.`, `The extension ${extension.id} is broken: ask its publisher, or install another version.`);
  let document: unknown;
  try {
    document = parse(text, { merge: true, maxAliasCount: 1000 });
  } catch (error) {
    throw bad(`is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isMapping(document)) throw bad('is not a mapping');
  const services = document.services;
  if (!isMapping(services) || Object.keys(services).length === 0) throw bad('has no services');
  // The project is named by Berth (-p); a name here would be ignored anyway.
  delete document.name;
  let first = true;
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) throw bad(`describes service "${name}" as something other than a mapping`);
    const volumes = Array.isArray(service.volumes) ? service.volumes.filter((entry) => targetOf(entry) !== GUEST_SERVICES) : [];
    for (const entry of volumes) {
      const source = bindSource(entry, guestFolder(extension.key));
      if (source !== null && reachesOthers(source, extension.key)) throw bad(`binds ${source} into service "${name}", which holds other extensions' sockets or files`);
    }
    volumes.push(`${GUEST_SERVICES}/${extension.key}:${GUEST_SERVICES}`);
    service.volumes = volumes;
    const labels: Mapping = {
      ...labelsOf(service.labels),
      'com.docker.desktop.extension': 'true',
      'com.docker.desktop.extension.name': extension.id,
      [KEY_LABEL]: extension.key,
    };
    // vm.cli.exec runs in the first service, as Docker Desktop's SDK talks to the first one only.
    if (first) labels[VM_SERVICE_LABEL] = 'true';
    else delete labels[VM_SERVICE_LABEL];
    service.labels = labels;
    first = false;
    if (service.restart === undefined) service.restart = 'unless-stopped';
  }
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

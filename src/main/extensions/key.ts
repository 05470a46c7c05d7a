import { createHash } from 'node:crypto';
import { BerthError } from '../api/errors';
import { parseReference, repositoryOf as repositoryOfReference, type ImageReference } from '../api/reference';

/** The extension's key: the first 16 hex digits of the SHA-256 of its id (its repository). */
export function extensionKey(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** Reads an image reference, refusing one Docker would refuse, in the same words. */
export function parseImage(text: string): ImageReference {
  const checked = parseReference(text);
  if (!checked.ok) throw new BerthError('InvalidReference', checked.problem, checked.hint);
  return checked.reference;
}

/**
 * The repository of `reference`, without tag or digest: the extension's id. Docker Hub's own names
 * (docker.io/..., library/...) are written the short way, so one extension has one id however it was typed.
 */
export function repositoryOf(reference: string): string {
  const parsed = parseImage(reference);
  const hub = parsed.domain === null || parsed.domain === 'docker.io' || parsed.domain === 'index.docker.io';
  if (!hub) return repositoryOfReference(parsed);
  return parsed.path.startsWith('library/') ? parsed.path.slice('library/'.length) : parsed.path;
}

/** The version an install from `reference` has: its tag, else its digest shortened, else `latest`. */
export function versionOf(reference: string): string {
  const parsed = parseImage(reference);
  if (parsed.tag) return parsed.tag;
  return parsed.digest ? parsed.digest.slice(0, 'sha256:'.length + 12) : 'latest';
}

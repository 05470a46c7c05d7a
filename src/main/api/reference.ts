import type { WireError } from './errors';

/**
 * Image references (`[registry/]repository[:tag][@digest]`) checked as Docker's own grammar does
 * (github.com/distribution/reference), with what is wrong said in the user's terms. Free of zod: the
 * window checks a reference as it is typed, and the contract checks it again.
 */
export interface ImageReference {
  /** The registry (host[:port]) when the reference names one; null means Docker Hub. */
  domain: string | null;
  path: string;
  tag: string | null;
  digest: string | null;
}

export type ReferenceCheck = { ok: true; reference: ImageReference } | { ok: false; problem: string; hint: string };

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[_.]|__|-+)';
const PATH_COMPONENT = new RegExp(`^${ALNUM}(?:${SEPARATOR}${ALNUM})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

const EXAMPLES = 'busybox, busybox:1.36 or registry.example.com:5000/team/app:1.0';

const refuse = (problem: string, hint: string): ReferenceCheck => ({ ok: false, problem, hint });

/**
 * Splits `name` as Docker does: the first part is a registry only if it looks like a host (a dot, a
 * port, localhost). Docker also takes a first part with capitals for a host ("Team/app" would go to a
 * registry named Team); that is nearly always a mistyped repository, so it is left in the path and
 * refused there, with the lowercase name suggested.
 */
function splitDomain(name: string): { domain: string | null; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: null, path: name };
  const first = name.slice(0, slash);
  const isHost = /[.:]/.test(first) || first === 'localhost';
  return isHost ? { domain: first, path: name.slice(slash + 1) } : { domain: null, path: name };
}

/** `before` and `after` are the rest of the reference as typed, so the lowercase suggestion keeps its registry, tag and digest. */
function checkPath(path: string, before: string, after: string): ReferenceCheck | null {
  const components = path.split('/');
  if (components.every((part) => PATH_COMPONENT.test(part))) return null;
  const lower = path.toLowerCase();
  if (path !== lower && lower.split('/').every((part) => PATH_COMPONENT.test(part))) {
    return refuse(`Repository names are lowercase: “${before}${path}” has capital letters.`, `Use “${before}${lower}${after}” instead.`);
  }
  return refuse(
    `“${path}” is not a valid repository name.`,
    'Use lowercase letters and digits, joined by . _ __ or -, with / between parts (as in team/app).',
  );
}

/**
 * Reads `text` (surrounding blanks ignored) as an image reference. `digest: false` refuses one with a
 * digest: a new tag names a repository and tag only.
 */
export function parseReference(text: string, options: { digest?: boolean } = {}): ReferenceCheck {
  const reference = text.trim();
  if (!reference) return refuse('Enter an image reference.', `For example ${EXAMPLES}.`);
  if (/\s/.test(reference)) {
    return refuse(`“${reference}” has a space in it; an image reference has none.`, `Remove the spaces. A reference looks like ${EXAMPLES}.`);
  }
  const at = reference.indexOf('@');
  const digest = at < 0 ? null : reference.slice(at + 1);
  const rest = at < 0 ? reference : reference.slice(0, at);
  if (digest !== null && options.digest === false) {
    return refuse(`A new tag cannot hold a digest (“@${digest}”).`, 'Give a repository and tag only, as in team/app:1.0.');
  }
  if (digest !== null && !DIGEST.test(digest)) {
    return refuse(`“${digest}” is not a valid digest.`, 'A digest is an algorithm and hex digits, as in sha256: followed by 64 hex digits.');
  }
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : null;
  if (!name) return refuse(`“${reference}” has no repository name.`, `Put the repository before the tag, as in ${EXAMPLES}.`);
  if (tag !== null && !TAG.test(tag)) {
    return refuse(`“${tag}” is not a valid tag.`, 'A tag is up to 128 letters, digits, _ . and -, and does not start with . or -.');
  }
  if (name.length > NAME_MAX) return refuse(`The repository name is longer than ${NAME_MAX} characters.`, 'Use a shorter name.');
  const { domain, path } = splitDomain(name);
  if (domain !== null && !DOMAIN.test(domain)) {
    return refuse(`“${domain}” is not a valid registry address.`, 'A registry is a host name or IP address with an optional :port, as in registry.example.com:5000.');
  }
  const badPath = checkPath(path, name.slice(0, name.length - path.length), reference.slice(name.length));
  if (badPath) return badPath;
  return { ok: true, reference: { domain, path, tag, digest } };
}

/** What is wrong with `text` as a reference (parseReference's words), as the error a form shows; null when nothing is. */
export function referenceProblem(text: string, options: { digest?: boolean } = {}): WireError | null {
  const checked = parseReference(text, options);
  return checked.ok ? null : { name: 'InvalidReference', message: checked.problem, hint: checked.hint };
}

/** The repository part, registry included: what `docker images` shows as REPOSITORY. */
export const repositoryOf = (reference: ImageReference): string => (reference.domain ? `${reference.domain}/${reference.path}` : reference.path);

/** Where the reference lives: its registry, or Docker Hub. */
export const registryOf = (reference: ImageReference): string => reference.domain ?? 'Docker Hub';

/** An image id, full or short, with or without its sha256: prefix. */
export const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/;

/** Splits `repository:tag` (a registry's port is not a tag); the tag is null when there is none. */
export function splitTag(reference: string): { repository: string; tag: string | null } {
  const colon = reference.lastIndexOf(':');
  if (colon < 0 || colon < reference.lastIndexOf('/')) return { repository: reference, tag: null };
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

import type Docker from 'dockerode';
import { createInterface } from 'node:readline';
import { BerthError } from '../../api/errors';
import type { TransferProgress } from '../../api/images';
import { parseReference, registryOf, repositoryOf, type ImageReference } from '../../api/reference';
import { refusal } from '../client';
import { ProgressTracker, throttled, type ProgressMessage } from './progress';

type Direction = 'pull' | 'push';

/** The credentials the engine sends the registry (X-Registry-Auth), as the credential helper holds them. */
export interface TransferAuth {
  username: string;
  password: string;
  serveraddress: string;
  identitytoken?: string;
}

// The engine reads credentials from that header (base64 JSON); an empty one means anonymous, and a push
// without any header is refused outright.
export const ANONYMOUS = {};

const UNREACHABLE = /connection refused|no such host|i\/o timeout|dial tcp|network is unreachable|no route to host|handshake timeout|context deadline exceeded/i;
export const NOT_FOUND = /manifest unknown|name unknown|not found|repository does not exist/i;
const DENIED = /unauthorized|authentication required|denied|no basic auth credentials|status: 401/i;

/** What went wrong with a pull or push of `text`, said so the user knows what to change. */
export function transferError(direction: Direction, text: string, said: string, status: number | null, signedIn = false): BerthError {
  const checked = parseReference(text);
  const registry = checked.ok ? registryOf(checked.reference) : 'the registry';
  if (direction === 'push' && (status === 404 || /does not exist locally|no such image/i.test(said))) {
    return new BerthError('NoSuchImage', `There is no local image ${text} to push.`, 'Tag an image with that name first (its Tag button), then push it.');
  }
  if (/server gave HTTP response to HTTPS client/i.test(said)) {
    return new BerthError(
      'RegistryNotHttps',
      `${registry} answers in plain HTTP, and the engine uses only HTTPS with it.`,
      'Serve the registry over HTTPS, or run it on this computer and name it host.docker.internal:PORT: the engine accepts plain HTTP there.',
    );
  }
  if (UNREACHABLE.test(said)) {
    return new BerthError(
      'RegistryUnreachable',
      `Cannot reach the registry ${registry}: ${said}`,
      "Check the registry's address and that it is running. With the host-only network setting the engine reaches only this computer, as host.docker.internal.",
    );
  }
  if (direction === 'pull' && (status === 404 || NOT_FOUND.test(said))) {
    return new BerthError(
      'NoSuchImage',
      `The image ${text} does not exist at ${registry}.`,
      `Check the repository name and tag for typos; the registry answered: ${said}. If the repository is private, sign in to ${registry} in Registries (or with \`docker login\`) first.`,
    );
  }
  if (DENIED.test(said) && signedIn) {
    // The stored sign-in was sent and refused: a token that expired or a password changed since.
    return new BerthError(
      'RegistrySignInExpired',
      `${registry} no longer accepts your sign-in, so the ${direction} of ${text} stopped: ${said}`,
      `Sign in to ${registry} again in Registries (or with \`docker login ${registry}\`), then ${direction} again.`,
    );
  }
  if (DENIED.test(said)) {
    return new BerthError(
      'RegistryDenied',
      `${registry} refused to let the engine ${direction} ${text}: ${said}`,
      `Sign in to ${registry} in Registries (or with \`docker login ${registry}\`), and check that your account may ${direction} this repository.`,
    );
  }
  return new BerthError(direction === 'pull' ? 'PullFailed' : 'PushFailed', `Could not ${direction} ${text}: ${said}`, "The engine's message says why; check the reference and the registry.");
}

function reference(text: string): ImageReference {
  const checked = parseReference(text);
  if (!checked.ok) throw new BerthError('InvalidReference', checked.problem, checked.hint);
  return checked.reference;
}

/**
 * Opens a transfer (a pull or push of an image, a plugin's install) and follows its progress until it
 * ends or `signal` aborts (which closes the connection: the engine then stops the transfer). Snapshots go
 * to `send`, the last one complete; `explain` turns the engine's refusal or failure into what the user reads.
 */
export async function followTransfer(
  open: () => Promise<NodeJS.ReadableStream>,
  signal: AbortSignal,
  send: (progress: TransferProgress) => void,
  explain: (said: string, status: number | null) => BerthError,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await open();
  } catch (error) {
    const { status, said } = refusal(error);
    throw explain(said, status);
  }
  const stop = (): void => void (stream as unknown as { destroy(): void }).destroy();
  if (signal.aborted) return stop();
  signal.addEventListener('abort', stop, { once: true });
  const tracker = new ProgressTracker();
  const out = throttled(send);
  let failure: string | null = null;
  // A connection cut without an error ends the lines without 'end': that is no finished transfer.
  let ended = false;
  stream.once('end', () => (ended = true));
  const lines = createInterface({ input: stream, crlfDelay: Infinity, signal });
  stream.once('close', () => lines.close());
  try {
    for await (const line of lines) {
      let message: ProgressMessage;
      try {
        message = JSON.parse(line) as ProgressMessage;
      } catch {
        continue;
      }
      failure ??= tracker.seen(message);
      out.push(tracker.snapshot());
    }
  } catch (error) {
    if (!signal.aborted) failure ??= (error as Error).message;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  if (signal.aborted) return;
  if (!ended) failure ??= 'the connection to the engine closed before the transfer finished';
  if (failure !== null) {
    out.flush();
    throw explain(failure, null);
  }
  tracker.finish();
  out.push(tracker.snapshot());
  out.flush();
}

function transfer(
  direction: Direction,
  text: string,
  open: () => Promise<NodeJS.ReadableStream>,
  signal: AbortSignal,
  send: (progress: TransferProgress) => void,
  signedIn: boolean,
): Promise<void> {
  return followTransfer(open, signal, send, (said, status) => transferError(direction, text, said, status, signedIn));
}

/** The registry a reference names, as credentials are filed under it (docker.io for Docker Hub). */
export function registryOfText(text: string): string {
  return reference(text).domain ?? 'docker.io';
}

/** Pulls one reference; without a tag or digest that is `latest` (the engine would pull every tag). */
export function pullImage(docker: Docker, text: string, signal: AbortSignal, send: (progress: TransferProgress) => void, auth: TransferAuth | null = null): Promise<void> {
  const wanted = reference(text);
  const options = { fromImage: repositoryOf(wanted), tag: wanted.digest ?? wanted.tag ?? 'latest' };
  return transfer('pull', text, () => docker.createImage(auth ?? ANONYMOUS, options), signal, send, auth !== null);
}

export function pushImage(docker: Docker, text: string, signal: AbortSignal, send: (progress: TransferProgress) => void, auth: TransferAuth | null = null): Promise<void> {
  const wanted = reference(text);
  const image = docker.getImage(repositoryOf(wanted));
  return transfer('push', text, () => image.push({ tag: wanted.tag ?? 'latest', authconfig: auth ?? ANONYMOUS }) as Promise<NodeJS.ReadableStream>, signal, send, auth !== null);
}

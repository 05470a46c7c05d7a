import { request as httpRequest, STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceReply, ServiceRequest } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import type { SshLink } from '../tunnel/link';
import { socketFolder } from './backend';

const TIMEOUT_MS = 60_000;
/** A backend answers a page: more than this is not an answer a page can use, and would fill the daemon's memory. */
const BODY_MAX = 64 * 1024 * 1024;
/** A backend just started may not have made its socket yet. */
const SOCKET_WAIT_MS = 5_000;

/** Headers the request's own framing sets; a page may not set them. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/** The backend's socket file name, from metadata.json: a bare name in the extension's own socket folder. */
function socketPath(extension: Extension): string {
  const socket = extension.vm?.socket;
  if (!socket) {
    throw new BerthError(
      'NoBackend',
      `${extension.title} has no backend service to call.`,
      'ddClient.extension.vm.service reaches a backend that metadata.json declares with vm.exposes.socket; this extension declares none.',
    );
  }
  if (socket.includes('/') || socket === '.' || socket === '..') {
    throw new BerthError('NoBackend', `${extension.title}'s backend socket "${socket}" is not a file name.`, 'vm.exposes.socket in metadata.json must name a socket file in /run/guest-services.');
  }
  return `${socketFolder(extension.key)}/${socket}`;
}

/**
 * The URL as a path on the backend. A page names paths ("/hello"); an absolute URL is taken only when it
 * points at the backend itself (localhost), since the request goes to the backend's socket whatever it says.
 */
export function backendPath(url: string): string {
  const refused = (why: string): BerthError =>
    new BerthError('BadServiceUrl', `"${url.slice(0, 200)}" ${why}.`, 'Pass a path on the extension\'s backend, such as "/items?id=1", to vm.service.');
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://backend');
  } catch {
    throw refused('is not a URL');
  }
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//') || url.startsWith('\\\\');
  if (absolute && (!['http:', 'https:'].includes(parsed.protocol) || !['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname))) {
    throw refused("is not a path on the extension's backend");
  }
  return `${parsed.pathname}${parsed.search}`;
}

function bodyOf(request: ServiceRequest, headers: OutgoingHttpHeaders): Buffer | null {
  const { data } = request;
  if (data === undefined || data === null || request.method === 'GET' || request.method === 'HEAD') return null;
  const given = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (typeof data === 'string') {
    if (!given) headers['content-type'] = 'text/plain; charset=utf-8';
    return Buffer.from(data);
  }
  if (!given) headers['content-type'] = 'application/json';
  return Buffer.from(JSON.stringify(data));
}

/** ssh2's channel as the socket node:http expects: the few socket methods it calls do not apply to a channel. */
function asSocket(channel: Duplex): Duplex {
  const noop = (): void => undefined;
  return Object.assign(channel, { setKeepAlive: noop, setNoDelay: noop, setTimeout: noop, ref: noop, unref: noop, destroySoon: () => channel.destroy() });
}

/** Opens the backend's socket through the SSH connection, waiting a little for a backend that is still starting. */
async function openSocket(link: SshLink, path: string, extension: Extension): Promise<Duplex> {
  const until = Date.now() + SOCKET_WAIT_MS;
  for (;;) {
    try {
      return await link.streamLocal(path);
    } catch (error) {
      if (Date.now() >= until) {
        throw new BerthError(
          'BackendUnreachable',
          `${extension.title}'s backend does not answer on ${path}: ${(error as Error).message}.`,
          `Its containers may have stopped: docker --context berth compose -p berth-ext-${extension.key} ps -a, and their logs.`,
        );
      }
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

/**
 * The reply's body as the page gets it: parsed when it is JSON, else text. Whatever its content type says:
 * Go's net/http, which many backends use, labels JSON it was not told about as text/plain.
 */
function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * ddClient.extension.vm.service: one HTTP/1.1 request to the extension's backend, on its Unix socket in the
 * VM, carried by the SSH connection's streamlocal forwarding (no port on this computer). Any status is an
 * answer; the page's client turns a non-2xx into a ServiceError.
 */
export async function serviceRequest(link: SshLink, extension: Extension, request: ServiceRequest, timeoutMs = TIMEOUT_MS): Promise<ServiceReply> {
  const path = socketPath(extension);
  const target = backendPath(request.url);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) if (!FRAMING.has(name.toLowerCase())) headers[name] = value;
  const body = bodyOf(request, headers);
  if (body) headers['content-length'] = body.length;
  const channel = await openSocket(link, path, extension);
  return new Promise<ServiceReply>((resolve, reject) => {
    const failed = (why: string): BerthError =>
      new BerthError('ServiceFailed', `${request.method} ${target} to ${extension.title}'s backend failed: ${why}.`, `Read the backend's logs: docker --context berth compose -p berth-ext-${extension.key} logs.`);
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      outgoing = httpRequest({
        method: request.method,
        path: target,
        headers: { host: 'backend', ...headers, connection: 'close' },
        createConnection: () => asSocket(channel) as never,
      });
    } catch (error) {
      channel.destroy();
      // node:http checks the headers' names and values: a page's bad header is its own mistake.
      reject(new BerthError('BadServiceRequest', `The request to ${extension.title}'s backend is malformed: ${(error as Error).message}.`, 'Check the headers given to vm.service.request.'));
      return;
    }
    const timer = setTimeout(() => outgoing.destroy(failed(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    outgoing.once('error', (error) => {
      clearTimeout(timer);
      channel.destroy();
      reject(error instanceof BerthError ? error : failed(error.message));
    });
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_MAX) outgoing.destroy(failed(`its answer is larger than ${BODY_MAX / 1024 / 1024} MiB`));
        else chunks.push(chunk);
      });
      response.once('end', () => {
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        resolve({ statusCode: status, statusText: response.statusMessage || STATUS_CODES[status] || '', body: parseBody(Buffer.concat(chunks)) });
      });
      response.once('error', (error) => {
        clearTimeout(timer);
        reject(failed(error.message));
      });
    });
    outgoing.end(body ?? undefined);
  });
}

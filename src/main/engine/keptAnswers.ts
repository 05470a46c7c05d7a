import { request } from 'node:http';
import { z } from 'zod';

/**
 * The Docker API's answers to the lists and the version, kept from the engine as a suspend found it:
 * while the engine is suspended they are answered from here, so `docker ps`, `docker images` and the
 * like work without the VM.
 */
export const KeptAnswers = z.object({
  /** The headers of a /_ping answer (API-Version and the like): clients negotiate their API version from them. */
  ping: z.record(z.string(), z.string()),
  version: z.string(),
  /** Every container (all=1), as objects: a list without `all` shows only the running ones. */
  containers: z.array(z.object({ State: z.string().optional() }).passthrough()),
  images: z.string(),
  volumes: z.string(),
  networks: z.string(),
  /** The plugins (a suspend saved by an older Berth has none kept: none is what it knew of). */
  plugins: z.string().default('[]'),
});
export type KeptAnswers = z.infer<typeof KeptAnswers>;

const PING_HEADERS = ['api-version', 'builder-version', 'docker-experimental', 'ostype', 'server', 'swarm'];

function get(socketPath: string, path: string): Promise<{ headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const asked = request({ socketPath, path, method: 'GET', timeout: 10_000 }, (answer) => {
      let body = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (body += chunk));
      answer.on('end', () => {
        if (answer.statusCode !== 200) reject(new Error(`GET ${path} answered ${answer.statusCode}: ${body.trim()}`));
        else resolve({ headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, String(value)])), body });
      });
    });
    asked.on('timeout', () => asked.destroy(new Error(`GET ${path} did not answer within 10 s`)));
    asked.on('error', reject);
    asked.end();
  });
}

/** Asks the engine, through the Docker socket at `socketPath`, for everything kept. */
export async function keepAnswers(socketPath: string): Promise<KeptAnswers> {
  const [ping, version, containers, images, volumes, networks, plugins] = await Promise.all(
    ['/_ping', '/version', '/containers/json?all=1', '/images/json', '/volumes', '/networks', '/plugins'].map((path) => get(socketPath, path)),
  );
  return KeptAnswers.parse({
    ping: Object.fromEntries(PING_HEADERS.filter((name) => ping.headers[name]).map((name) => [name, ping.headers[name]])),
    version: version.body,
    containers: JSON.parse(containers.body),
    images: images.body,
    volumes: volumes.body,
    networks: networks.body,
    plugins: plugins.body,
  });
}

export interface KeptAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const truthy = (value: string | null): boolean => value !== null && ['1', 'true', 'True'].includes(value);

/** The query has no parameter beyond `allowed`: a filter or anything else the kept list cannot honour is not answered from it. */
const onlyParams = (query: URLSearchParams, allowed: string[]): boolean => [...query.keys()].every((key) => allowed.includes(key));

/**
 * The kept answer to one request, or null when it is not one of the kept ones (or asks for more than a
 * kept list can say, such as a filter): the engine itself must answer that.
 */
export function keptAnswer(kept: KeptAnswers, method: string, target: string): KeptAnswer | null {
  let url: URL;
  try {
    url = new URL(target, 'http://docker');
  } catch {
    return null;
  }
  const path = url.pathname.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
  const query = url.searchParams;
  const json = (body: string): KeptAnswer => ({ status: 200, headers: { 'content-type': 'application/json', ...pick(kept.ping, ['api-version', 'ostype']) }, body });
  if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, no-store, must-revalidate', ...kept.ping }, body: method === 'HEAD' ? '' : 'OK' };
  }
  if (method !== 'GET') return null;
  if (path === '/version' && onlyParams(query, [])) return json(kept.version);
  if (path === '/containers/json' && onlyParams(query, ['all', 'limit', 'size'])) {
    let list = truthy(query.get('all')) ? kept.containers : kept.containers.filter((container) => container.State === 'running');
    const limit = Number(query.get('limit'));
    if (Number.isInteger(limit) && limit > 0) list = list.slice(0, limit);
    return json(JSON.stringify(list));
  }
  if (path === '/images/json' && onlyParams(query, ['shared-size', 'digests', 'manifests'])) return json(kept.images);
  if (path === '/volumes' && onlyParams(query, [])) return json(kept.volumes);
  if (path === '/networks' && onlyParams(query, [])) return json(kept.networks);
  if (path === '/plugins' && onlyParams(query, [])) return json(kept.plugins);
  return null;
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => headers[name]).map((name) => [name, headers[name]]));
}

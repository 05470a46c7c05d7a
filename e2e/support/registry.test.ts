// The test rig's registry against the real docker-registry, openssl and htpasswd: no VM.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALM, startRegistry, type TlsRegistry } from './registry';

interface Call {
  method?: string;
  ca?: string;
  auth?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs?: number;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// Node's own clients, as a test of the certificate should not go through the rig's code.
function call(url: string, options: Call = {}): Promise<Reply> {
  const client = url.startsWith('https:') ? https : http;
  const headers = { ...options.headers, ...(options.body && { 'content-length': String(options.body.length) }) };
  const timeout = options.timeoutMs ?? 3000;
  const settings: https.RequestOptions = { method: options.method ?? 'GET', ca: options.ca, auth: options.auth, headers, timeout, agent: false };
  return new Promise((resolve, reject) => {
    const request = client.request(url, settings, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The smallest image the registry takes: a config blob and a manifest with no layers. */
async function pushEmptyImage(base: string, repository: string, tag: string, access: Call): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const upload = await call(`${base}/v2/${repository}/blobs/uploads/`, { ...access, method: 'POST' });
  expect(upload.status, upload.body).toBe(202);
  const target = new URL(upload.headers.location ?? '', base);
  target.searchParams.set('digest', digest);
  const blob = await call(target.href, { ...access, method: 'PUT', body: config, headers: { 'content-type': 'application/octet-stream' } });
  expect(blob.status, blob.body).toBe(201);
  const mediaType = 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = { schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest }, layers: [] };
  const put = await call(`${base}/v2/${repository}/manifests/${tag}`, { ...access, method: 'PUT', body: Buffer.from(JSON.stringify(manifest)), headers: { 'content-type': mediaType } });
  expect(put.status, put.body).toBe(201);
}

/** The certificate the registry presents when asked for `servername`, verified against the CA. */
function peerCertificate(port: number, ca: string, servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
      resolve(socket.getPeerX509Certificate() as X509Certificate);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('startRegistry with tls and users', () => {
  let registry: TlsRegistry;
  const alice = (password: string): Call => ({ ca: registry.caCert, auth: `alice:${password}` });

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, users: { alice: 'first secret', bob: 'b0b' } });
  });
  afterAll(async () => registry?.stop());

  it('answers 401 without credentials and 200 with them, over HTTPS checked with its CA', async () => {
    expect(registry.url).toBe(`https://127.0.0.1:${registry.port}`);
    const anonymous = await call(`${registry.url}/v2/`, { ca: registry.caCert });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe(`Basic realm="${REALM}"`);
    expect((await call(`${registry.url}/v2/`, alice('first secret'))).status).toBe(200);
    expect((await call(`${registry.url}/v2/`, alice('wrong'))).status).toBe(401);
  });

  it('fails TLS verification for a client without the CA', async () => {
    await expect(call(`${registry.url}/v2/`)).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/) });
  });

  it('presents a one-day certificate that is valid for the guest name of the host', async () => {
    const cert = await peerCertificate(registry.port, registry.caCert, 'host.docker.internal');
    expect(cert.subjectAltName).toBe('DNS:host.docker.internal, DNS:localhost, IP Address:127.0.0.1');
    expect(cert.checkIssued(new X509Certificate(registry.caCert))).toBe(true);
    const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    expect(lifetime).toBe(24 * 3600 * 1000);
  });

  it('lists tags as the first user', async () => {
    await pushEmptyImage(registry.url, 'berth/empty', 'v1', alice('first secret'));
    expect(await registry.tags('berth/empty')).toEqual(['v1']);
    expect(await registry.tags('berth/absent')).toEqual([]);
  });

  it('takes a new password at once, for that user only, and tags() follows it', async () => {
    await registry.setPassword('alice', 'second secret');
    expect((await call(`${registry.url}/v2/`, alice('first secret'))).status).toBe(401);
    expect((await call(`${registry.url}/v2/`, alice('second secret'))).status).toBe(200);
    expect((await call(`${registry.url}/v2/`, { ca: registry.caCert, auth: 'bob:b0b' })).status).toBe(200);
    expect(await registry.tags('berth/empty')).toEqual(['v1']);
  });

  it('hangs while paused and answers again once resumed', async () => {
    registry.pause();
    try {
      await expect(call(`${registry.url}/v2/`, { ...alice('second secret'), timeoutMs: 300 })).rejects.toThrow('timed out');
    } finally {
      registry.resume();
    }
    expect((await call(`${registry.url}/v2/`, alice('second secret'))).status).toBe(200);
  });

  it('removes the CA material on stop, even from a paused registry', async () => {
    registry.pause();
    await registry.stop();
    expect(existsSync(registry.caCertPath)).toBe(false);
    await expect(call(`${registry.url}/v2/`, { ca: registry.caCert, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('startRegistry by default', () => {
  it('serves plain HTTP without auth, and has no CA or users', async () => {
    const registry = await startRegistry();
    try {
      expect(registry.url).toBe(`http://127.0.0.1:${registry.port}`);
      expect(registry.caCert).toBeUndefined();
      expect((await fetch(`${registry.url}/v2/`)).status).toBe(200);
      expect(await registry.tags('berth/absent')).toEqual([]);
      await expect(registry.setPassword('alice', 'x')).rejects.toThrow('without users');
    } finally {
      await registry.stop();
    }
  });
});

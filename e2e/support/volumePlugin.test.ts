import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_PL } from './extensionBackends';
import { VOLUME_DRIVER_PL, volumePluginFolder } from './volumePlugin';

const dir = mkdtempSync(join(tmpdir(), 'bt-perl-servers-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `script` with the host's perl on a socket in `dir`, as the image runs it, once it listens. */
async function serve(script: string, socket: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const file = join(dir, `${socket}.pl`);
  writeFileSync(file, script);
  const path = join(dir, socket);
  const child = spawn('/usr/bin/perl', [file, path], { env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (data: Buffer) => (data.toString().includes('listening on') ? resolve() : reject(new Error(data.toString()))));
    child.once('exit', (code) => reject(new Error(`perl exited with ${code}`)));
  });
  return path;
}

/** One request over the Unix socket: its status and body; `chunked` sends the body without a length, as Go may. */
function ask(socketPath: string, path: string, body = '', options: { method?: string; chunked?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = options.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': Buffer.byteLength(body) };
    const asked = request({ socketPath, path, method: options.method ?? 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: text }));
    });
    asked.on('error', reject);
    if (options.chunked) for (const part of body.match(/.{1,5}/gs) ?? []) asked.write(part);
    asked.end(options.chunked ? undefined : body);
  });
}

const json = async (socket: string, path: string, body: unknown, chunked = false) => JSON.parse((await ask(socket, path, JSON.stringify(body), { chunked })).body) as Record<string, unknown>;

describe('the perl servers of the test images, run with the host perl', () => {
  it('serves an extension backend: hello by socket name, echo of a body sent in chunks, any status', async () => {
    const socket = await serve(SERVER_PL, 'backend.sock');
    expect(JSON.parse((await ask(socket, '/hello', '', { method: 'GET' })).body)).toEqual({ message: 'hello from backend' });
    expect(JSON.parse((await ask(socket, '/echo', '{"a":1}', { chunked: true })).body)).toEqual({ method: 'POST', contentType: 'application/json', body: '{"a":1}' });
    expect(await ask(socket, '/status/418', '', { method: 'GET' })).toEqual({ status: 418, body: '{"status":418}' });
  });

  it('answers the volume plugin protocol, each volume a folder', async () => {
    const volumes = join(dir, 'volumes');
    const socket = await serve(VOLUME_DRIVER_PL, 'volume.sock', { VOLUMES: volumes });
    expect(await json(socket, '/Plugin.Activate', {})).toEqual({ Implements: ['VolumeDriver'] });
    expect(await json(socket, '/VolumeDriver.Capabilities', {})).toEqual({ Capabilities: { Scope: 'local' } });
    expect(await json(socket, '/VolumeDriver.List', {})).toMatchObject({ Err: expect.stringContaining(volumes) });

    mkdirSync(volumes);
    expect(await json(socket, '/VolumeDriver.Create', { Name: 'data', Opts: {} }, true)).toEqual({ Err: '' });
    expect(statSync(join(volumes, 'data')).isDirectory()).toBe(true);
    expect(await json(socket, '/VolumeDriver.List', {})).toEqual({ Volumes: [{ Name: 'data', Mountpoint: join(volumes, 'data') }], Err: '' });
    expect(await json(socket, '/VolumeDriver.Get', { Name: 'data' })).toEqual({ Volume: { Name: 'data', Mountpoint: join(volumes, 'data') }, Err: '' });
    expect(await json(socket, '/VolumeDriver.Mount', { Name: 'data', ID: 'c1' })).toEqual({ Mountpoint: join(volumes, 'data'), Err: '' });
    expect(await json(socket, '/VolumeDriver.Path', { Name: 'data' })).toEqual({ Mountpoint: join(volumes, 'data'), Err: '' });
    expect(await json(socket, '/VolumeDriver.Unmount', { Name: 'data', ID: 'c1' })).toEqual({ Err: '' });
    writeFileSync(join(volumes, 'data', 'file'), 'kept');
    expect(await json(socket, '/VolumeDriver.Remove', { Name: 'data' })).toEqual({ Err: '' });
    expect(existsSync(join(volumes, 'data'))).toBe(false);

    expect(await json(socket, '/VolumeDriver.Get', { Name: 'data' })).toEqual({ Err: 'no such volume: data' });
    expect(await json(socket, '/VolumeDriver.Create', { Name: '../escape' })).toEqual({ Err: 'a volume name is letters, digits and _ . - after the first' });
    expect((await ask(socket, '/NetworkDriver.CreateNetwork', '{}')).status).toBe(404);
  });
});

describe('the volume plugin folder, made offline', () => {
  it('holds config.json (socket, volume driver type, propagated mount, privileges) and a rootfs that runs the driver', async () => {
    const folder = await volumePluginFolder('a test driver', 'test.sock');
    try {
      const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        entrypoint: ['/usr/bin/perl', '/driver.pl', '/run/docker/plugins/test.sock'],
        interface: { socket: 'test.sock', types: ['docker.volumedriver/1.0'] },
        propagatedmount: '/mnt/volumes',
        linux: { capabilities: ['CAP_SYS_ADMIN'] },
      });
      expect(config.mounts[0]).toMatchObject({ source: '/etc/os-release', type: 'bind' });
      expect(readFileSync(join(folder, 'rootfs', 'driver.pl'), 'utf8')).toBe(VOLUME_DRIVER_PL);
      expect(statSync(join(folder, 'rootfs', 'usr', 'bin', 'perl')).mode & 0o111).not.toBe(0);
      expect(statSync(join(folder, 'rootfs', 'bin', 'busybox')).size).toBeGreaterThan(100_000);
      expect(statSync(join(folder, 'rootfs', 'mnt', 'volumes')).isDirectory()).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

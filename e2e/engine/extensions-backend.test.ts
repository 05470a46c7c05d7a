import { rmSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecChunk, ServiceRequest } from '../../src/main/api/ddClient';
import type { Extension } from '../../src/main/api/extensions';
import { GuestBackends, guestFolder, projectOf } from '../../src/main/extensions/backend';
import { serviceRequest } from '../../src/main/extensions/service';
import { execInBackend } from '../../src/main/extensions/vmExec';
import { runInGuest } from '../../src/main/tunnel/guestCommand';
import type { SshLink } from '../../src/main/tunnel/link';
import { docker } from '../support/berth';
import { backendServerCommand, buildBackendImage, extensionFolder, extensionRecord } from '../support/extensionBackends';
import { guestLink } from '../support/guest';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
let link: SshLink;
let engine: Docker;
let backends: GuestBackends;
const said: string[] = [];

const imageExtension = extensionRecord('berth-test/backend-image:1.0', { kind: 'image', socket: 'image.sock' });
const composeExtension = extensionRecord('berth-test/backend-compose:1.0', { kind: 'compose', socket: 'compose.sock' });
/** As install writes it for a `vm.image` backend. */
const imageFolder = extensionFolder('services:\n  backend:\n    image: "${DESKTOP_PLUGIN_IMAGE}"\n');
const composeFolder = extensionFolder(
  `services:
  api:
    image: \${DESKTOP_PLUGIN_IMAGE}
    command: ${JSON.stringify(backendServerCommand('compose.sock'))}
    environment:
      NAME: compose
    labels:
      - org.example.own=kept
    volumes:
      - data:/data
      - ./config:/config:ro
      - /var/run/docker.sock.raw:/var/run/docker.sock
  writer:
    image: \${DESKTOP_PLUGIN_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; echo started >> /data/log; sleep 100000 & wait"]
    restart: "no"
    volumes:
      - data:/data
volumes:
  data:
`,
  { 'config/greeting.txt': 'hello from the compose folder\n' },
);

/** A backend that runs as a user other than root, as some images do. */
const userExtension = extensionRecord('berth-test/backend-user:1.0', { kind: 'compose', socket: 'user.sock' });
const userFolder = extensionFolder(`services:\n  api:\n    image: \${DESKTOP_PLUGIN_IMAGE}\n    user: "1000:1000"\n    command: ${JSON.stringify(backendServerCommand('user.sock'))}\n`);

const call = (extension: Extension, method: ServiceRequest['method'], url: string, data?: unknown) => serviceRequest(link, extension, { key: extension.key, method, url, data });
const guest = (command: string): Promise<string> => runInGuest(link, command, { hint: 'test' });

async function exec(extension: Extension, command: string, args: string[], signal = new AbortController().signal): Promise<ExecChunk[]> {
  const chunks: ExecChunk[] = [];
  await execInBackend(engine, link, extension, command, args, signal, (chunk) => chunks.push(chunk));
  return chunks;
}
const joined = (chunks: ExecChunk[], stream: 'stdout' | 'stderr'): string => chunks.map((chunk) => (stream in chunk ? (chunk as Record<string, string>)[stream] : '')).join('');

const projectContainers = (extension: Extension): Promise<Docker.ContainerInfo[]> =>
  engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${projectOf(extension.key)}`] } });

/** Reads until `test` accepts the answer: a container of the project may still be starting. */
async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!test(value) && Date.now() < until) {
    await new Promise((done) => setTimeout(done, 250));
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  const image = await buildBackendImage(instance, { repository: 'berth-test/backend-image', tag: '1.0', cmd: backendServerCommand('image.sock') });
  for (const other of [composeExtension, userExtension]) {
    const tagged = await docker(instance, ['tag', image, other.image]);
    expect(tagged.stderr).toBe('');
  }
  link = await guestLink(instance);
  engine = new Docker({ socketPath: instance.socket });
  backends = new GuestBackends(link, engine, (line) => said.push(line));
});

afterAll(async () => {
  for (const extension of [imageExtension, composeExtension, userExtension]) await backends?.remove(extension, { keepVolumes: false }).catch(() => undefined);
  link?.close();
  await docker(instance, ['rmi', imageExtension.image, composeExtension.image, userExtension.image]);
  rmSync(imageFolder, { recursive: true, force: true });
  rmSync(userFolder, { recursive: true, force: true });
  rmSync(composeFolder, { recursive: true, force: true });
});

describe('a vm.image backend', () => {
  it('starts as a compose project whose socket answers through the SSH connection', async () => {
    await backends.start(imageExtension, imageFolder);
    const hello = await call(imageExtension, 'GET', '/hello');
    expect(hello).toEqual({ statusCode: 200, statusText: 'OK', body: { message: 'hello from image' } });
    expect((await call(imageExtension, 'GET', 'http://localhost/hello')).body).toEqual({ message: 'hello from image' });
  });

  it('sends objects as JSON and strings as text, and parses JSON answers', async () => {
    const json = await call(imageExtension, 'POST', '/echo', { name: 'berth', list: [1, 2] });
    expect(json.body).toEqual({ method: 'POST', contentType: 'application/json', body: '{"name":"berth","list":[1,2]}' });
    const text = await call(imageExtension, 'PUT', '/echo', 'some text');
    expect(text.body).toEqual({ method: 'PUT', contentType: 'text/plain; charset=utf-8', body: 'some text' });
    expect((await call(imageExtension, 'GET', '/text')).body).toBe('plain text from image');
    expect(await call(imageExtension, 'HEAD', '/hello')).toEqual({ statusCode: 200, statusText: 'OK', body: '' });
  });

  it('answers a non-2xx status as it is, for the page to turn into a ServiceError', async () => {
    const teapot = await call(imageExtension, 'DELETE', '/status/418');
    expect(teapot).toEqual({ statusCode: 418, statusText: "I'm a teapot", body: { status: 418 } });
    expect((await call(imageExtension, 'GET', '/nowhere')).statusCode).toBe(404);
  });

  it('refuses a URL that leads to another host', async () => {
    for (const url of ['http://example.com/hello', '//example.com/hello', 'file:///etc/passwd']) {
      await expect(call(imageExtension, 'GET', url)).rejects.toMatchObject({ name: 'BadServiceUrl' });
    }
  });

  it('labels its containers as an extension\'s, restarting unless stopped', async () => {
    const [container] = await projectContainers(imageExtension);
    expect(container.Labels).toMatchObject({
      'com.docker.desktop.extension': 'true',
      'com.docker.desktop.extension.name': imageExtension.id,
      'berth.extension.key': imageExtension.key,
      'com.docker.compose.service': 'backend',
    });
    const inspected = await engine.getContainer(container.Id).inspect();
    expect(inspected.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
  });
});

describe('a compose backend', () => {
  it('runs two services with a named volume, its folder\'s files and the engine\'s socket', async () => {
    await backends.start(composeExtension, composeFolder);
    expect((await call(composeExtension, 'GET', '/hello')).body).toEqual({ message: 'hello from compose' });
    expect((await call(composeExtension, 'GET', '/file?/config/greeting.txt')).body).toBe('hello from the compose folder\n');
    // /var/run/docker.sock.raw in the guest is the engine's socket.
    expect((await call(composeExtension, 'GET', '/engine')).body).toEqual({ ping: 'OK' });
    const log = await eventually(() => call(composeExtension, 'GET', '/file?/data/log'), (reply) => reply.statusCode === 200);
    expect(log.body).toBe('started\n');
    const containers = await projectContainers(composeExtension);
    expect(containers.map((container) => container.Labels['com.docker.compose.service']).sort()).toEqual(['api', 'writer']);
    const api = containers.find((container) => container.Labels['com.docker.compose.service'] === 'api')!;
    expect(api.Labels['org.example.own']).toBe('kept');
    const writer = await engine.getContainer(containers.find((container) => container !== api)!.Id).inspect();
    expect(writer.HostConfig.RestartPolicy?.Name).toBe('no');
  });

  it('keeps each extension\'s socket in its own folder', async () => {
    expect((await guest(`ls /run/guest-services/${imageExtension.key}`)).trim()).toBe('image.sock');
    expect((await guest(`ls /run/guest-services/${composeExtension.key}`)).trim()).toBe('compose.sock');
    expect(joined(await exec(imageExtension, 'ls', ['/run/guest-services']), 'stdout')).toBe('image.sock\n');
    // Another extension's socket name does not lead to its socket.
    const borrowed = { ...imageExtension, vm: { kind: 'image' as const, socket: 'compose.sock' } };
    await expect(call(borrowed, 'GET', '/hello')).rejects.toMatchObject({ name: 'BackendUnreachable' });
    const climbing = { ...imageExtension, vm: { kind: 'image' as const, socket: `../${composeExtension.key}/compose.sock` } };
    await expect(call(climbing, 'GET', '/hello')).rejects.toMatchObject({ name: 'NoBackend' });
    await expect(call({ ...imageExtension, vm: null }, 'GET', '/hello')).rejects.toMatchObject({ name: 'NoBackend' });
  });

  it("gives each socket folder to its backend's user alone, and the parent folder cannot be listed", async () => {
    const modes = (await guest(`stat -c '%n %a %u' /run/guest-services /run/guest-services/${imageExtension.key}`)).trim().split('\n');
    expect(modes).toEqual(['/run/guest-services 711 0', `/run/guest-services/${imageExtension.key} 700 0`]);
    await backends.start(userExtension, userFolder);
    expect((await guest(`stat -c '%a %u' /run/guest-services/${userExtension.key}`)).trim()).toBe('700 1000');
    const reply = await eventually(() => call(userExtension, 'GET', '/hello').catch((error: Error) => error), (value) => !(value instanceof Error));
    expect(reply).toMatchObject({ statusCode: 200 });
    // Another user in the guest (as a container of another extension's would run) reaches neither folder.
    const denied = await guest(`cd /tmp && setpriv --reuid=1001 --regid=1001 --clear-groups ls /run/guest-services/${userExtension.key} /run/guest-services 2>&1 || true`);
    expect(denied).toMatch(/Permission denied[\s\S]*Permission denied/);
  });
});

describe('vm.cli.exec', () => {
  it('streams stdout and stderr from the first service, then the exit code', async () => {
    const chunks = await exec(composeExtension, 'sh', ['-c', 'echo "out of $NAME"; echo err >&2; exit 3']);
    expect(joined(chunks, 'stdout')).toBe('out of compose\n');
    expect(joined(chunks, 'stderr')).toBe('err\n');
    expect(chunks.at(-1)).toEqual({ exit: 3, signal: null });
  });

  it('ends the process with SIGTERM when cancelled', async () => {
    const abort = new AbortController();
    const began = Date.now();
    setTimeout(() => abort.abort(), 1_500);
    const chunks = await exec(imageExtension, 'sleep', ['100'], abort.signal);
    expect(chunks.at(-1)).toEqual({ exit: null, signal: 'SIGTERM' });
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(joined(await exec(imageExtension, 'ps', []), 'stdout')).not.toContain('sleep 100');
  });

  it('says so when the extension has no backend', async () => {
    await expect(exec({ ...imageExtension, vm: null }, 'true', [])).rejects.toMatchObject({ name: 'NoBackend' });
  });
});

describe('bringing backends back', () => {
  it('gives running backends their socket folders again, as a VM restart leaves them', async () => {
    const folder = `/run/guest-services/${userExtension.key}`;
    await guest(`chown 0 ${folder} && chmod 0755 ${folder} /run/guest-services`);
    await backends.ensure([imageExtension, composeExtension, userExtension]);
    expect((await guest(`stat -c '%a %u' /run/guest-services ${folder}`)).trim().split('\n')).toEqual(['711 0', '700 1000']);
  });

  it('is quick when every backend runs, and starts a stopped one', async () => {
    said.length = 0;
    await backends.ensure([imageExtension, composeExtension]);
    expect(said).toEqual([]);
    const [container] = await projectContainers(imageExtension);
    await engine.getContainer(container.Id).stop({ t: 1 });
    // The engine's listing may show the container running for a moment after the stop returned.
    await eventually(() => projectContainers(imageExtension), ([stopped]) => stopped.State !== 'running');
    await backends.ensure([imageExtension, composeExtension]);
    expect(said.join('\n')).toContain(imageExtension.id);
    expect((await call(imageExtension, 'GET', '/hello')).statusCode).toBe(200);
  });

  it('starts one from its folder on this computer when the guest lost its copy', async () => {
    await guest(`cd / && docker rm -f $(docker ps -aq --filter label=berth.extension.key=${imageExtension.key}) >/dev/null && rm -rf ${guestFolder(imageExtension.key)}`);
    await backends.ensure([imageExtension], () => imageFolder);
    expect((await call(imageExtension, 'GET', '/hello')).body).toEqual({ message: 'hello from image' });
  });
});

describe('removing a backend', () => {
  const volume = `${projectOf(composeExtension.key)}_data`;
  const volumes = async (): Promise<string[]> => ((await engine.listVolumes()).Volumes ?? []).map((entry) => entry.Name);

  // An update keeping them is e2e/dashboard/extensions.test.ts's, through the window.
  it('drops them on an uninstall, with its containers and guest folders', async () => {
    await backends.remove(composeExtension, { keepVolumes: false });
    expect(await projectContainers(composeExtension)).toEqual([]);
    expect(await volumes()).not.toContain(volume);
    expect((await guest(`ls -d ${guestFolder(composeExtension.key)} /run/guest-services/${composeExtension.key} 2>/dev/null || true`)).trim()).toBe('');
    await backends.remove(imageExtension, { keepVolumes: false });
    expect(await projectContainers(imageExtension)).toEqual([]);
    await expect(call(imageExtension, 'GET', '/hello')).rejects.toMatchObject({ name: 'BackendUnreachable' });
  });
});

import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../api/images';
import { pullImage, pushImage } from './transfer';

/** An engine whose pull and push answer with the stream the test writes, recording what was asked. */
function fakeEngine(refuse?: { statusCode: number; json: { message: string } }) {
  const stream = new PassThrough();
  const asked: unknown[] = [];
  const docker = {
    createImage: async (auth: unknown, options: unknown) => {
      asked.push({ auth, options });
      if (refuse) throw Object.assign(new Error(refuse.json.message), refuse);
      return stream;
    },
    getImage: (name: string) => ({
      push: async (options: unknown) => {
        asked.push({ name, options });
        return stream;
      },
    }),
  } as unknown as Docker;
  const write = (...messages: object[]) => stream.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  return { docker, stream, asked, write };
}

const collect = () => {
  const chunks: TransferProgress[] = [];
  return { chunks, send: (progress: TransferProgress) => chunks.push(progress) };
};

describe('pulling and pushing', () => {
  it('pulls latest when no tag is given, and ends with a complete snapshot', async () => {
    const engine = fakeEngine();
    const out = collect();
    const pulling = pullImage(engine.docker, 'host.docker.internal:5000/berth/busybox', new AbortController().signal, out.send);
    await new Promise((done) => setImmediate(done));
    engine.write({ id: 'latest', status: 'Pulling from berth/busybox' }, { id: 'aaa', status: 'Downloading', progressDetail: { current: 5, total: 10 } });
    engine.write({ id: 'aaa', status: 'Pull complete' }, { status: 'Status: Downloaded newer image' });
    engine.stream.end();
    await pulling;
    expect(engine.asked).toEqual([{ auth: {}, options: { fromImage: 'host.docker.internal:5000/berth/busybox', tag: 'latest' } }]);
    expect(out.chunks.at(-1)).toEqual({
      status: 'Status: Downloaded newer image',
      layers: [{ id: 'aaa', status: 'Pull complete', current: null, total: null, fraction: 1 }],
      fraction: 1,
      complete: true,
    });
  });

  it('says an image does not exist at its registry, whether the engine refuses at once or in the stream', async () => {
    const refused = fakeEngine({ statusCode: 404, json: { message: 'manifest for host.docker.internal:5000/nope:1 not found: manifest unknown' } });
    const atOnce = pullImage(refused.docker, 'host.docker.internal:5000/nope:1', new AbortController().signal, () => undefined);
    await expect(atOnce).rejects.toMatchObject({ name: 'NoSuchImage', message: 'The image host.docker.internal:5000/nope:1 does not exist at host.docker.internal:5000.' });

    const engine = fakeEngine();
    const later = pullImage(engine.docker, 'nope', new AbortController().signal, () => undefined);
    await new Promise((done) => setImmediate(done));
    engine.write({ errorDetail: { message: 'pull access denied for nope, repository does not exist' }, error: 'pull access denied' });
    engine.stream.end();
    await expect(later).rejects.toMatchObject({ name: 'NoSuchImage', message: 'The image nope does not exist at Docker Hub.' });
  });

  it('pushes the repository with its tag, anonymously, and says when the registry cannot be reached', async () => {
    const engine = fakeEngine();
    const pushing = pushImage(engine.docker, 'host.docker.internal:5000/app:v1', new AbortController().signal, () => undefined);
    await new Promise((done) => setImmediate(done));
    engine.write({ errorDetail: { message: 'Get "http://host.docker.internal:5000/v2/": dial tcp 10.0.2.2:5000: connect: connection refused' } });
    engine.stream.end();
    await expect(pushing).rejects.toMatchObject({ name: 'RegistryUnreachable', hint: expect.stringContaining('host.docker.internal') });
    expect(engine.asked).toEqual([{ name: 'host.docker.internal:5000/app', options: { tag: 'v1', authconfig: {} } }]);
  });

  it('closes the connection when cancelled, and ends quietly', async () => {
    const engine = fakeEngine();
    const abort = new AbortController();
    const out = collect();
    const pulling = pullImage(engine.docker, 'busybox:1', abort.signal, out.send);
    await new Promise((done) => setImmediate(done));
    engine.write({ id: 'aaa', status: 'Downloading', progressDetail: { current: 1, total: 10 } });
    abort.abort();
    await pulling;
    expect(engine.stream.destroyed).toBe(true);
    expect(out.chunks.some((chunk) => chunk.complete)).toBe(false);
  });

  it('fails when the connection is cut before the transfer finished', async () => {
    const engine = fakeEngine();
    const pulling = pullImage(engine.docker, 'busybox:1', new AbortController().signal, () => undefined);
    await new Promise((done) => setImmediate(done));
    engine.write({ id: 'aaa', status: 'Downloading', progressDetail: { current: 1, total: 10 } });
    engine.stream.destroy();
    await expect(pulling).rejects.toMatchObject({ name: 'PullFailed', message: expect.stringContaining('closed before the transfer finished') });
  });

  it('sends the stored sign-in, and asks to sign in again when the registry refuses it mid-transfer', async () => {
    const engine = fakeEngine();
    const auth = { username: 'ana', password: 's3cret', serveraddress: 'registry.example:5000' };
    const pulling = pullImage(engine.docker, 'registry.example:5000/team/app:1', new AbortController().signal, () => undefined, auth);
    await new Promise((done) => setImmediate(done));
    engine.write({ id: 'aaa', status: 'Downloading', progressDetail: { current: 1, total: 10 } });
    engine.write({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized: authentication required' });
    engine.stream.end();
    await expect(pulling).rejects.toMatchObject({ name: 'RegistrySignInExpired', hint: expect.stringContaining('Sign in to registry.example:5000 again') });
    expect(engine.asked).toEqual([{ auth, options: { fromImage: 'registry.example:5000/team/app', tag: '1' } }]);
  });

  it('says to sign in when an anonymous pull meets a private repository', async () => {
    const engine = fakeEngine();
    const pulling = pullImage(engine.docker, 'registry.example:5000/team/app:1', new AbortController().signal, () => undefined);
    await new Promise((done) => setImmediate(done));
    engine.write({ errorDetail: { message: 'Head "https://registry.example:5000/v2/team/app/manifests/1": no basic auth credentials' } });
    engine.stream.end();
    await expect(pulling).rejects.toMatchObject({ name: 'RegistryDenied', hint: expect.stringContaining('Sign in to registry.example:5000 in Registries') });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { SshLink } from './link';
import { HostSocket } from './socket';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A link whose every channel is an engine the test answers by hand. */
function fakeLink(): { link: SshLink; engines: Array<{ fromClient: PassThrough; toClient: PassThrough }> } {
  const engines: Array<{ fromClient: PassThrough; toClient: PassThrough }> = [];
  const link = {
    streamLocal: async () => {
      const fromClient = new PassThrough();
      const toClient = new PassThrough();
      engines.push({ fromClient, toClient });
      return Object.assign(Duplex.from({ writable: fromClient, readable: toClient }), { close: () => undefined });
    },
  } as unknown as SshLink;
  return { link, engines };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((done) => setTimeout(done, 5));
  expect(check()).toBe(true);
};

describe('the host Docker socket as Resource Saver sees it', () => {
  it('is active while a request waits for the engine, and idle on a connection where nothing moves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-host-socket-'));
    dirs.push(dir);
    const path = join(dir, 'docker.sock');
    const { link, engines } = fakeLink();
    const socket = new HostSocket(path, '/var/run/docker.sock', link, () => undefined);
    await socket.listen();
    const client: Socket = connect(path);
    await new Promise((done) => client.once('connect', done));
    client.write('GET /v1.45/events HTTP/1.1\r\nHost: docker\r\n\r\n');
    await until(() => engines.length === 1);
    // Waiting for the engine's answer: active now, however long that takes.
    await new Promise((done) => setTimeout(done, 50));
    expect(Date.now() - socket.lastActive()).toBeLessThan(10);
    engines[0]!.toClient.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    await new Promise((done) => setTimeout(done, 100));
    // Answered, and the stream stays open with nothing on it: idle since its last bytes.
    expect(Date.now() - socket.lastActive()).toBeGreaterThanOrEqual(90);
    client.destroy();
    await socket.close();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeptAnswers } from '../engine/keptAnswers';
import { RestingSocket, writeAnswer } from './restingSocket';

const kept: KeptAnswers = { ping: { 'api-version': '1.45' }, version: '{}', containers: [{ Id: 'a', State: 'running' }], images: '[]', volumes: '{}', networks: '[]', plugins: '[]' };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function resting(unanswered: (local: Socket, head: Buffer) => void): { socket: RestingSocket; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bt-resting-'));
  dirs.push(dir);
  const path = join(dir, 'docker.sock');
  return { socket: new RestingSocket(path, kept, unanswered), path };
}

const get = (socketPath: string, path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const asked = request({ socketPath, path, method }, (answer) => {
      let body = '';
      answer.on('data', (chunk) => (body += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode!, body, headers: answer.headers }));
    });
    asked.on('error', reject);
    asked.end(method === 'POST' ? '{}' : undefined);
  });

describe('the Docker socket while the engine is suspended', () => {
  it('answers the kept lists over HTTP, one request per connection', async () => {
    const { socket, path } = resting(() => {
      throw new Error('nothing here should go unanswered');
    });
    await socket.listen();
    const answer = await get(path, '/v1.45/containers/json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(kept.containers);
    expect(answer.headers.connection).toBe('close');
    expect((await get(path, '/_ping', 'HEAD')).headers['api-version']).toBe('1.45');
    await socket.close();
  });

  it('hands anything else over with every byte read so far, and can refuse it with a reason', async () => {
    let seen = '';
    const { socket, path } = resting((local, head) => {
      seen = head.toString();
      writeAnswer(local, { status: 503, headers: { 'content-type': 'application/json' }, body: '{"message":"suspended"}' });
    });
    await socket.listen();
    const answer = await get(path, '/v1.45/containers/create', 'POST');
    expect(answer).toMatchObject({ status: 503, body: '{"message":"suspended"}' });
    expect(seen).toMatch(/^POST \/v1\.45\/containers\/create HTTP\/1\.1\r\n/);
    await socket.close();
  });

  it('gives its listener away on release, so a waking engine takes connections without a gap', async () => {
    const { socket, path } = resting(() => undefined);
    await socket.listen();
    const listener = socket.release()!;
    listener.handTo((local: Socket) => local.end('taken over'));
    const said = await new Promise<string>((resolve) => {
      const client = connect(path);
      let text = '';
      client.on('data', (chunk) => (text += chunk));
      client.on('end', () => resolve(text));
    });
    expect(said).toBe('taken over');
    await listener.close();
  });

  it('closes a connection it answered, though its client keeps its own side open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-resting-'));
    dirs.push(dir);
    const path = join(dir, 'answer.sock');
    let answered: (local: Socket) => void = () => undefined;
    const serverSide = new Promise<Socket>((resolve) => (answered = resolve));
    const server = createServer({ allowHalfOpen: true }, (local) => {
      local.pause();
      writeAnswer(local, { status: 503, headers: {}, body: 'suspended' });
      server.close();
      answered(local);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    // A client that never ends its side: only the answering side can close the connection.
    const client = connect({ path, allowHalfOpen: true });
    const local = await serverSide;
    await new Promise((resolve) => local.once('close', resolve));
    expect(local.destroyed).toBe(true);
    client.destroy();
  });

  it('ends, when the waking engine closes it, a connection it was handed that the new owner left half-open', async () => {
    const { socket, path } = resting(() => undefined);
    await socket.listen();
    const listener = socket.release()!;
    // The new owner ends its side and stops reading: the kind of connection that once held a suspend up.
    listener.handTo((local: Socket) => {
      local.pause();
      local.end('half');
    });
    const client = connect(path);
    await new Promise((resolve) => client.once('data', resolve));
    const closed = new Promise((resolve) => client.once('close', resolve));
    await listener.close();
    await closed;
  });
});

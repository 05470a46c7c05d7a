import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
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
    const listening = socket.release()!;
    listening.server.removeAllListeners('connection');
    listening.server.on('connection', (local: Socket) => local.end('taken over'));
    const said = await new Promise<string>((resolve) => {
      const client = connect(path);
      let text = '';
      client.on('data', (chunk) => (text += chunk));
      client.on('end', () => resolve(text));
    });
    expect(said).toBe('taken over');
    await new Promise<void>((resolve) => listening.server.close(() => resolve()));
    listening.unlink();
  });
});

import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { actionError, requireRunning, summarize } from './containers';

const info = {
  Id: 'abc123def4567890',
  Names: ['/web'],
  Image: 'nginx:1',
  ImageID: 'sha256:1',
  Command: 'nginx -g daemon off;',
  Created: 1700000000,
  State: 'running',
  Status: 'Up 2 minutes',
  Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }],
  Labels: { 'com.docker.compose.project': 'shop' },
} as unknown as Docker.ContainerInfo;

describe('container rows', () => {
  it('names a container without its leading slash and groups it by compose project', () => {
    const row = summarize(info);
    expect(row).toMatchObject({ id: 'abc123def4567890', name: 'web', image: 'nginx:1', state: 'running', project: 'shop' });
    expect(row.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: null, hostPort: null, containerPort: 443, protocol: 'tcp' },
    ]);
    expect(summarize({ ...info, Labels: {} }).project).toBeNull();
  });

  it('turns the engine refusing to remove a running container into a hint', () => {
    const refused = Object.assign(new Error('(HTTP code 409) conflict'), {
      statusCode: 409,
      json: { message: 'cannot remove container "/web": container is running' },
    });
    expect(actionError('remove', 'web', refused)).toEqual({
      name: 'ContainerRunning',
      message: 'Cannot remove web: cannot remove container "/web": container is running',
      hint: 'Stop or kill it first, then remove it.',
    });
    expect(actionError('stop', 'gone', Object.assign(new Error('no such'), { statusCode: 404 })).name).toBe('NoSuchContainer');
  });

  it('says what to do when a shell or live stats need a container that is not running', async () => {
    const engine = (state: { Status: string; Running: boolean; Paused: boolean } | null) =>
      ({
        getContainer: () => ({
          inspect: async () => {
            if (!state) throw Object.assign(new Error('no such container'), { statusCode: 404 });
            return { Name: '/web', State: state };
          },
        }),
      }) as unknown as Docker;
    await expect(requireRunning(engine({ Status: 'exited', Running: false, Paused: false }), 'web', 'open a shell in it')).rejects.toMatchObject({
      name: 'ContainerNotRunning',
      message: 'web is not running (exited).',
      hint: 'Start it to open a shell in it; this tab reconnects when it runs.',
    });
    await expect(requireRunning(engine({ Status: 'paused', Running: true, Paused: true }), 'web', 'open a shell in it')).rejects.toMatchObject({ name: 'ContainerPaused' });
    await expect(requireRunning(engine(null), 'web', 'open a shell in it')).rejects.toMatchObject({ name: 'NoSuchContainer' });
    await expect(requireRunning(engine({ Status: 'running', Running: true, Paused: false }), 'web', 'open a shell in it')).resolves.toMatchObject({ Name: '/web' });
  });
});

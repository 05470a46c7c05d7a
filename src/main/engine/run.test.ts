import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { createOptions, runContainer } from './run';

const request = {
  image: 'busybox:offline',
  name: 'web',
  ports: ['8080:80', '127.0.0.1:8443:443', '8081:80'],
  env: ['GREETING=hello'],
  volumes: ['data:/data', '/srv:/srv:ro'],
  command: `sh -c 'echo $GREETING; sleep 600'`,
};

describe('running a container', () => {
  it('turns the form’s fields into the Engine API’s create body', () => {
    expect(createOptions(request)).toEqual({
      Image: 'busybox:offline',
      name: 'web',
      Env: ['GREETING=hello'],
      Cmd: ['sh', '-c', 'echo $GREETING; sleep 600'],
      ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
      HostConfig: {
        PortBindings: {
          '80/tcp': [
            { HostIp: '', HostPort: '8080' },
            { HostIp: '', HostPort: '8081' },
          ],
          '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }],
        },
        Binds: ['data:/data', '/srv:/srv:ro'],
      },
    });
    const bare = createOptions({ image: 'busybox', ports: [], env: [], volumes: [] });
    expect(bare).not.toHaveProperty('Cmd');
    expect(bare).not.toHaveProperty('name');
  });

  it('says an image is missing, with what to do', async () => {
    const missing = Object.assign(new Error('(HTTP code 404)'), { statusCode: 404, json: { message: 'No such image: nope:latest' } });
    const docker = { createContainer: async () => Promise.reject(missing) } as unknown as Docker;
    await expect(runContainer(docker, { ...request, image: 'nope' })).rejects.toMatchObject({ name: 'ImageNotFound', hint: expect.stringContaining('Images view') });
  });

  it('removes a container that could not start', async () => {
    const removed: string[] = [];
    const busy = Object.assign(new Error('(HTTP code 500)'), { statusCode: 500, json: { message: 'port is already allocated' } });
    const docker = {
      createContainer: async () => ({ start: async () => Promise.reject(busy), remove: async () => void removed.push('web') }),
    } as unknown as Docker;
    await expect(runContainer(docker, request)).rejects.toMatchObject({ name: 'EngineRefused', message: expect.stringContaining('port is already allocated') });
    expect(removed).toEqual(['web']);
  });
});

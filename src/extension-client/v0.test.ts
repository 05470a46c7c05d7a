import { describe, expect, it, vi } from 'vitest';
import { createDdClient } from './client';
import { context, FakeTransport } from './fakeTransport';
import { splitCommandLine } from './v0';

function setup(answer?: (channel: string, request: Record<string, unknown>) => unknown) {
  const transport = new FakeTransport(answer);
  return { transport, client: createDdClient(transport, context) };
}

/** Ends the last stream with some output and a zero exit. */
function succeed(transport: FakeTransport, stdout = 'ok\n') {
  const stream = transport.lastStream();
  stream.chunk({ stdout });
  stream.chunk({ exit: 0, signal: null });
  stream.end(null);
  return stream;
}

describe('splitCommandLine', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    expect(splitCommandLine('tool  --format "{{ json . }}" \'a b\' c')).toEqual(['tool', '--format', '{{ json . }}', 'a b', 'c']);
    expect(splitCommandLine('--format="{{json .}}"')).toEqual(['--format={{json .}}']);
    expect(splitCommandLine('echo "" x')).toEqual(['echo', '', 'x']);
    expect(splitCommandLine('  ')).toEqual([]);
    expect(splitCommandLine('echo $(rm -rf /) | cat')).toEqual(['echo', '$(rm', '-rf', '/)', '|', 'cat']);
  });
});

describe('v0 aliases', () => {
  it('toastSuccess, toastWarning and toastError send toasts', () => {
    const { transport, client } = setup();
    client.toastSuccess('a');
    client.toastWarning('b');
    client.toastError('c');
    expect(transport.calls.map((c) => c.request)).toEqual([
      { level: 'success', message: 'a' },
      { level: 'warning', message: 'b' },
      { level: 'error', message: 'c' },
    ]);
  });

  it('listContainers and listImages list through the engine', async () => {
    const { transport, client } = setup(() => [{ Id: 'x' }]);
    expect(await client.listContainers({ all: true })).toEqual([{ Id: 'x' }]);
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.listContainers', request: { options: { all: true } } });
    expect(await client.listImages()).toEqual([{ Id: 'x' }]);
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.listImages', request: {} });
  });

  it('execHostCmd splits its command line and runs a host binary', async () => {
    const { transport, client } = setup();
    const pending = client.execHostCmd('kubectl get pods -o "jsonpath={.items}"');
    const stream = succeed(transport);
    expect(stream.request).toEqual({ scope: 'host', command: 'kubectl', args: ['get', 'pods', '-o', 'jsonpath={.items}'] });
    expect((await pending).lines()).toEqual(['ok']);
  });

  it('execDockerCmd takes its arguments spread and strips their quotes', async () => {
    const { transport, client } = setup();
    const pending = client.execDockerCmd('info', '--format', '"{{ json . }}"');
    const stream = succeed(transport, '{"ID":"x"}');
    expect(stream.request).toEqual({ scope: 'docker', command: 'info', args: ['--format', '{{ json . }}'] });
    expect((await pending).parseJsonObject()).toEqual({ ID: 'x' });
  });

  it('spawnHostCmd and spawnDockerCmd call back with output, then {code}', () => {
    for (const [name, scope] of [
      ['spawnHostCmd', 'host'],
      ['spawnDockerCmd', 'docker'],
    ] as const) {
      const { transport, client } = setup();
      const callback = vi.fn();
      client[name]('logs', ['-f', 'web'], callback);
      const stream = transport.lastStream();
      expect(stream.request).toEqual({ scope, command: 'logs', args: ['-f', 'web'] });
      stream.chunk({ stdout: 'line\n' });
      stream.chunk({ stderr: 'warn\n' });
      stream.chunk({ exit: 2, signal: null });
      stream.end(null);
      expect(callback.mock.calls).toEqual([
        [{ stdout: 'line\n' }, undefined],
        [{ stderr: 'warn\n' }, undefined],
        [{ code: 2 }, undefined],
      ]);
    }
  });

  it('a spawn passes a stream failure as the callback error', () => {
    const { transport, client } = setup();
    const callback = vi.fn();
    client.backend.spawnInVMExtension('tail', ['-f', '/log'], callback);
    const stream = transport.lastStream();
    expect(stream.request).toEqual({ scope: 'vm', command: 'tail', args: ['-f', '/log'] });
    stream.end({ name: 'NoBackend', message: 'no backend', hint: 'h' });
    expect(callback).toHaveBeenCalledWith({}, { name: 'NoBackend', message: 'no backend', hint: 'h' });
  });

  it('a spawn needs a callback', () => {
    const { client } = setup();
    expect(() => client.spawnDockerCmd('ps', [], undefined as never)).toThrow(TypeError);
  });

  it('navigateTo* go to the same places as the v1 intents', async () => {
    const { transport, client } = setup();
    await client.navigateToContainers();
    await client.navigateToContainer('c1');
    await client.navigateToContainerLogs('c2');
    await client.navigateToContainerInspect('c3');
    await client.navigateToContainerStats('c4');
    await client.navigateToImages();
    await client.navigateToImage('sha256:1', 'v1');
    await client.navigateToVolumes();
    await client.navigateToVolume('vol');
    expect(transport.calls.map((c) => c.request)).toEqual([
      { to: 'containers' },
      { to: 'container', id: 'c1' },
      { to: 'containerLogs', id: 'c2' },
      { to: 'containerInspect', id: 'c3' },
      { to: 'containerStats', id: 'c4' },
      { to: 'images' },
      { to: 'image', id: 'sha256:1', tag: 'v1' },
      { to: 'volumes' },
      { to: 'volume', id: 'vol' },
    ]);
  });

  it('openExternal opens web links and refuses others', () => {
    const { transport, client } = setup();
    client.openExternal('https://example.com/');
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.openExternal', request: { url: 'https://example.com/' } });
    expect(() => client.openExternal('file:///etc/hosts')).toThrow(TypeError);
    expect(transport.calls).toHaveLength(1);
  });
});

describe('v0 backend', () => {
  it('get, post, put, patch, delete, head and request reach the extension service', async () => {
    const { transport, client } = setup(() => ({ statusCode: 200, statusText: 'OK', body: 'fine' }));
    const { backend } = client;
    expect(await backend.get('/a')).toBe('fine');
    await backend.post('/a', { x: 1 });
    await backend.put('/a', { x: 2 });
    await backend.patch('/a', { x: 3 });
    await backend.delete('/a');
    await backend.head('/a');
    await backend.request({ url: '/b', method: 'GET', headers: { A: 'b' }, data: undefined });
    expect(transport.calls.map((c) => [c.channel, c.request.method, c.request.url, c.request.data])).toEqual([
      ['ddClient.service', 'GET', '/a', undefined],
      ['ddClient.service', 'POST', '/a', { x: 1 }],
      ['ddClient.service', 'PUT', '/a', { x: 2 }],
      ['ddClient.service', 'PATCH', '/a', { x: 3 }],
      ['ddClient.service', 'DELETE', '/a', undefined],
      ['ddClient.service', 'HEAD', '/a', undefined],
      ['ddClient.service', 'GET', '/b', undefined],
    ]);
  });

  it('rejects a non-2xx with a ServiceError', async () => {
    const { client } = setup(() => ({ statusCode: 401, statusText: 'Unauthorized', body: 'who are you' }));
    await expect(client.backend.post('/login', {})).rejects.toEqual({ name: 'ServiceError', message: 'who are you', statusCode: 401 });
  });

  it('execInContainer runs docker exec in the named container', async () => {
    const { transport, client } = setup();
    const pending = client.backend.execInContainer('web', 'cat "/etc/os release"');
    const stream = succeed(transport);
    expect(stream.request).toEqual({ scope: 'docker', command: 'exec', args: ['web', 'cat', '/etc/os release'] });
    await pending;
  });

  it('execInVMExtension runs in the backend container', async () => {
    const { transport, client } = setup();
    const pending = client.backend.execInVMExtension('ls -l /data');
    const stream = succeed(transport);
    expect(stream.request).toEqual({ scope: 'vm', command: 'ls', args: ['-l', '/data'] });
    expect((await pending).stdout).toBe('ok\n');
  });
});

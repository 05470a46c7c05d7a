import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDdClient } from './client';
import { context, FakeTransport } from './fakeTransport';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.restoreAllMocks());

describe('createDdClient', () => {
  it('is frozen all the way down', () => {
    const client = createDdClient(new FakeTransport(), context);
    expect(Object.isFrozen(client)).toBe(true);
    expect(Object.isFrozen(client.docker.cli)).toBe(true);
    expect(Object.isFrozen(client.extension.vm.service)).toBe(true);
    expect(Object.isFrozen(client.backend)).toBe(true);
    expect(Object.isFrozen(client.desktopUI.navigate.viewImage)).toBe(true);
    expect(() => {
      (client.host as { platform: string }).platform = 'win32';
    }).toThrow(TypeError);
  });

  it('gives the extension context', () => {
    const client = createDdClient(new FakeTransport(), context);
    expect(client.extension.image).toBe('acme/tool:1.2.0');
    expect(client.host).toMatchObject({ platform: 'linux', arch: 'x64', hostname: 'host-1' });
  });

  it('lists containers and images as the backend gives them', async () => {
    const engineJson = [{ Id: 'abc', Names: ['/web'] }];
    const transport = new FakeTransport(() => engineJson);
    const client = createDdClient(transport, context);
    expect(await client.docker.listContainers({ all: true, filters: '{"status":["exited"]}' })).toBe(engineJson);
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.listContainers', request: { options: { all: true, filters: '{"status":["exited"]}' } } });
    await client.docker.listImages();
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.listImages', request: {} });
    await client.docker.listImages({ digests: true });
    expect(transport.lastCall().request).toEqual({ options: { digests: true } });
  });

  it('rejects with the wire error as a plain object', async () => {
    const transport = new FakeTransport(() => {
      throw { name: 'EngineStopped', message: 'The engine is stopped.', hint: 'Start it.', extra: 1 };
    });
    const client = createDdClient(transport, context);
    const error = await client.docker.listContainers().catch((e: unknown) => e);
    expect(error).toEqual({ name: 'EngineStopped', message: 'The engine is stopped.', hint: 'Start it.' });
  });
});

describe('vm.service', () => {
  function setup(reply: { statusCode: number; statusText: string; body: unknown }) {
    const transport = new FakeTransport(() => reply);
    return { transport, service: createDdClient(transport, context).extension.vm.service };
  }

  it('sends each method and resolves the parsed body of a 2xx', async () => {
    const { transport, service } = setup({ statusCode: 200, statusText: 'OK', body: { ok: true } });
    expect(await service.get('/ready')).toEqual({ ok: true });
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.service', request: { method: 'GET', url: '/ready' } });
    await service.post('/items', { name: 'a' });
    expect(transport.lastCall().request).toEqual({ method: 'POST', url: '/items', data: { name: 'a' } });
    await service.put('/items/1', 'text');
    expect(transport.lastCall().request).toEqual({ method: 'PUT', url: '/items/1', data: 'text' });
    await service.patch('/items/1', { n: 2 });
    expect(transport.lastCall().request).toEqual({ method: 'PATCH', url: '/items/1', data: { n: 2 } });
    await service.delete('/items/1');
    expect(transport.lastCall().request).toEqual({ method: 'DELETE', url: '/items/1' });
    await service.head('/items');
    expect(transport.lastCall().request).toEqual({ method: 'HEAD', url: '/items' });
    await service.request({ url: '/x', method: 'post', headers: { 'X-A': 'b' }, data: { y: 1 } });
    expect(transport.lastCall().request).toEqual({ method: 'POST', url: '/x', headers: { 'X-A': 'b' }, data: { y: 1 } });
  });

  it('resolves any 2xx', async () => {
    const { service } = setup({ statusCode: 204, statusText: 'No Content', body: '' });
    expect(await service.delete('/x')).toBe('');
  });

  it('rejects a non-2xx with a ServiceError', async () => {
    const { service } = setup({ statusCode: 404, statusText: 'Not Found', body: 'no such item' });
    const error = await service.get('/items/9').catch((e: unknown) => e);
    expect(error).toEqual({ name: 'ServiceError', message: 'no such item', statusCode: 404 });
    expect(error).not.toBeInstanceOf(Error);
  });

  it('puts a JSON body, or the status text, in the ServiceError message', async () => {
    const json = setup({ statusCode: 500, statusText: 'Internal Server Error', body: { error: 'db down' } });
    await expect(json.service.get('/')).rejects.toEqual({ name: 'ServiceError', message: '{"error":"db down"}', statusCode: 500 });
    const empty = setup({ statusCode: 503, statusText: 'Service Unavailable', body: null });
    await expect(empty.service.get('/')).rejects.toEqual({ name: 'ServiceError', message: 'Service Unavailable', statusCode: 503 });
  });

  it('rejects with the wire error when the backend cannot be reached', async () => {
    const transport = new FakeTransport(() => {
      throw { name: 'NoBackend', message: 'This extension has no backend.', hint: 'Only extensions with a vm section have one.' };
    });
    const service = createDdClient(transport, context).extension.vm.service;
    await expect(service.get('/')).rejects.toEqual({ name: 'NoBackend', message: 'This extension has no backend.', hint: 'Only extensions with a vm section have one.' });
  });
});

describe('desktopUI', () => {
  it('sends toasts of each level, cutting very long messages', () => {
    const transport = new FakeTransport();
    const { toast } = createDdClient(transport, context).desktopUI;
    toast.success('saved');
    toast.warning('careful');
    toast.error('x'.repeat(5000));
    expect(transport.calls.map((c) => [c.channel, c.request.level])).toEqual([
      ['ddClient.toast', 'success'],
      ['ddClient.toast', 'warning'],
      ['ddClient.toast', 'error'],
    ]);
    expect(transport.calls[0]!.request.message).toBe('saved');
    expect((transport.calls[2]!.request.message as string).length).toBe(4096);
  });

  it('reports a failed toast on the console instead of leaving a rejection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const transport = new FakeTransport(() => {
      throw { name: 'Refused', message: 'no', hint: '' };
    });
    createDdClient(transport, context).desktopUI.toast.success('hi');
    await flush();
    expect(warn).toHaveBeenCalled();
  });

  it('maps Electron dialog properties and resolves {canceled, filePaths}', async () => {
    const transport = new FakeTransport(() => ({ canceled: false, filePaths: ['/home/a', '/home/b'] }));
    const { dialog } = createDdClient(transport, context).desktopUI;
    expect(await dialog.showOpenDialog({ properties: ['openDirectory', 'multiSelections'] })).toEqual({ canceled: false, filePaths: ['/home/a', '/home/b'] });
    expect(transport.lastCall()).toEqual({ channel: 'ddClient.showOpenDialog', request: { directory: true, multiple: true } });
    await dialog.showOpenDialog({ properties: ['openFile'] });
    expect(transport.lastCall().request).toEqual({ directory: false, multiple: false });
    await dialog.showOpenDialog();
    expect(transport.lastCall().request).toEqual({ directory: false, multiple: false });
  });

  it('navigates to every view', async () => {
    const transport = new FakeTransport();
    const { navigate } = createDdClient(transport, context).desktopUI;
    await navigate.viewContainers();
    await navigate.viewContainer('c1');
    await navigate.viewContainerLogs('c2');
    await navigate.viewContainerInspect('c3');
    await navigate.viewContainerTerminal('c4');
    await navigate.viewContainerStats('c5');
    await navigate.viewImages();
    await navigate.viewImage('sha256:abc', 'latest');
    await navigate.viewVolumes();
    await navigate.viewVolume('data');
    expect(transport.calls.every((c) => c.channel === 'ddClient.navigate')).toBe(true);
    expect(transport.calls.map((c) => c.request)).toEqual([
      { to: 'containers' },
      { to: 'container', id: 'c1' },
      { to: 'containerLogs', id: 'c2' },
      { to: 'containerInspect', id: 'c3' },
      { to: 'containerTerminal', id: 'c4' },
      { to: 'containerStats', id: 'c5' },
      { to: 'images' },
      { to: 'image', id: 'sha256:abc', tag: 'latest' },
      { to: 'volumes' },
      { to: 'volume', id: 'data' },
    ]);
  });

  it('rejects navigation when the backend rejects it', async () => {
    const transport = new FakeTransport(() => {
      throw { name: 'NotFound', message: 'No container c9.', hint: 'It may have been removed.' };
    });
    const { navigate } = createDdClient(transport, context).desktopUI;
    await expect(navigate.viewContainer('c9')).rejects.toEqual({ name: 'NotFound', message: 'No container c9.', hint: 'It may have been removed.' });
  });
});

describe('host.openExternal', () => {
  it('sends http and https URLs', () => {
    const transport = new FakeTransport();
    const { host } = createDdClient(transport, context);
    host.openExternal('https://docs.docker.com/extensions/');
    host.openExternal('http://localhost:8080/a?b=c');
    expect(transport.calls).toEqual([
      { channel: 'ddClient.openExternal', request: { url: 'https://docs.docker.com/extensions/' } },
      { channel: 'ddClient.openExternal', request: { url: 'http://localhost:8080/a?b=c' } },
    ]);
  });

  it('refuses file:, javascript: and relative URLs without sending them', () => {
    const transport = new FakeTransport();
    const { host } = createDdClient(transport, context);
    expect(() => host.openExternal('file:///etc/passwd')).toThrow(/only http and https/);
    expect(() => host.openExternal('javascript:alert(1)')).toThrow(TypeError);
    expect(() => host.openExternal('/relative')).toThrow(TypeError);
    expect(transport.calls).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { EngineStatus } from './engine';
import { dispatch, type Handlers } from './dispatch';
import { BerthError } from './errors';

const status: EngineStatus = {
  state: 'stopped',
  dockerHost: 'unix:///tmp/x.sock',
  context: 'berth',
  accelerator: null,
  acceleratorReason: null,
  network: 'host-only',
  startMs: null,
  steps: [],
  error: null,
  versions: {},
  logs: { daemon: 'd', console: 'c' },
  ports: [],
  suspended: null,
};

const handlers: Handlers = {
  'engine.status': async () => status,
  'engine.start': async () => {
    throw new BerthError('AlreadyStarting', 'Berth is already starting the engine.', 'Wait for it.');
  },
  'engine.stop': async () => ({ ...status, state: 'bogus' }) as never,
  'engine.restart': async () => status,
  'engine.suspend': async () => status,
  'engine.hostResumed': async () => ({}),
  'containers.list': async () => ({ containers: [] }),
  'containers.posture': async () => ({ containers: [] }),
  'containers.act': async ({ ids }) => ({ results: ids.map((id) => ({ id, error: null })) }),
  'containers.run': async ({ name }) => ({ id: 'c1', name: name ?? 'generated' }),
  'containers.inspect': async ({ id }) => ({ inspect: { Id: id, Name: `/${id}`, Created: '', State: { Status: 'running', Running: true }, Config: { Image: 'busybox' } } }),
  'images.list': async () => ({ images: [] }),
  'images.inspect': async () => {
    throw new BerthError('NoSuchImage', 'There is no image x.', 'Check the list.');
  },
  'images.tag': async ({ target }) => ({ reference: target }),
  'images.remove': async ({ refs }) => ({ results: refs.map((ref) => ({ ref, error: null })) }),
  'images.prune': async () => ({ deleted: 0, untagged: 0, reclaimedBytes: 0 }),
  'volumes.list': async () => ({ volumes: [] }),
  'volumes.create': async ({ name }) => ({ name: name ?? 'anonymous' }),
  'volumes.remove': async ({ names }) => ({ results: names.map((name) => ({ name, error: null })) }),
  'volumes.prune': async () => ({ removed: [], reclaimedBytes: 0 }),
  'networks.list': async () => ({ networks: [] }),
  'networks.create': async ({ name }) => ({ id: 'n1', name }),
  'networks.remove': async ({ names }) => ({ results: names.map((name) => ({ name, error: null })) }),
  'networks.inspect': async ({ name }) => ({ network: { Name: name } }),
  'plugins.list': async () => ({ plugins: [] }),
  'plugins.privileges': async () => ({ privileges: [] }),
  'plugins.enable': async () => ({}),
  'plugins.disable': async () => ({}),
  'plugins.remove': async () => ({}),
  'plugins.users': async () => ({ volumes: [], networks: [] }),
  'registry.logins': async () => ({ logins: [] }),
  'registry.signIn': async ({ server, username }) => ({ server, username }),
  'registry.ecrLogin': async () => ({ installed: false }),
  'registry.useEcrLogin': async () => ({ logins: [] }),
  'registry.signOut': async () => ({ logins: [] }),
  'registry.settings': async () => ({ certificates: [], insecure: [] }),
  'settings.get': async () => {
    throw new BerthError('SettingsUnreadable', 'The settings file is not valid JSON.', 'Fix it.');
  },
  'troubleshoot.diagnose': async () => ({ path: '/tmp/diagnostics.tar.gz', files: [] }),
  'troubleshoot.reset': async () => ({ removed: [], restarted: false }),
  'diskUsage.get': async () => {
    throw new BerthError('EngineNotRunning', 'The engine is not running.', 'Start it.');
  },
  'diskUsage.prune': async ({ kind }) => ({ removed: kind === 'images' ? 2 : 0, reclaimedBytes: -1 }),
  'extensions.list': async () => ({ extensions: [] }),
  'extensions.catalog': async () => ({ entries: [] }),
  'extensions.remove': async () => ({ extensions: [] }),
  'extensions.answerDialog': async () => ({}),
  'extensions.answerTrust': async () => ({}),
  'extensions.picked': async () => ({}),
  'extensions.browse': async ({ path }) => ({ path, parent: null, entries: [] }),
  'ddClient.context': async () => ({ image: 'x/y:1', platform: 'linux', arch: 'x64', hostname: 'h' }),
  'ddClient.listContainers': async () => [],
  'ddClient.listImages': async () => [],
  'ddClient.service': async () => ({ statusCode: 200, statusText: 'OK', body: null }),
  'ddClient.toast': async () => ({}),
  'ddClient.navigate': async () => ({}),
  'ddClient.openExternal': async () => ({}),
  'ddClient.showOpenDialog': async () => ({ canceled: true, filePaths: [] }),
};

describe('dispatch', () => {
  it('refuses a request that breaks the contract before any handler runs', async () => {
    const reply = await dispatch(handlers, { type: 'call', id: 9, channel: 'containers.act', request: { ids: ['$(rm -rf)'], action: 'start' } });
    expect(reply).toMatchObject({ type: 'reply', id: 9, error: { name: 'InvalidRequest' } });
    const noAction = await dispatch(handlers, { type: 'call', id: 10, channel: 'containers.act', request: { ids: ['web'], action: 'explode' } });
    expect(noAction).toMatchObject({ error: { name: 'InvalidRequest' } });
    const badPort = await dispatch(handlers, { type: 'call', id: 11, channel: 'containers.run', request: { image: 'busybox', ports: ['80:http'], env: [], volumes: [] } });
    expect(badPort).toMatchObject({ error: { name: 'InvalidRequest', message: expect.stringContaining('at ports.0: “80:http” is not a port mapping') } });
    const badKind = await dispatch(handlers, { type: 'call', id: 12, channel: 'diskUsage.prune', request: { kind: 'networks' } });
    expect(badKind).toMatchObject({ error: { name: 'InvalidRequest' } });
    // Images say which: dangling or every unused one; no other kind takes that choice.
    const noScope = await dispatch(handlers, { type: 'call', id: 13, channel: 'diskUsage.prune', request: { kind: 'images' } });
    expect(noScope).toMatchObject({ error: { name: 'InvalidRequest' } });
    const scopedVolumes = await dispatch(handlers, { type: 'call', id: 14, channel: 'diskUsage.prune', request: { kind: 'volumes', all: true } });
    expect(scopedVolumes).toMatchObject({ error: { name: 'InvalidRequest' } });
  });

  it('answers a valid call', async () => {
    expect(await dispatch(handlers, { type: 'call', id: 1, channel: 'engine.status', request: {} })).toEqual({
      type: 'reply',
      id: 1,
      result: status,
    });
  });

  it('carries a BerthError as {name, message, hint}', async () => {
    const reply = await dispatch(handlers, { type: 'call', id: 2, channel: 'engine.start', request: {} });
    expect(reply).toEqual({
      type: 'reply',
      id: 2,
      error: { name: 'AlreadyStarting', message: 'Berth is already starting the engine.', hint: 'Wait for it.' },
    });
  });

  it('refuses unknown channels, events as calls and invalid requests', async () => {
    const unknown = await dispatch(handlers, { type: 'call', id: 3, channel: 'engine.format', request: {} });
    expect(unknown).toMatchObject({ error: { name: 'UnknownChannel' } });
    const eventAsCall = await dispatch(handlers, { type: 'call', id: 4, channel: 'engine.changed', request: {} });
    expect(eventAsCall).toMatchObject({ error: { name: 'UnknownChannel' } });
    const extra = await dispatch(handlers, { type: 'call', id: 5, channel: 'engine.status', request: { force: true } });
    expect(extra).toMatchObject({ error: { name: 'InvalidRequest' } });
  });

  it('never lets an invalid reply cross the contract', async () => {
    const reply = await dispatch(handlers, { type: 'call', id: 6, channel: 'engine.stop', request: {} });
    expect(reply).toMatchObject({ error: { name: 'InvalidReply' } });
    const negative = await dispatch(handlers, { type: 'call', id: 7, channel: 'diskUsage.prune', request: { kind: 'containers' } });
    expect(negative).toMatchObject({ error: { name: 'InvalidReply' } });
  });
});

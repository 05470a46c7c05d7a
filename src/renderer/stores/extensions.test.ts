import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamListener } from '../../main/api/client';
import { BerthError } from '../../main/api/errors';
import type { Extension, InstallProgress } from '../../main/api/extensions';

let listed: Extension[] = [];
const listeners = new Map<string, (payload: unknown) => void>();
const streams: { channel: string; request: unknown; listener: StreamListener<'extensions.install'>; cancelled: boolean }[] = [];
const calls: { channel: string; request: unknown }[] = [];
vi.mock('../bridge', () => ({
  link: { state: 'open' },
  invoke: async (channel: string, request: unknown) => {
    calls.push({ channel, request });
    if (channel === 'extensions.list') return { extensions: listed };
    if (channel === 'extensions.remove') return { extensions: listed.filter((each) => each.key !== (request as { key: string }).key) };
    return null;
  },
  on: (channel: string, listener: (payload: unknown) => void) => listeners.set(channel, listener),
  onOpen: (hook: () => void) => hook(),
  stream: (channel: string, request: unknown, listener: StreamListener<'extensions.install'>) => {
    const entry = { channel, request, listener, cancelled: false };
    streams.push(entry);
    return { write: () => undefined, cancel: () => (entry.cancelled = true) };
  },
}));
const { useExtensionsStore, mergeStep, repositoryOfImage } = await import('./extensions');

const extension = (key: string, id: string, title: string, ui = true): Extension => ({
  key,
  id,
  image: `${id}:1.0`,
  version: '1.0',
  title,
  description: '',
  vendor: 'Acme',
  apiVersion: '>= 0.2.0',
  icon: 'data:image/svg+xml,',
  detailedDescription: '',
  changelog: '',
  publisherUrl: '',
  screenshots: [],
  additionalUrls: [],
  categories: [],
  ui: ui ? { title: `${title} tab`, src: 'index.html' } : null,
  vm: null,
  hostBinaries: [],
  installedAt: '2025-01-01T00:00:00Z',
});
const step = (name: string, state: InstallProgress['state']): InstallProgress => ({ step: name, label: `${name} label`, state, pull: null });

async function store() {
  setActivePinia(createPinia());
  const extensions = useExtensionsStore();
  extensions.follow();
  await vi.waitFor(() => expect(extensions.loaded).toBe(true));
  return extensions;
}

describe('the extensions store', () => {
  beforeEach(() => {
    listeners.clear();
    streams.length = 0;
    calls.length = 0;
    listed = [extension('aaaaaaaaaaaaaaaa', 'acme/zeta', 'Zeta'), extension('bbbbbbbbbbbbbbbb', 'acme/alpha', 'Alpha'), extension('cccccccccccccccc', 'acme/nopage', 'No page', false)];
  });

  it('lists on open, follows changes, and lists the ones with a tab by title', async () => {
    const extensions = await store();
    expect(extensions.withUi.map((each) => each.title)).toEqual(['Alpha', 'Zeta']);
    listeners.get('extensions.changed')!({ extensions: [listed[0]] });
    expect(extensions.extensions.map((each) => each.key)).toEqual(['aaaaaaaaaaaaaaaa']);
    expect(extensions.find('bbbbbbbbbbbbbbbb')).toBeUndefined();
  });

  it('knows a catalog image as installed by its repository, whatever its tag or digest', async () => {
    const extensions = await store();
    expect(extensions.isInstalled('acme/alpha:2.0')).toBe(true);
    expect(extensions.isInstalled(`acme/alpha@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(extensions.isInstalled('acme/beta')).toBe(false);
    expect(repositoryOfImage('localhost:5000/team/ext:1')).toBe('localhost:5000/team/ext');
    expect(repositoryOfImage('docker.io/acme/alpha:3')).toBe('acme/alpha');
    expect(repositoryOfImage('docker.io/library/ext')).toBe('ext');
  });

  it('keeps each step in the place it started, and the pull progress after the pull step ends', () => {
    let steps = mergeStep([], step('pull', 'running'));
    steps = mergeStep(steps, step('check', 'running'));
    steps = mergeStep(steps, step('pull', 'done'));
    expect(steps.map((each) => `${each.step}:${each.state}`)).toEqual(['pull:done', 'check:running']);
  });

  it('follows an install from its stream to its end, and does not start the same one twice', async () => {
    const extensions = await store();
    const id = extensions.install(' acme/new:1 ');
    expect(extensions.install('acme/new:2')).toBe(id);
    expect(streams).toHaveLength(1);
    expect(streams[0]!.request).toEqual({ image: 'acme/new:1' });
    const pull = { status: null, layers: [], fraction: 0.5, complete: false };
    streams[0]!.listener.chunk({ ...step('pull', 'running'), pull });
    streams[0]!.listener.chunk(step('pull', 'done'));
    streams[0]!.listener.chunk(step('unpack', 'running'));
    const job = extensions.jobs[0]!;
    expect(job.pull).toEqual(pull);
    expect(job.steps.map((each) => each.state)).toEqual(['done', 'running']);
    extensions.dismissJob(id);
    expect(extensions.jobs).toHaveLength(1);
    streams[0]!.listener.end(new BerthError('BadLabels', 'No labels.', 'Build the image with its labels.'));
    expect(extensions.jobs[0]).toMatchObject({ state: 'failed', error: { name: 'BadLabels', message: 'No labels.', hint: 'Build the image with its labels.' } });
    extensions.dismissJob(id);
    expect(extensions.jobs).toHaveLength(0);
  });

  it('updates from the same reference, or from another one when given', async () => {
    const extensions = await store();
    extensions.update('aaaaaaaaaaaaaaaa');
    extensions.update('bbbbbbbbbbbbbbbb', 'acme/alpha:2.0');
    expect(streams.map((each) => [each.channel, each.request])).toEqual([
      ['extensions.update', { key: 'aaaaaaaaaaaaaaaa' }],
      ['extensions.update', { key: 'bbbbbbbbbbbbbbbb', image: 'acme/alpha:2.0' }],
    ]);
    expect(extensions.jobs.map((job) => job.image)).toEqual(['acme/alpha:2.0', 'acme/zeta:1.0']);
  });

  it('removes, and says so', async () => {
    const extensions = await store();
    await extensions.remove('bbbbbbbbbbbbbbbb');
    expect(calls.at(-1)).toEqual({ channel: 'extensions.remove', request: { key: 'bbbbbbbbbbbbbbbb' } });
    expect(extensions.find('bbbbbbbbbbbbbbbb')).toBeUndefined();
    expect(extensions.notice).toBe('Removed Alpha.');
    expect(extensions.removing.size).toBe(0);
  });
});

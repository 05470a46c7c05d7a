import { reactive } from 'vue';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../main/settings/schema';
import { changedTabs, pendingChange, problemsOf, readDaemonJson, TABS, withTab } from './draft';

const keysOf = (id: string) => TABS.find((tab) => tab.id === id)!.keys;

describe('the Settings view, tab by tab', () => {
  it("applies one tab's keys over the saved settings, from a reactive draft", () => {
    const saved = defaultSettings();
    const draft = reactive(defaultSettings());
    draft.engine.daemon = { labels: ['a=b'] };
    draft.vm.cpus = 4;
    const engine = withTab(saved, draft, keysOf('engine'));
    expect(engine.engine.daemon).toEqual({ labels: ['a=b'] });
    expect(engine.vm.cpus).toBe(saved.vm.cpus);
    expect(changedTabs(saved, draft)).toEqual(['Resources', 'Docker Engine']);
    expect(pendingChange(saved, draft)).toMatchObject({ changed: ['vm.cpus', 'engine.daemon'], restarts: 'vm' });
    expect(pendingChange(saved, saved)).toMatchObject({ changed: [], note: 'Nothing changed yet.' });
  });

  it('words what applying a tab restarts before it is applied', () => {
    const saved = defaultSettings();
    const draft = defaultSettings();
    draft.general.theme = 'dark';
    expect(pendingChange(saved, draft).note).toBe('Applying restarts nothing: it takes effect at once. It applies the changes on General.');
    draft.network.proxy.http = 'http://proxy.test:3128';
    expect(pendingChange(saved, draft).note).toMatch(/^Applying restarts the engine in the VM.* It applies the changes on General and Network\.$/);
    draft.vm.network = 'host-only';
    draft.shares = [];
    expect(pendingChange(saved, draft).note).toMatch(/^Applying restarts the VM.* It applies the changes on General, File sharing and Network\.$/);
  });

  it('marks invalid fields by their path', () => {
    const draft = defaultSettings();
    draft.vm.cpus = 0;
    draft.network.dns = ['one.one'];
    draft.network.proxy.https = 'proxy:3128';
    expect(Object.keys(problemsOf(draft)).sort()).toEqual(['network.dns.0', 'network.proxy.https', 'vm.cpus']);
  });

  it("reads daemon.json as typed: JSON, one object, none of Berth's own keys", () => {
    expect(readDaemonJson('{ "debug": true }')).toEqual({ config: { debug: true } });
    expect(readDaemonJson('{ "debug": ')).toMatchObject({ problem: expect.stringMatching(/^Not valid JSON/) });
    expect(readDaemonJson('[1]')).toEqual({ problem: 'daemon.json is one JSON object: { … }.' });
    expect(readDaemonJson('{ "data-root": "/x" }')).toMatchObject({ problem: expect.stringContaining('"data-root" is not set here') });
  });
});

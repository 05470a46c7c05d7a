import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState, EngineStatus } from '../api/engine';
import type { ApplyProgress } from '../api/registry';
import { homePaths } from '../home';
import { changedKeys, restartsFor } from '../api/settings';
import { applySettings, type SettingsEngine } from './apply';
import { engineLines, writeClientProxies } from './engineConfig';
import { defaultSettings, type Settings } from './schema';
import { loadSettings, saveSettings } from './store';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function place(): { paths: ReturnType<typeof homePaths>; env: NodeJS.ProcessEnv; saved: Settings } {
  dir = mkdtempSync(join(tmpdir(), 'bt-apply-'));
  const paths = homePaths(join(dir, 'home'));
  mkdirSync(paths.home, { recursive: true });
  const saved = { ...defaultSettings(), shares: [dir], registries: { certificates: [], insecure: ['saved.test:5000'] } };
  saveSettings(paths.settings, saved);
  return { paths, env: { DOCKER_CONFIG: join(dir, 'docker') }, saved };
}

/** An engine in `state` that records what it was asked; it has no guest (a call to it fails the test). */
function engine(state: EngineState): SettingsEngine & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    current: state,
    guest: () => {
      throw new Error('no guest in this test');
    },
    docker: () => {
      throw new Error('no engine API in this test');
    },
    restart: async () => {
      calls.push('restart');
      return {} as EngineStatus;
    },
  };
}

describe('what a change takes', () => {
  it('names the changed keys and the most any of them restarts', () => {
    const before = defaultSettings();
    const after: Settings = { ...before, vm: { ...before.vm, cpus: 4 }, resourceSaver: { idleMinutes: 0 } };
    expect(changedKeys(before, after)).toEqual(['vm.cpus', 'resourceSaver.idleMinutes']);
    expect(restartsFor(changedKeys(before, after))).toBe('vm');
    expect(restartsFor(['general.theme', 'network.proxy.http'])).toBe('engine');
    expect(restartsFor(['general.theme'])).toBe('nothing');
    expect(restartsFor([])).toBe('nothing');
  });

  it("gives the guest the user's daemon.json keys and the proxy, one key per line", () => {
    const settings = defaultSettings();
    settings.engine.daemon = { debug: true, labels: ['a=b c'] };
    settings.network.proxy = { http: 'http://proxy.test:3128', https: '', noProxy: 'localhost,.internal' };
    expect(engineLines(settings)).toBe('"debug": true\n"labels": ["a=b c"]\n"proxies": {"http-proxy":"http://proxy.test:3128","no-proxy":"localhost,.internal"}\n');
  });
});

describe('applying settings', () => {
  it('saves a change that restarts nothing and keeps the saved registry settings', async () => {
    const { paths, env, saved } = place();
    const steps: ApplyProgress[] = [];
    const running = engine('running');
    const wanted = { ...saved, general: { ...saved.general, theme: 'dark' as const }, registries: { certificates: [], insecure: [] } };
    expect(await applySettings(wanted, { paths, env, engine: running }, (step) => steps.push(step))).toBe('nothing');
    expect(loadSettings(paths.settings).general.theme).toBe('dark');
    expect(loadSettings(paths.settings).registries.insecure).toEqual(['saved.test:5000']);
    expect(steps.map((step) => `${step.step} ${step.state}`)).toEqual(['save running', 'save done']);
    expect(running.calls).toEqual([]);
  });

  it('restarts a running VM for a VM setting, and only saves it for a stopped one', async () => {
    const { paths, env, saved } = place();
    const running = engine('running');
    expect(await applySettings({ ...saved, vm: { ...saved.vm, memoryMiB: 3072 } }, { paths, env, engine: running }, () => undefined)).toBe('vm');
    expect(running.calls).toEqual(['restart']);
    const stopped = engine('stopped');
    const now = loadSettings(paths.settings);
    await applySettings({ ...now, vm: { ...now.vm, cpus: 1 } }, { paths, env, engine: stopped }, () => undefined);
    expect(stopped.calls).toEqual([]);
    expect(loadSettings(paths.settings).vm).toMatchObject({ cpus: 1, memoryMiB: 3072 });
  });

  it('refuses a daemon.json while no dockerd can check it, and a data disk that shrinks, saving nothing', async () => {
    const { paths, env, saved } = place();
    const before = readFileSync(paths.settings, 'utf8');
    const daemon = { ...saved, engine: { daemon: { debug: true } } };
    await expect(applySettings(daemon, { paths, env, engine: engine('stopped') }, () => undefined)).rejects.toThrow(/dockerd in the VM checks daemon.json/);
    writeFileSync(paths.dataDisk, '');
    await expect(applySettings({ ...saved, vm: { ...saved.vm, diskGiB: 8 } }, { paths, env, engine: engine('stopped') }, () => undefined)).rejects.toThrow(/only grows/);
    await expect(applySettings({ ...saved, vm: { ...saved.vm, cpus: 3 } }, { paths, env, engine: engine('starting') }, () => undefined)).rejects.toThrow(/The engine is starting/);
    expect(readFileSync(paths.settings, 'utf8')).toBe(before);
  });
});

describe("the containers' proxy in the docker CLI's config", () => {
  it('sets proxies.default beside what the file holds, and removes only that entry when the proxy is cleared', () => {
    const { env, saved } = place();
    const config = join(env.DOCKER_CONFIG ?? '', 'config.json');
    mkdirSync(env.DOCKER_CONFIG ?? '', { recursive: true });
    writeFileSync(config, JSON.stringify({ credsStore: 'pass', proxies: { 'tcp://other:2376': { httpProxy: 'http://other:1' } } }));
    writeClientProxies({ ...saved, network: { ...saved.network, proxy: { http: 'http://p.test:3128', https: 'http://p.test:3129', noProxy: 'localhost' } } }, env);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({
      credsStore: 'pass',
      proxies: { 'tcp://other:2376': { httpProxy: 'http://other:1' }, default: { httpProxy: 'http://p.test:3128', httpsProxy: 'http://p.test:3129', noProxy: 'localhost' } },
    });
    writeClientProxies(saved, env);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ credsStore: 'pass', proxies: { 'tcp://other:2376': { httpProxy: 'http://other:1' } } });
  });
});

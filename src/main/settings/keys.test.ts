import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkKey, setSetting, valueAt } from './keys';
import { defaultSettings } from './schema';

const dir = mkdtempSync(join(tmpdir(), 'bt-keys-'));
const home = join(dir, 'berth-home');
mkdirSync(join(home, 'inside'), { recursive: true });
mkdirSync(join(dir, 'projects'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = { ...defaultSettings(), shares: [dir] };
const place = { home, diskExists: true };

describe('setting one key', () => {
  it('reads numbers, words and lists as the key holds them, and checks them against the schema', () => {
    expect(setSetting(settings, 'vm.cpus', '4', place).vm.cpus).toBe(4);
    expect(setSetting(settings, 'resourceSaver.idleMinutes', '0.5', place).resourceSaver.idleMinutes).toBe(0.5);
    expect(setSetting(settings, 'vm.network', 'host-only', place).vm.network).toBe('host-only');
    expect(setSetting(settings, 'registries.insecure', 'a.test:5000, b.test', place).registries.insecure).toEqual(['a.test:5000', 'b.test']);
    const shared = setSetting(settings, 'shares', JSON.stringify([join(dir, 'projects')]), place);
    expect(valueAt(shared, 'shares')).toEqual([join(dir, 'projects')]);
  });

  it('refuses what the schema refuses, naming the key and what it takes', () => {
    expect(() => setSetting(settings, 'vm.cpus', 'four', place)).toThrow(/"four" is not a value for vm.cpus: it takes a number/);
    expect(() => setSetting(settings, 'vm.cpus', '0', place)).toThrow(/vm.cpus cannot be 0/);
    expect(() => setSetting(settings, 'vm.network', 'bridged', place)).toThrow(/vm.network cannot be "bridged"/);
    expect(() => setSetting(settings, 'ports.bindAddress', 'localhost', place)).toThrow(/an IP address such as 127.0.0.1/);
    expect(() => setSetting(settings, 'shares', '[not json', place)).toThrow(/a JSON list/);
  });

  it('lets a data disk only grow, and one not made yet take any size', () => {
    expect(setSetting(settings, 'vm.diskGiB', '128', place).vm.diskGiB).toBe(128);
    expect(() => setSetting(settings, 'vm.diskGiB', '32', place)).toThrow(/only grows: it is 64 GiB/);
    expect(setSetting(settings, 'vm.diskGiB', '32', { home, diskExists: false }).vm.diskGiB).toBe(32);
  });

  it('shares only existing folders outside Berth\'s own home', () => {
    expect(() => setSetting(settings, 'shares', join(dir, 'missing'), place)).toThrow(/does not exist/);
    expect(() => setSetting(settings, 'shares', 'relative/path', place)).toThrow(/absolute/);
    expect(() => setSetting(settings, 'shares', join(home, 'inside'), place)).toThrow(/inside Berth's own home/);
  });

  it('knows its keys, and lists them for a wrong one', () => {
    expect(checkKey('vm.memoryMiB')).toBe('vm.memoryMiB');
    expect(() => checkKey('vm.gpu')).toThrow(/There is no setting "vm.gpu"/);
  });
});

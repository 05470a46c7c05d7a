import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrations';
import { defaultSettings } from './schema';
import { effectiveNetwork, loadSettings, saveSettings } from './store';

const temp = (): string => join(mkdtempSync(join(tmpdir(), 'berth-settings-')), 'settings.json');

describe('settings', () => {
  it('gives the defaults when there is no file', () => {
    expect(loadSettings(temp())).toEqual(defaultSettings());
  });

  it('migrates an unversioned file and keeps its values', () => {
    const path = temp();
    writeFileSync(path, JSON.stringify({ vm: { cpus: 1 } }));
    const settings = loadSettings(path);
    expect(settings.version).toBe(1);
    expect(settings.vm.cpus).toBe(1);
    expect(settings.vm.memoryMiB).toBe(2048);
  });

  it('refuses a file from a newer Berth', () => {
    expect(() => migrate({ version: 99 }, 1)).toThrow(/newer/);
  });

  it('names the invalid value and how to fix it', () => {
    const path = temp();
    writeFileSync(path, JSON.stringify({ version: 1, vm: { network: 'wide-open' } }));
    expect(() => loadSettings(path)).toThrow(/vm\.network/);
    writeFileSync(path, '{ not json');
    expect(() => loadSettings(path)).toThrow(/not valid JSON/);
  });

  it('writes the file readable by the user only', () => {
    const path = temp();
    saveSettings(path, defaultSettings());
    expect(JSON.parse(readFileSync(path, 'utf8')).vm.diskGiB).toBe(64);
  });

  it('lets BERTH_NETWORK override the mode, and rejects unknown modes', () => {
    expect(effectiveNetwork(defaultSettings(), { BERTH_NETWORK: 'host-only' })).toBe('host-only');
    expect(effectiveNetwork(defaultSettings(), {})).toBe('normal');
    expect(() => effectiveNetwork(defaultSettings(), { BERTH_NETWORK: 'open' })).toThrow(/not a network mode/);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerthError } from '../api/errors';
import { migrate } from './migrations';
import { defaultSettings, SETTINGS_VERSION } from './schema';
import { effectiveNetwork, lastGoodPath, loadSettings, saveSettings } from './store';

const temp = (): string => join(mkdtempSync(join(tmpdir(), 'berth-settings-')), 'settings.json');

describe('settings', () => {
  it('gives the defaults when there is no file', () => {
    expect(loadSettings(temp())).toEqual(defaultSettings());
  });

  it('migrates an unversioned file and keeps its values', () => {
    const path = temp();
    writeFileSync(path, JSON.stringify({ vm: { cpus: 1 } }));
    const settings = loadSettings(path);
    expect(settings.version).toBe(SETTINGS_VERSION);
    expect(settings.vm.cpus).toBe(1);
    expect(settings.vm.memoryMiB).toBe(2048);
  });

  it('migrates a version 1 file to published ports on loopback, keeping its values', () => {
    expect(migrate({ version: 1, vm: { cpus: 3 } }, 2)).toEqual({ version: 2, vm: { cpus: 3 }, ports: { bindAddress: '127.0.0.1' } });
    const path = temp();
    writeFileSync(path, JSON.stringify({ version: 1, vm: { network: 'host-only' } }));
    const settings = loadSettings(path);
    expect(settings.ports.bindAddress).toBe('127.0.0.1');
    expect(settings.vm.network).toBe('host-only');
  });

  it('takes only an IP address literal as the ports bind address', () => {
    const path = temp();
    for (const bindAddress of ['0.0.0.0', '::1', '192.168.1.20']) {
      writeFileSync(path, JSON.stringify({ version: 2, ports: { bindAddress } }));
      expect(loadSettings(path).ports.bindAddress).toBe(bindAddress);
    }
    for (const bindAddress of ['localhost', '127.0.0.1:80', '', '300.1.1.1']) {
      writeFileSync(path, JSON.stringify({ version: 2, ports: { bindAddress } }));
      expect(() => loadSettings(path)).toThrow(/ports\.bindAddress: an IP address/);
    }
  });

  it('migrates a version 4 file to Resource Saver after 5 idle minutes, keeping its values', () => {
    expect(migrate({ version: 4, shares: ['/srv'] }, 5)).toEqual({ version: 5, shares: ['/srv'], resourceSaver: { idleMinutes: 5 } });
  });

  it('migrates a version 3 file to empty registry settings, keeping its values', () => {
    expect(migrate({ version: 3, shares: ['/srv'] }, 4)).toEqual({ version: 4, shares: ['/srv'], registries: { certificates: [], insecure: [] } });
    const path = temp();
    writeFileSync(path, JSON.stringify({ version: 3, vm: { cpus: 3 } }));
    const settings = loadSettings(path);
    expect(settings.registries).toEqual({ certificates: [], insecure: [] });
    expect(settings.vm.cpus).toBe(3);
  });

  it('keeps registry settings and names a bad entry', () => {
    const path = temp();
    const ca = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const registries = { certificates: [{ server: 'registry.local:5000', ca }], insecure: ['10.0.2.2/32', 'plain.local:5000'] };
    saveSettings(path, { ...defaultSettings(), registries });
    expect(loadSettings(path).registries).toEqual(registries);
    writeFileSync(path, JSON.stringify({ version: SETTINGS_VERSION, registries: { certificates: [], insecure: ['http://plain.local'] } }));
    expect(() => loadSettings(path)).toThrow(/registries\.insecure\.0/);
    writeFileSync(path, JSON.stringify({ version: SETTINGS_VERSION, registries: { certificates: [{ server: 'a.local', ca: 'not PEM' }], insecure: [] } }));
    expect(() => loadSettings(path)).toThrow(/registries\.certificates\.0\.ca/);
  });

  it('refuses a file from a newer Berth', () => {
    expect(() => migrate({ version: 99 }, SETTINGS_VERSION)).toThrow(/newer/);
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
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(lastGoodPath(path)).mode & 0o777).toBe(0o600);
  });

  it('offers the last good copy, with the command that restores it, when the file is cut short', () => {
    const path = temp();
    saveSettings(path, { ...defaultSettings(), vm: { ...defaultSettings().vm, cpus: 3 } });
    // What a crash in the middle of a plain write left behind.
    const whole = readFileSync(path, 'utf8');
    writeFileSync(path, whole.slice(0, whole.length / 2));
    let thrown: unknown;
    try {
      loadSettings(path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BerthError);
    const error = thrown as BerthError;
    expect(error.name).toBe('SettingsUnreadable');
    expect(error.message).toContain(path);
    const command = `cp '${lastGoodPath(path)}' '${path}'`;
    expect(error.hint).toContain(`Restore the last good copy (saved `);
    expect(error.hint).toContain(command);
    // The broken file did not replace the copy, and the hint's command brings the settings back.
    execFileSync('sh', ['-c', command]);
    expect(loadSettings(path).vm.cpus).toBe(3);
  });

  it('keeps the file that last loaded as the good copy, and offers none it does not have', () => {
    const path = temp();
    writeFileSync(path, JSON.stringify({ version: SETTINGS_VERSION, vm: { cpus: 1 } }));
    expect(existsSync(lastGoodPath(path))).toBe(false);
    loadSettings(path);
    expect(JSON.parse(readFileSync(lastGoodPath(path), 'utf8')).vm.cpus).toBe(1);
    writeFileSync(path, JSON.stringify({ version: SETTINGS_VERSION, vm: { cpus: 'many' } }));
    expect(() => loadSettings(path)).toThrow(expect.objectContaining({ hint: expect.stringContaining(lastGoodPath(path)) }));
    expect(JSON.parse(readFileSync(lastGoodPath(path), 'utf8')).vm.cpus).toBe(1);

    const alone = temp();
    writeFileSync(alone, '{ not json');
    expect(() => loadSettings(alone)).toThrow(expect.objectContaining({ hint: 'Fix the file by hand, or move it away to start from the defaults.' }));
  });

  it('lets BERTH_NETWORK override the mode, and rejects unknown modes', () => {
    expect(effectiveNetwork(defaultSettings(), { BERTH_NETWORK: 'host-only' })).toBe('host-only');
    expect(effectiveNetwork(defaultSettings(), {})).toBe('normal');
    expect(() => effectiveNetwork(defaultSettings(), { BERTH_NETWORK: 'open' })).toThrow(/not a network mode/);
  });
});

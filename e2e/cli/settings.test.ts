import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, newInstance } from '../support/berth';

// No engine: `berth settings` reads and writes the settings file, as a new user's first commands would.
const instance = newInstance();
afterAll(() => rmSync(instance.home, { recursive: true, force: true }));

const saved = (): Record<string, any> => JSON.parse(readFileSync(join(instance.home, 'settings.json'), 'utf8'));

describe('berth settings', () => {
  it('sets a key, says what applying it takes, and gets it back', async () => {
    const set = await berth(instance, ['settings', 'set', 'vm.cpus', '3']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('vm.cpus = 3: it applies when the VM restarts (`berth restart`)');
    expect(saved().vm.cpus).toBe(3);
    const got = await berth(instance, ['settings', 'get', 'vm.cpus']);
    expect(got.stdout).toBe('3\n');
    const idle = await berth(instance, ['settings', 'set', 'resourceSaver.idleMinutes', '0']);
    expect(idle.stderr).toContain('it applies at once');
    const all = await berth(instance, ['settings', 'get']);
    expect(all.stdout).toContain('vm.cpus = 3\n');
    expect(all.stdout).toContain('resourceSaver.idleMinutes = 0\n');
    expect(all.stdout).toMatch(/^vm\.memoryMiB = 2048$/m);
  });

  it('refuses a bad value with what the key takes, and keeps the file as it was', async () => {
    const before = readFileSync(join(instance.home, 'settings.json'), 'utf8');
    const refused = await berth(instance, ['settings', 'set', 'vm.memoryMiB', 'lots']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"lots" is not a value for vm.memoryMiB: it takes a number');
    expect(refused.stderr).toContain('memory the VM has, in MiB');
    const unknown = await berth(instance, ['settings', 'get', 'vm.gpu']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no setting "vm.gpu"');
    expect(readFileSync(join(instance.home, 'settings.json'), 'utf8')).toBe(before);
  });

  it('reads true and false, and sends daemon.json and the proxy to the engine to check, refusing them while it is stopped', async () => {
    expect((await berth(instance, ['settings', 'set', 'general.startAtLogin', 'true'])).code).toBe(0);
    expect(saved().general.startAtLogin).toBe(true);
    const notBoolean = await berth(instance, ['settings', 'set', 'general.startAtLogin', 'yes']);
    expect(notBoolean.stderr).toContain('it takes true or false');
    const before = readFileSync(join(instance.home, 'settings.json'), 'utf8');
    const daemon = await berth(instance, ['settings', 'set', 'engine.daemon', '{"debug": true}']);
    expect(daemon.code).toBe(1);
    expect(daemon.stderr).toContain('dockerd in the VM checks engine.daemon before it is saved, and the engine is not running.');
    expect(daemon.stderr).toContain('berth start');
    const own = await berth(instance, ['settings', 'set', 'engine.daemon', '{"data-root": "/elsewhere"}']);
    expect(own.stderr).toContain('"data-root" is not set here: the engine keeps its data on the data disk');
    expect(readFileSync(join(instance.home, 'settings.json'), 'utf8')).toBe(before);
  });
});

import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, docker, importBusybox, newInstance, processesOf, writeSettings } from '../support/berth';

const instance = newInstance();
const dataDisk = join(instance.home, 'data.img');
const settings = (diskGiB: number) => ({ version: 1, vm: { diskGiB } });

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
});

describe('the data disk under faults', () => {
  it('reports a full disk with a way out, and loses nothing when the disk grows', async () => {
    writeSettings(instance, settings(1));
    expect((await berth(instance, ['start'])).code).toBe(0);
    expect((await importBusybox(instance, 'busybox:offline')).code).toBe(0);
    const fill = await docker(instance, [
      'run', '--rm', '-v', 'precious:/data', 'busybox:offline', 'sh', '-c',
      // fallocate takes all but the last 8 MiB of the free blocks at once, without writing them out; dd fills the rest.
      'echo kept > /data/marker; busybox fallocate -l $(( $(busybox stat -f -c "%f * %S" /data) - 8388608 )) /data/filler; ' +
        'dd if=/dev/zero of=/data/rest bs=1M 2>/dev/null; sync; df -k /data',
    ], { timeoutMs: 240_000 });
    expect(fill.stdout).toContain('/data');
    expect((await berth(instance, ['stop'])).code).toBe(0);

    const full = await berth(instance, ['start']);
    expect(full.code).not.toBe(0);
    expect(full.stderr).toContain('The data disk is full');
    expect(full.stderr).toMatch(/hint: Raise "diskGiB"/);
    await expect.poll(() => processesOf(instance), { timeout: 15_000 }).toEqual([]);

    writeSettings(instance, settings(2));
    const grown = await berth(instance, ['start']);
    expect(grown.code, grown.stderr).toBe(0);
    const marker = await docker(instance, ['run', '--rm', '-v', 'precious:/data', 'busybox:offline', 'cat', '/data/marker']);
    expect(marker.stdout.trim()).toBe('kept');
    expect((await berth(instance, ['stop'])).code).toBe(0);
  });

  it('refuses a corrupt data disk with a hint, and leaves every byte of it as it was', async () => {
    // Overwrite the primary ext4 superblock, as a crash of the host's storage might.
    const garbage = createHash('sha512').update('garbage').digest();
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(dataDisk, 'r+');
    for (let offset = 1024; offset < 2048; offset += garbage.length) writeSync(fd, garbage, 0, garbage.length, offset);
    closeSync(fd);
    const before = await sha256(dataDisk);

    const refused = await berth(instance, ['start']);
    expect(refused.code).not.toBe(0);
    // On a miss, the guest's own account of the start says where it stopped.
    const guestSaid = readFileSync(join(instance.home, 'logs', 'console.log'), 'utf8').split('\n').slice(-40).join('\n');
    expect(refused.stderr, guestSaid).toContain('data-corrupt');
    expect(refused.stderr).toMatch(/hint: Berth left .*data\.img exactly as it was/);
    await expect.poll(() => processesOf(instance), { timeout: 15_000 }).toEqual([]);
    expect(await sha256(dataDisk)).toBe(before);
  });
});

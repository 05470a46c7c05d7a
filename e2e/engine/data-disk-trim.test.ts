import { describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { dataDiskAllocatedMiB } from '../support/memory';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
const allocatedMiB = (): number => dataDiskAllocatedMiB(instance.home);

describe('the data disk file', () => {
  it('gives back what a removed volume took, by itself, soon after the removal', async () => {
    const before = allocatedMiB();
    const wrote = await docker(instance, ['run', '--rm', '-v', 'given-back:/data', 'busybox:offline', 'sh', '-c', 'dd if=/dev/urandom of=/data/fill bs=1M count=128 2>/dev/null && sync']);
    expect(wrote.code, wrote.stderr).toBe(0);
    const full = allocatedMiB();
    expect(full - before).toBeGreaterThan(100);
    const removed = await docker(instance, ['volume', 'rm', 'given-back']);
    expect(removed.code, removed.stderr).toBe(0);
    // Nothing asks for it: the removal's event has the guest trim the disk, and QEMU punches the blocks out.
    await expect.poll(allocatedMiB, { timeout: 60_000, interval: 1_000 }).toBeLessThan(full - 100);
  });
});

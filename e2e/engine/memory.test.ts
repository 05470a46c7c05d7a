import { describe, expect, it } from 'vitest';
import { docker, runPid } from '../support/berth';
import { qemuMemoryMiB } from '../support/memory';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
const guestRamResidentMiB = (): number => qemuMemoryMiB(runPid(instance, 'qemu.pid')).guestRam;

describe('the VM memory', () => {
  it('goes back to the host once a container that took it has freed it', async () => {
    const before = guestRamResidentMiB();
    // tail keeps a line whole until its end: 384 MiB of zero bytes, one line, held in the container's memory.
    const took = await docker(instance, ['run', '--rm', 'busybox:offline', 'sh', '-c', 'head -c 402653184 /dev/zero | busybox tail -n 1 | busybox wc -c']);
    expect(took.code, took.stderr).toBe(0);
    const peak = guestRamResidentMiB();
    expect(peak - before).toBeGreaterThan(250);
    // Free page reporting: the guest tells QEMU which pages it no longer uses, and QEMU lets them go.
    await expect.poll(guestRamResidentMiB, { timeout: 30_000, interval: 1_000 }).toBeLessThan(before + 150);
  });
});

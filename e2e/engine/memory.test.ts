import { describe, expect, it } from 'vitest';
import { docker, runPid } from '../support/berth';
import { qemuMemoryMiB } from '../support/memory';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
const guestRamResidentMiB = (): number => qemuMemoryMiB(runPid(instance, 'qemu.pid')).guestRam;

describe('the VM memory', () => {
  it('goes back to the host once a container that took it has freed it', async () => {
    const before = guestRamResidentMiB();
    // dd reads its whole block at once: 384 MiB of the container's memory, every page of it written by the read.
    const took = await docker(instance, ['run', '--rm', 'busybox:offline', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=384M', 'count=1']);
    expect(took.code, took.stderr).toBe(0);
    const peak = guestRamResidentMiB();
    expect(peak - before).toBeGreaterThan(250);
    // Free page reporting: the guest tells QEMU which pages it no longer uses, and QEMU lets them go.
    await expect.poll(guestRamResidentMiB, { timeout: 30_000, interval: 1_000 }).toBeLessThan(before + 150);
  });
});

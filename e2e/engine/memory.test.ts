import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docker, runPid } from '../support/berth';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
/**
 * How much of the guest's RAM QEMU holds on the host: the resident part of its largest mapping, the guest
 * memory. (QEMU's whole resident size also counts, under emulation, its cache of translated code.)
 */
function guestRamResidentMiB(): number {
  const pid = runPid(instance, 'qemu.pid');
  let size = 0;
  let largest = { size: 0, rssKiB: 0 };
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) size = Number(BigInt(`0x${range[2]}`) - BigInt(`0x${range[1]}`));
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && size > largest.size) largest = { size, rssKiB: Number(rss[1]) };
  }
  return largest.rssKiB / 1024;
}

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

// The row of `npm run bench` for memory given back: QEMU's resident memory around a container that takes 1 GiB and frees it.
import type { Instance } from '../e2e/support/berth';
import { runPid } from '../e2e/support/berth';
import { qemuMemoryMiB } from '../e2e/support/memory';
import { sh, type Row } from './run';

const mib = (value: number): string => `${Math.round(value)} MiB`;

export async function memoryRows(instance: Instance, image: string): Promise<Row[]> {
  const pid = runPid(instance, 'qemu.pid');
  const before = qemuMemoryMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    const now = qemuMemoryMiB(pid);
    if (now.resident > peak.resident) peak = now;
  }, 200);
  // tail keeps a line whole until its end: 1 GiB of zero bytes, one line, held in the container's memory, then freed.
  const took = await sh(`docker -H unix://${instance.socket} run --rm ${image} sh -c 'head -c 1073741824 /dev/zero | tail -n 1 | wc -c'`, instance.env);
  clearInterval(sampler);
  if (took.code !== 0 || took.stdout.trim() !== '1073741824') throw new Error(`the 1 GiB container failed: ${took.stderr}`);
  process.stderr.write('bench: 1 GiB taken and freed; 30 s for the guest to give it back\n');
  await new Promise((done) => setTimeout(done, 30_000));
  const after = qemuMemoryMiB(pid);
  return [
    {
      figure: `QEMU resident memory 30 s after a container took and freed 1 GiB (peak ${mib(peak.resident)})`,
      berth: mib(after.resident),
      baseline: `before: ${mib(before.resident)}`,
      ratio: `+${mib(after.resident - before.resident)}`,
      target: '<= before + 150 MiB',
    },
    {
      figure: `  of it the guest's RAM (peak ${mib(peak.guestRam)})`,
      berth: mib(after.guestRam),
      baseline: `before: ${mib(before.guestRam)}`,
      ratio: `+${mib(after.guestRam - before.guestRam)}`,
      target: '',
    },
  ];
}

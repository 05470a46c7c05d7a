// The rows of `npm run bench` for memory and disk given back: QEMU's resident memory around a container
// that takes 1 GiB and frees it, and the data disk file's allocated size around 500 MB of images loaded and removed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Instance } from '../e2e/support/berth';
import { runPid } from '../e2e/support/berth';
import { dataDiskAllocatedMiB, qemuMemoryMiB } from '../e2e/support/memory';
import { imageArchive } from './imageArchive';
import { fmt, sh, type Row } from './run';

const mib = (value: number): string => `${Math.round(value)} MiB`;
/** A change in MiB with its sign: +14 MiB, -10 MiB. */
const change = (value: number): string => `${value >= 0 ? '+' : ''}${mib(value)}`;

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
      ratio: change(after.resident - before.resident),
      target: '<= before + 150 MiB',
    },
    {
      figure: `  of it the guest's RAM (peak ${mib(peak.guestRam)})`,
      berth: mib(after.guestRam),
      baseline: `before: ${mib(before.guestRam)}`,
      ratio: change(after.guestRam - before.guestRam),
      target: '',
    },
  ];
}

/** Five images of 100 MiB of random bytes each: 500 MiB that no layer store compresses or shares. */
const DISK_IMAGES = 5;
const DISK_IMAGE_BYTES = 100 * 2 ** 20;

export async function diskRows(instance: Instance): Promise<Row[]> {
  const host = `docker -H unix://${instance.socket}`;
  const allocatedMiB = (): number => dataDiskAllocatedMiB(instance.home);
  const before = allocatedMiB();
  const scratch = mkdtempSync(join(tmpdir(), 'berth-bench-disk-'));
  const tags: string[] = [];
  try {
    for (let i = 1; i <= DISK_IMAGES; i += 1) {
      // One archive at a time: the host holds 100 MiB, not 500.
      const archive = join(scratch, 'image.tar');
      writeFileSync(archive, imageArchive(1, { name: 'bench/filled', bytes: DISK_IMAGE_BYTES, first: i }));
      const loaded = await sh(`${host} load -q -i '${archive}'`, instance.env);
      if (loaded.code !== 0) throw new Error(`docker load failed: ${loaded.stderr}`);
      tags.push(`bench/filled-${String(i).padStart(3, '0')}:latest`);
      process.stderr.write(`bench: loaded ${i * 100} MiB of images in ${fmt(loaded.ms)}\n`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const full = allocatedMiB();
  const took = full - before;
  const removed = await sh(`${host} rmi ${tags.join(' ')}`, instance.env);
  if (removed.code !== 0) throw new Error(`docker rmi failed: ${removed.stderr}`);
  // Nothing asks for the space back: the removals' events have the guest trim, and QEMU punches the holes.
  const began = performance.now();
  let after = full;
  while (performance.now() - began < 60_000 && full - after < 0.8 * took) {
    await new Promise((done) => setTimeout(done, 500));
    after = allocatedMiB();
  }
  const waited = performance.now() - began;
  const given = took > 0 ? (full - after) / took : 0;
  return [
    {
      figure: `data disk file allocated after removing 500 MiB of loaded images (they took ${Math.round(took)} MiB)`,
      berth: `${mib(after)}, ${Math.round(given * 100)}% given back in ${fmt(waited)}`,
      baseline: `loaded: ${mib(full)}; before: ${mib(before)}`,
      ratio: `${(full / Math.max(1, after)).toFixed(2)}x smaller`,
      target: '>= 80% given back within 60 s',
    },
  ];
}

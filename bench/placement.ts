// `npm run bench:placement`: the host socket's `GET /_ping` against the direct TCP path to dockerd, for
// where the guest puts dockerd and Berth's SSH link on its vCPUs. Under emulation each placement costs the
// ping differently; containers and `docker info` need dockerd's threads on every vCPU (berth-unpin), and
// the first row, the start's placement kept, is the baseline. One host-only instance; the placements are
// switched inside the guest, round after round, so the machine's load weighs on each alike.
import { docker, importBusybox } from '../e2e/support/berth';
import { freePort } from '../src/main/daemon/startBase';
import { alternatingPings } from './ping';
import { benchInstance, median, runBench, withEngine, type Row } from './run';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

const threadsOf = (daemon: string, cpus: string): string => `for t in /proc/$(pidof ${daemon})/task/*; do taskset -p -c ${cpus} \${t##*/} >/dev/null; done`;
/** The serial loop and every sshd process (the bench makes no connection to sshd on TCP port 22). */
const link = (cpus: string): string =>
  `taskset -p -c ${cpus} $(cat /run/berth/ssh-serial.pid) >/dev/null; for p in $(pidof sshd-session sshd); do taskset -a -p -c ${cpus} $p >/dev/null; done`;
/** The interrupts of the virtio-serial port that carries the link. */
const portInterrupt = (cpus: string): string =>
  `for d in /sys/bus/virtio/drivers/virtio_console/virtio*; do for i in $(grep " \${d##*/}-" /proc/interrupts | cut -d: -f1); do echo ${cpus} > /proc/irq/$i/smp_affinity_list; done; done`;

/** Each placement as a script for the guest, from what berth-unpin leaves (the shipped one). */
const PLACEMENTS: Array<{ name: string; script: string }> = [
  { name: "dockerd on vCPU 0 as at its start, link free (docker info: NCPU 1)", script: `berth-unpin >/dev/null; ${threadsOf('dockerd', '0')}; ${link('0-1')}; ${portInterrupt('1')}` },
  { name: 'every process on every vCPU', script: `berth-unpin >/dev/null; ${link('0-1')}; ${portInterrupt('0-1')}` },
  { name: 'every vCPU, the link and its interrupt on vCPU 0 (berth-unpin, shipped)', script: 'berth-unpin >/dev/null' },
  { name: 'every vCPU, the link and its interrupt on vCPU 1', script: `berth-unpin >/dev/null; ${link('1')}; ${portInterrupt('1')}` },
];

runBench(async () => {
  const directPort = await freePort();
  // Only here: dockerd also listens on TCP in the guest, forwarded by QEMU, as the direct baseline.
  const instance = benchInstance({ BERTH_BENCH_DIRECT_PORT: String(directPort) });
  return withEngine(instance, async () => {
    const imported = await importBusybox(instance, 'busybox:offline');
    if (imported.code !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
    const inGuest = async (script: string): Promise<void> => {
      const ran = await docker(instance, ['run', '--rm', '--privileged', '--pid=host', 'busybox:offline', 'nsenter', '-t', '1', '-m', '-u', '-n', '-i', '-p', '--', 'sh', '-c', script]);
      if (ran.code !== 0) throw new Error(`placing failed: ${ran.stderr}`);
    };
    const cpus = await docker(instance, ['info', '--format', '{{.NCPU}}']);
    if (cpus.stdout.trim() !== '2') throw new Error(`this bench compares placements on 2 vCPUs; the engine has ${cpus.stdout.trim() || '?'}`);
    const ratios = new Map<string, number[]>(PLACEMENTS.map((placement) => [placement.name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const placement of PLACEMENTS) {
        await inGuest(placement.script);
        const { socket, direct } = await alternatingPings({ socketPath: instance.socket }, { host: '127.0.0.1', port: directPort }, 4);
        ratios.get(placement.name)!.push(median(socket) / median(direct));
      }
      console.error(`round ${round}/${ROUNDS}: ${PLACEMENTS.map((p) => ratios.get(p.name)!.at(-1)!.toFixed(2)).join(' ')}`);
    }
    await inGuest('berth-unpin >/dev/null');
    const baseline = median(ratios.get(PLACEMENTS[0].name)!);
    return PLACEMENTS.map((placement): Row => {
      const value = median(ratios.get(placement.name)!);
      return {
        figure: `ping p50, socket / direct: ${placement.name}`,
        berth: `${value.toFixed(2)}x`,
        baseline: `${baseline.toFixed(2)}x`,
        ratio: `${(value / baseline).toFixed(2)}x`,
        target: '',
      };
    });
  });
});

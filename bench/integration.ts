// `npm run bench:integration`: published ports and shared folders, each beside the VM's own path in the same run.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { importBusybox, testShares } from '../e2e/support/berth';
import { benchInstance, percentile, ratio, runBench, sh, withEngine, type Row } from './run';

/** Seconds each HTTP client counts for, after one second of warm-up; each side runs this twice. */
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
const ROUNDS = 2;
const IMAGE = 'bench:busybox';

/**
 * The one HTTP client, run by the host's perl and by the guest's. The guest has only perl-base (no
 * Time::HiRes), so the clock is clock_gettime(CLOCK_MONOTONIC) through syscall(2) (228 on x86-64).
 * Sequential requests for the given seconds, each read to its Content-Length; prints the count, the
 * counted seconds and every latency (seconds). `close` opens a new connection for every request.
 */
const CLIENT = String.raw`
use Socket;
my ($host, $port, $secs, $mode) = @ARGV;
sub now { my $t = "\0" x 16; syscall(228, 1, $t) == 0 or die "clock_gettime: $!"; my ($s, $ns) = unpack("q q", $t); $s + $ns / 1e9 }
my $addr = pack_sockaddr_in($port, inet_aton($host));
my $keep = $mode eq 'keepalive';
my $req = "GET /f HTTP/1.1\r\nHost: $host\r\n" . ($keep ? "" : "Connection: close\r\n") . "\r\n";
my ($s, @lat, $from);
my $warm = now() + 1; my $end = $warm + $secs;
while ((my $t0 = now()) < $end) {
  if (!$s) { socket($s, PF_INET, SOCK_STREAM, 0) or die "socket: $!"; connect($s, $addr) or die "connect: $!" }
  syswrite($s, $req) == length($req) or die "write: $!";
  my $buf = "";
  until ($buf =~ /\r\n\r\n/) { sysread($s, $buf, 65536, length $buf) or die "closed before the headers" }
  my ($len) = $buf =~ /Content-Length:\s*(\d+)/i;
  my $want = index($buf, "\r\n\r\n") + 4 + $len;
  while (length($buf) < $want) { sysread($s, $buf, 65536, length $buf) or die "closed before the body" }
  if (!$keep) { close $s; undef $s }
  my $t1 = now();
  next if $t0 < $warm;
  $from //= $t0;
  push @lat, $t1 - $t0;
}
print scalar(@lat), " ", now() - $from, "\n", join(" ", @lat), "\n";
`;

/**
 * busybox httpd answers one request per connection ("Connection: close"), so the keep-alive figures
 * need a second server: the guest's perl in the container's network namespace, forking per
 * connection and answering every request on it with the same 1 KB body.
 */
const KEEPALIVE_SERVER = String.raw`
use Socket;
my $body = "\0" x 1024;
my $resp = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1024\r\n\r\n$body";
socket(L, PF_INET, SOCK_STREAM, 0) or die; setsockopt(L, SOL_SOCKET, SO_REUSEADDR, 1);
bind(L, pack_sockaddr_in(81, INADDR_ANY)) or die "bind: $!"; listen(L, 64) or die;
$SIG{CHLD} = "IGNORE";
for (;;) {
  accept(my $c, L) or next;
  if (fork) { close $c; next }
  close L; my $buf = "";
  for (;;) {
    until ($buf =~ /\r\n\r\n/) { sysread($c, $buf, 65536, length $buf) or exit 0 }
    $buf =~ s/^.*?\r\n\r\n//s;
    syswrite($c, $resp);
  }
}
`;

/** The docker CLI with arguments as a list: the perl programs pass through untouched. */
function docker(socket: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile('docker', ['-H', `unix://${socket}`, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Load {
  requests: number;
  seconds: number;
  latencies: number[];
}

function parseLoad(side: string, out: { code: number; stdout: string; stderr: string }): Load {
  const [head, list = ''] = out.stdout.split('\n');
  const [requests, seconds] = head.split(' ').map(Number);
  if (out.code !== 0 || !(requests > 0)) throw new Error(`the ${side} HTTP client failed: ${out.stderr}${out.stdout.slice(0, 300)}`);
  return { requests, seconds, latencies: list.trim().split(' ').map(Number) };
}

const pool = (loads: Load[]): Load => ({
  requests: loads.reduce((sum, load) => sum + load.requests, 0),
  seconds: loads.reduce((sum, load) => sum + load.seconds, 0),
  latencies: loads.flatMap((load) => load.latencies),
});

const ms = (seconds: number): string => (seconds >= 1 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(2)} ms`);

async function publishedPorts(socket: string, env: NodeJS.ProcessEnv, rows: Row[]): Promise<void> {
  const [closePort, keepPort] = [await freePort(), await freePort()];
  const name = `bench-http-${Date.now()}`;
  // One container: busybox httpd on 80 serving a 1 KB file, the keep-alive server on 81 (see above).
  const started = await docker(socket, [
    'run', '-d', '--name', name, '--privileged', '--pid=host',
    '-p', `127.0.0.1:${closePort}:80`, '-p', `127.0.0.1:${keepPort}:81`, IMAGE, 'sh', '-c',
    'busybox mkdir /www && dd if=/dev/zero of=/www/f bs=1024 count=1 2>/dev/null && httpd -p 80 -h /www && exec nsenter -t 1 -m -- perl -e "$1"',
    'sh', KEEPALIVE_SERVER,
  ], env);
  if (started.code !== 0) throw new Error(`the HTTP container did not start: ${started.stderr}`);
  try {
    // Both forwards answer on the host before anything is timed.
    for (const port of [closePort, keepPort]) {
      const deadline = Date.now() + 30_000;
      while (!(await fetch(`http://127.0.0.1:${port}/f`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} never answered on the host`);
        await new Promise((wait) => setTimeout(wait, 200));
      }
    }
    const onHost = (port: number, mode: string): Promise<Load> =>
      new Promise((done) =>
        execFile('perl', ['-e', CLIENT, '127.0.0.1', String(port), String(SECONDS), mode], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
          done(parseLoad('host', { code: error ? 1 : 0, stdout, stderr })),
        ),
      );
    // The same program on the guest's own loopback, where the host's forward also ends (dockerd's proxy).
    const inGuest = async (port: number, mode: string): Promise<Load> =>
      parseLoad('guest', await docker(socket, [
        'run', '--rm', '--privileged', '--pid=host', IMAGE, 'nsenter', '-t', '1', '-m', '-n', '--',
        'perl', '-e', CLIENT, '127.0.0.1', String(port), String(SECONDS), mode,
      ], env));

    for (const [mode, port, label] of [['keepalive', keepPort, 'keep-alive, one connection'], ['close', closePort, 'new connection per request, busybox httpd']] as const) {
      const host: Load[] = [];
      const guest: Load[] = [];
      // Alternating order, so a neighbour's burst of load does not fall on one side only.
      for (let round = 0; round < ROUNDS; round += 1) {
        if (round % 2 === 0) host.push(await onHost(port, mode)), guest.push(await inGuest(port, mode));
        else guest.push(await inGuest(port, mode)), host.push(await onHost(port, mode));
      }
      const [h, g] = [pool(host), pool(guest)];
      const [hRate, gRate] = [h.requests / h.seconds, g.requests / g.seconds];
      rows.push({ figure: `published port HTTP GET 1 KB (${label}): requests/s, host vs in guest`, berth: `${hRate.toFixed(0)}/s`, baseline: `${gRate.toFixed(0)}/s`, ratio: ratio(hRate, gRate), target: '>= 0.5x' });
      for (const p of [50, 95]) {
        const [hp, gp] = [percentile(h.latencies, p), percentile(g.latencies, p)];
        rows.push({ figure: `  latency p${p}`, berth: ms(hp), baseline: ms(gp), ratio: ratio(hp, gp), target: '' });
      }
    }
  } finally {
    await docker(socket, ['rm', '-f', name], env);
  }
}

/**
 * In one privileged container (it may drop the guest's page cache), for each folder given: 200 MB
 * written with an fsync at the end, the guest's caches dropped, the file read back, then 5,000 small
 * files created and synced. Prints the folder and guest uptimes around each step.
 */
const IO_SCRIPT = `
t() { read up rest < /proc/uptime; echo -n "$up "; }
for d in "$@"; do
  echo -n "$d "
  sync; echo 3 > /proc/sys/vm/drop_caches
  t; dd if=/dev/zero of=$d/big bs=1000000 count=200 conv=fsync 2>/dev/null || exit 1; t
  sync; echo 3 > /proc/sys/vm/drop_caches
  t; dd if=$d/big of=/dev/null bs=1000000 2>/dev/null || exit 1; t
  busybox mkdir $d/many; t; i=0
  while [ $i -lt 5000 ]; do echo x > $d/many/f$i || exit 1; i=$((i+1)); done; sync; t
  echo; busybox rm -rf $d/big $d/many
done
`;

async function bindMounts(socket: string, env: NodeJS.ProcessEnv, rows: Row[]): Promise<void> {
  // Inside the instance's shared folder, so the guest sees it over 9p at the same path.
  const folder = mkdtempSync(`${testShares()}/bench-`);
  const volume = `bench-io-${Date.now()}`;
  try {
    // bind, volume, volume, bind: each side goes first once.
    const out = await docker(socket, [
      'run', '--rm', '--privileged', '-v', `${folder}:/bind`, '-v', `${volume}:/vol`, IMAGE,
      'sh', '-c', IO_SCRIPT, 'sh', '/bind', '/vol', '/vol', '/bind',
    ], env);
    const lines = out.stdout.trim().split('\n').map((line) => line.trim().split(' '));
    if (out.code !== 0 || lines.length !== 4) throw new Error(`the I/O container failed: ${out.stderr}${out.stdout}`);
    const total = { '/bind': [0, 0, 0], '/vol': [0, 0, 0] } as Record<string, number[]>;
    for (const [dir, ...times] of lines) {
      const t = times.map(Number);
      [t[1] - t[0], t[3] - t[2], t[5] - t[4]].forEach((seconds, step) => (total[dir][step] += seconds));
    }
    const [bind, vol] = [total['/bind'], total['/vol']];
    const mbps = (seconds: number): number => (2 * 200) / seconds;
    for (const [step, label] of [[0, 'sequential write 200 MB, dd conv=fsync'], [1, 'sequential read 200 MB, guest cache dropped']] as const) {
      rows.push({ figure: `${label}: MB/s, bind mount (9p) vs named volume (VM disk)`, berth: `${mbps(bind[step]).toFixed(1)} MB/s`, baseline: `${mbps(vol[step]).toFixed(1)} MB/s`, ratio: ratio(mbps(bind[step]), mbps(vol[step])), target: '>= 0.3x' });
    }
    rows.push({ figure: 'create 5,000 small files and sync: seconds, bind mount vs named volume', berth: ms(bind[2] / 2), baseline: ms(vol[2] / 2), ratio: ratio(bind[2], vol[2]), target: '' });
  } finally {
    await docker(socket, ['volume', 'rm', '-f', volume], env);
    rmSync(folder, { recursive: true, force: true });
  }
}

runBench(async () => {
  const rows: Row[] = [];
  const instance = benchInstance();
  await withEngine(instance, async () => {
    const imported = await importBusybox(instance, IMAGE);
    if (imported.code !== 0) throw new Error(`importing busybox failed: ${imported.stderr}`);
    await publishedPorts(instance.socket, instance.env, rows);
    await bindMounts(instance.socket, instance.env, rows);
  });
  return rows;
});

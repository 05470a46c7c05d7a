import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { encodeFrame, FrameReader } from './frames';
import type { SshLink } from './link';

/**
 * The guest half of a UDP relay, for perl-base (no modules beyond Socket): frames from stdin go out as
 * datagrams to 127.0.0.1:PORT, one socket per peer number so the container can tell peers apart and
 * its replies find their way back; replies come back framed on stdout. A peer quiet for IDLE seconds
 * loses its socket. It ends when its stdin does (the host closed the channel).
 * No single quotes inside: the script travels single-quoted through the guest's shell.
 */
export const GUEST_RELAY = String.raw`
use strict; use warnings; use Socket;
my ($port, $idle) = @ARGV;
my $to = pack_sockaddr_in($port, inet_aton("127.0.0.1"));
binmode STDIN; binmode STDOUT;
my (%sock, %seen, $in);
$in = "";
sub put { my $data = shift; while (length $data) { my $n = syswrite(STDOUT, $data); die "stdout: $!\n" unless defined $n; substr($data, 0, $n, ""); } }
while (1) {
  my $bits = ""; vec($bits, 0, 1) = 1; vec($bits, fileno($_), 1) = 1 for values %sock;
  my $n = select(my $ready = $bits, undef, undef, 5);
  my $now = time;
  my @heard = $n > 0 ? grep { vec($ready, fileno($sock{$_}), 1) } keys %sock : ();
  if ($n > 0 && vec($ready, 0, 1)) {
    my $got = sysread(STDIN, $in, 65536, length $in);
    exit 0 unless $got;
    while (length $in >= 4) {
      my ($peer, $len) = unpack("nn", $in);
      last if length $in < 4 + $len;
      my $data = substr($in, 4, $len);
      substr($in, 0, 4 + $len, "");
      unless ($sock{$peer}) {
        socket(my $s, PF_INET, SOCK_DGRAM, 0) or die "socket: $!\n";
        connect($s, $to) or die "connect: $!\n";
        $sock{$peer} = $s;
      }
      send($sock{$peer}, $data, 0);
      $seen{$peer} = $now;
    }
  }
  for my $peer (@heard) {
    next unless $sock{$peer};
    next unless defined recv($sock{$peer}, my $data, 65535, 0);
    put(pack("nn", $peer, length $data) . $data);
    $seen{$peer} = $now;
  }
  for my $peer (keys %sock) {
    next if $now - $seen{$peer} <= $idle;
    close(delete $sock{$peer});
    delete $seen{$peer};
  }
}
`;

/** The command that runs the relay for `port` in the guest. */
export function relayCommand(port: number, idleSeconds: number): string {
  return `exec perl -e '${GUEST_RELAY}' ${port} ${idleSeconds}`;
}

interface Peer {
  id: number;
  address: string;
  port: number;
  lastSeen: number;
}

/** Datagrams held while the relay starts; beyond this they are dropped, as a busy network would. */
const QUEUE_LIMIT = 256;
/** Bytes waiting on the channel beyond which datagrams are dropped instead of buffered without end. */
const CHANNEL_BACKLOG = 1024 * 1024;

/**
 * One published UDP port. SSH carries no datagrams, so a relay in the guest (above) sends them on; one
 * relay per port carries every host peer, numbered, so a burst of new peers (a DNS client picks a new
 * source port per query) costs no new SSH sessions.
 */
export class UdpForward {
  private readonly socket: Socket;
  private readonly peers = new Map<string, Peer>();
  private readonly byId = new Map<number, Peer>();
  private nextId = 0;
  private relay: ClientChannel | null = null;
  private starting = false;
  private queue: Buffer[] = [];
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly link: Pick<SshLink, 'client'>,
    private readonly log: (line: string) => void,
    private readonly idleMs = 60_000,
  ) {
    this.socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ port: this.port, address: this.address, exclusive: true }, () => {
        this.socket.off('error', reject);
        this.socket.on('error', (error) => this.log(`port ${this.port}/udp: ${error.message}`));
        this.socket.on('message', (message, from) => this.outbound(message, from));
        this.sweeper = setInterval(() => this.forgetIdle(), Math.max(1_000, this.idleMs / 4)).unref();
        // Started now so the first datagram does not wait for it.
        this.startRelay();
        resolve();
      });
    });
  }

  private outbound(message: Buffer, from: RemoteInfo): void {
    const peer = this.peerFor(from);
    if (!peer) return;
    const frame = encodeFrame(peer.id, message);
    if (this.relay) {
      if (this.relay.writableLength < CHANNEL_BACKLOG) this.relay.write(frame);
      return;
    }
    if (this.queue.length < QUEUE_LIMIT) this.queue.push(frame);
    this.startRelay();
  }

  private peerFor(from: RemoteInfo): Peer | null {
    const key = `${from.address}:${from.port}`;
    const now = Date.now();
    let peer = this.peers.get(key);
    if (!peer) {
      const id = this.freeId();
      if (id === null) return null;
      peer = { id, address: from.address, port: from.port, lastSeen: now };
      this.peers.set(key, peer);
      this.byId.set(id, peer);
    }
    peer.lastSeen = now;
    return peer;
  }

  /** Numbers go round before one is used again, so a late reply for a forgotten peer rarely finds a new one. */
  private freeId(): number | null {
    for (let tries = 0; tries < 65_536; tries += 1) {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) % 65_536;
      if (!this.byId.has(id)) return id;
    }
    return null;
  }

  private forgetIdle(): void {
    const before = Date.now() - this.idleMs;
    for (const [key, peer] of this.peers) {
      if (peer.lastSeen >= before) continue;
      this.peers.delete(key);
      this.byId.delete(peer.id);
    }
  }

  private inbound(peerId: number, payload: Buffer): void {
    const peer = this.byId.get(peerId);
    if (!peer) return;
    peer.lastSeen = Date.now();
    this.socket.send(payload, peer.port, peer.address);
  }

  private startRelay(): void {
    if (this.relay || this.starting || this.closed) return;
    this.starting = true;
    this.execRelay().then(
      (channel) => {
        this.starting = false;
        if (this.closed) return void channel.close();
        this.relay = channel;
        const reader = new FrameReader((frame) => this.inbound(frame.peer, frame.payload));
        channel.on('data', (chunk: Buffer) => reader.push(chunk));
        channel.stderr.on('data', (chunk: Buffer) => this.log(`port ${this.port}/udp relay: ${chunk.toString().trim()}`));
        channel.on('error', () => undefined);
        channel.once('close', () => {
          // The next datagram starts a new relay (after an SSH reconnect, say).
          if (this.relay === channel) this.relay = null;
        });
        for (const frame of this.queue.splice(0)) channel.write(frame);
      },
      (error: Error) => {
        this.starting = false;
        this.queue = [];
        this.log(`port ${this.port}/udp: cannot start the relay in the guest: ${error.message}`);
      },
    );
  }

  private async execRelay(): Promise<ClientChannel> {
    const client = await this.link.client(5_000);
    const command = relayCommand(this.port, Math.ceil(this.idleMs / 1000));
    return new Promise((resolve, reject) => client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel))));
  }

  close(): void {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.relay?.end();
    this.relay?.close();
    this.relay = null;
    this.queue = [];
    try {
      this.socket.close();
    } catch {
      // never bound
    }
  }
}

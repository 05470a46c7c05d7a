import { chmodSync, lstatSync, rmSync, type Stats } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { BerthError } from '../api/errors';
import { isPipe } from '../platform/endpoints';
import type { SshLink } from './link';
import { RequestFramer, type CreateInspector } from './requestFramer';

/** Resolves true when something accepts connections on the Unix socket at `path`. */
export function socketAnswers(path: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    const done = (answer: boolean): void => {
      probe.destroy();
      resolve(answer);
    };
    probe.setTimeout(timeoutMs, () => done(true));
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/**
 * Makes `path` free for a new listener. A socket nobody answers on is left over from a crash and is
 * removed; anything else there is the user's, and is not touched.
 */
export async function claimSocketPath(path: string, what: string): Promise<void> {
  let kind: 'socket' | 'other' | 'none' = 'none';
  try {
    kind = lstatSync(path).isSocket() ? 'socket' : 'other';
  } catch {
    return;
  }
  if (kind === 'other') {
    throw new BerthError(
      'SocketPathTaken',
      `${path} exists and is not a socket, so Berth cannot put the ${what} there.`,
      `Move or delete ${path}, then start Berth again.`,
    );
  }
  if (await socketAnswers(path)) {
    throw new BerthError(
      'SocketInUse',
      `Another process is already listening on ${path}.`,
      `Stop the program that owns ${path} (or use a different BERTH_HOME), then start Berth again.`,
    );
  }
  rmSync(path, { force: true });
}

/**
 * Listens on the Unix socket `path`, readable and writable by the user alone from its first
 * moment (a Docker or control socket is a root-equivalent handle on the engine). Returns what removes
 * it: only while the path is still the socket made here (same inode), never one another process made since.
 * A Windows named pipe is no file: see listenNamed.
 */
export async function listenPrivately(server: Server, path: string, what: string): Promise<() => void> {
  if (isPipe(path)) return listenNamed(server, path, what);
  await claimSocketPath(path, what);
  const mask = process.umask(0o177);
  try {
    await listen(server, path);
  } finally {
    process.umask(mask);
  }
  chmodSync(path, 0o600);
  const made = lstatSync(path);
  return () => {
    if (sameFile(made, path)) rmSync(path, { force: true });
  };
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Listens on an address that is a name, not a file: a Windows named pipe (or a Linux abstract socket).
 * There is nothing to clear before or remove after: the name goes with its last handle, and while another
 * process holds it the listen fails, which is said here. A pipe's access is its security descriptor:
 * Node gives it Windows' default, under which other users may open it only to read, so they can neither
 * call the engine nor Berth (see docs/platforms.md, and ControlServer for what it keeps from them).
 */
export async function listenNamed(server: Server, address: string, what: string): Promise<() => void> {
  try {
    await listen(server, address);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const shown = address.replace('\0', '@');
    throw new BerthError(
      'SocketInUse',
      `Another process already listens on ${shown}, so Berth cannot put the ${what} there.`,
      `Stop the program that owns ${shown} (or use a different BERTH_HOME), then start Berth again. Until then, what connects to ${shown} reaches that program, not Berth.`,
    );
  }
  return () => undefined;
}

function sameFile(made: Stats, path: string): boolean {
  try {
    const now = lstatSync(path);
    return now.ino === made.ino && now.dev === made.dev;
  } catch {
    return false;
  }
}

/**
 * The listener on the Docker socket's path. It outlives the object serving it: a suspended engine's
 * RestingSocket hands it to the HostSocket of the engine that wakes (no moment without one). So it keeps
 * every connection it accepted, whoever serves them, and closing it ends them all: a connection one server
 * left half-closed cannot hold up the next stop or suspend.
 */
export class DockerListener {
  /** Half-open: `docker run` closes its write side and still reads the container's output. */
  private readonly server: Server;
  private readonly connections = new Set<Socket>();
  private unlink = (): void => undefined;

  constructor(private serve: (local: Socket) => void) {
    this.server = createServer({ allowHalfOpen: true }, (local) => {
      this.connections.add(local);
      local.once('close', () => this.connections.delete(local));
      this.serve(local);
    });
  }

  async listen(path: string): Promise<void> {
    this.unlink = await listenPrivately(this.server, path, 'Docker socket');
  }

  /** Connections from now on go to `serve`. */
  handTo(serve: (local: Socket) => void): void {
    this.serve = serve;
  }

  async close(): Promise<void> {
    for (const local of this.connections) local.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.unlink();
  }
}

/**
 * The host's Docker socket: every connection is piped, with backpressure, to the guest's socket
 * through its own streamlocal channel on the shared SSH connection. On the way in, a RequestFramer
 * lets `inspectCreate` refuse a container create before the engine sees it.
 */
export class HostSocket {
  private listener: DockerListener | null = null;
  private lastTraffic = Date.now();
  /** Connections whose client sent a request the engine has not begun to answer. */
  private awaiting = 0;

  constructor(
    private readonly path: string,
    private readonly remotePath: string,
    private readonly link: SshLink,
    private readonly log: (line: string) => void,
    private readonly inspectCreate: CreateInspector = () => ({ kind: 'pass' }),
  ) {}

  /** Listens on the path, or takes over the listener a suspended engine's RestingSocket had there (no moment without one). */
  async listen(from?: DockerListener): Promise<void> {
    if (from) {
      from.handTo((local) => this.carry(local));
      this.listener = from;
      return;
    }
    const listener = new DockerListener((local) => this.carry(local));
    await listener.listen(this.path);
    this.listener = listener;
  }

  /**
   * When the socket last had something to do (Resource Saver's measure of activity): now, while a request
   * waits for the engine's answer; else the last bytes either way. An open connection with nothing on it
   * (the daemon's own events stream, when nothing happens) leaves the engine idle.
   */
  lastActive(): number {
    return this.awaiting > 0 ? Date.now() : this.lastTraffic;
  }

  /** Carries one client connection to the engine; `head` is what was read of it already (by a RestingSocket). */
  carry(local: Socket, head?: Buffer): void {
    if (head?.length) local.unshift(head);
    this.lastTraffic = Date.now();
    let awaiting = false;
    const answered = (): void => {
      if (awaiting) this.awaiting -= 1;
      awaiting = false;
    };
    local.once('close', answered);
    local.pause();
    this.link.streamLocal(this.remotePath).then(
      (channel) => {
        // Two one-way pipelines: each direction ends only its own side, so a client that has
        // finished writing (docker run, exec) still reads everything the engine sends back.
        const report = (error?: Error | null): void => {
          if (error && error.message !== 'Premature close') this.log(`docker socket connection: ${error.message}`);
        };
        const framer = new RequestFramer(this.inspectCreate, (refusal) => local.write(refusal));
        local.on('data', () => {
          this.lastTraffic = Date.now();
          if (!awaiting) this.awaiting += 1;
          awaiting = true;
        });
        pipeline(local, framer, channel, report);
        channel.on('data', () => {
          this.lastTraffic = Date.now();
          answered();
        });
        pipeline(channel, local, (error) => {
          report(error);
          channel.close();
          local.destroy();
        });
        local.resume();
      },
      (error: Error) => {
        this.log(`docker socket: cannot reach the guest: ${error.message}`);
        local.destroy();
      },
    );
  }

  async close(): Promise<void> {
    // Only a socket this object listened on (or took over) is removed: anything else at the path is not Berth's.
    const listener = this.listener;
    this.listener = null;
    await listener?.close();
  }
}

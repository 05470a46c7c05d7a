import { rmSync, writeFileSync } from 'node:fs';
import type { Handlers } from '../api/dispatch';
import { actOnContainers, listContainers } from '../engine/containers';
import { createVolume, listVolumes, pruneVolumes, removeVolumes } from '../engine/volumes';
import { ensureHome, type HomePaths } from '../home';
import { Backend } from './backend';
import { ControlServer } from './control';

/**
 * The backend process: it owns the VM and the tunnel, and serves the contract on the control socket.
 * It exits once the engine is down and no client is connected, leaving nothing behind.
 */
export async function runDaemon(paths: HomePaths, env: NodeJS.ProcessEnv): Promise<void> {
  // Everything the daemon and QEMU create (logs, QMP socket, console) is the user's alone.
  process.umask(0o077);
  ensureHome(paths);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  const directPort = Number(env.BERTH_BENCH_DIRECT_PORT) || undefined;
  const backend = new Backend(paths, env, log, { directDockerPort: directPort });
  const handlers: Handlers = {
    'engine.status': async () => backend.status(),
    'engine.start': () => backend.start(),
    'engine.stop': () => backend.stop(),
    'engine.restart': () => backend.restart(),
    'containers.list': async () => ({ containers: await listContainers(backend.docker()) }),
    'containers.act': async ({ ids, action }) => ({ results: await actOnContainers(backend.docker(), ids, action) }),
    'volumes.list': async () => ({ volumes: await listVolumes(backend.docker()) }),
    'volumes.create': async ({ name }) => ({ name: await createVolume(backend.docker(), name) }),
    'volumes.remove': async ({ names }) => ({ results: await removeVolumes(backend.docker(), names) }),
    'volumes.prune': () => pruneVolumes(backend.docker()),
  };
  let everConnected = false;
  const control = new ControlServer(paths.controlSocket, handlers, () => maybeExit());
  const idle = (): boolean => control.clients.size === 0 && ['stopped', 'error'].includes(backend.current);
  let exiting = false;
  const exit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    log('daemon exiting');
    await backend.stop().catch((error: Error) => log(`stop on exit: ${error.message}`));
    control.close();
    rmSync(paths.controlSocket, { force: true });
    rmSync(paths.daemonPid, { force: true });
    process.exit(0);
  };
  function maybeExit(): void {
    if (control.clients.size > 0) everConnected = true;
    if (everConnected && idle()) setTimeout(() => idle() && void exit(), 100);
  }
  backend.on('containers', (change) => control.broadcast('containers.changed', change));
  backend.on('volumes', (list) => control.broadcast('volumes.changed', { volumes: list }));
  backend.on('changed', (status) => {
    control.broadcast('engine.changed', status);
    if (status.state === 'stopped' || status.state === 'error') maybeExit();
  });
  try {
    await control.listen();
  } catch (error) {
    log(`daemon not started: ${(error as Error).message}`);
    process.exit(1);
  }
  setTimeout(() => {
    if (!everConnected) void exit();
  }, 60_000).unref();
  writeFileSync(paths.daemonPid, `${process.pid}\n`, { mode: 0o600 });
  log(`daemon ${process.pid} listening on ${paths.controlSocket}`);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void exit());
}
